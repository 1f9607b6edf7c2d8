/** Plain lines when output is not a terminal or under CI; the live renderer otherwise. */
export function plainOutput(): boolean {
  return !process.stdout.isTTY || Boolean(process.env['CI']);
}
