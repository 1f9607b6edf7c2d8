import { tail } from '../errors.ts';
import type { Remote } from '../remote/remote.ts';
import { GaveUp } from './wait.ts';

/** Gives up waiting when a unit has failed or is crash-looping, with the tail of its journal. */
export async function failIfUnitFailed(remote: Remote, unit: string): Promise<void> {
  const state = await remote.exec(['systemctl', 'show', unit, '-p', 'ActiveState,SubState']);
  if (!/ActiveState=failed|SubState=auto-restart/.test(state.stdout)) return;
  const journal = await remote.exec(['journalctl', '-u', unit, '-n', '12', '--no-pager', '-o', 'cat'], { sudo: true });
  throw new GaveUp(
    `[${remote.node}] ${unit} is not running (${state.stdout.replace(/\n/g, ' ').trim()}); its journal ` +
      `ends:\n${tail(journal.stdout, 12).replace(/^/gm, '  | ')}`,
  );
}
