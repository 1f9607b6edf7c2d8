import { env } from '../env.ts';
/** Plain lines when output is not a terminal or under CI; the live renderer otherwise. */
export function plainOutput(): boolean {
  return !process.stdout.isTTY || env.ci();
}
