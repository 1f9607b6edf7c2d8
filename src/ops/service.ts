import type { UnitState } from '../facts/facts.ts';
import { script } from '../remote/quote.ts';
import { runChange, type Change } from './change.ts';

// A failed start says why: the unit's journal tail goes to stderr, which the error shows.
const START = script(
  `systemctl "$1" "$2" && exit 0
status=$?
journalctl -u "$2" -n 12 --no-pager -o cat >&2
exit $status`,
);

/** `systemctl start|restart UNIT`, and on failure the unit's journal tail in stderr. */
const systemctl = (verb: 'start' | 'restart', unit: string) => ({
  ...START,
  args: [verb, unit],
  label: `systemctl ${verb} ${unit}`,
});

export interface ServiceInputs {
  /** The unit file itself was written this run. */
  unitChanged: boolean;
  /** The binary or a configuration file was written this run. */
  configChanged: boolean;
  /** Which, for `plan`: `/etc/consul.d/consul.hcl changed`. */
  because?: string;
}

/** Enable, start, or restart a unit only as needed: nothing for a running unit whose files did not change. */
export function planService(
  unit: string,
  state: UnitState,
  { unitChanged, configChanged, because }: ServiceInputs,
): Change[] {
  const changes: Change[] = [];
  const why = because ?? (unitChanged ? 'its unit changed' : 'its binary or config changed');
  if (unitChanged || !state.loaded)
    changes.push(
      runChange('reload systemd units', ['systemctl', 'daemon-reload'], {
        reason: unitChanged ? `${unit}'s unit changed` : `${unit}'s unit is new`,
      }),
    );
  if (!state.enabled)
    changes.push(runChange(`enable ${unit}`, ['systemctl', 'enable', unit], { reason: 'not enabled' }));
  // A unit that crashed until systemd's start limit stopped it refuses a start ("start request repeated too quickly").
  if (state.failed)
    changes.push(
      runChange(`clear ${unit}'s failed state`, ['systemctl', 'reset-failed', unit], { reason: 'it failed' }),
    );
  // A unit that is not running may be in a restart loop, its next attempt already under way with the old
  // files: a start would join that attempt and fail with it. A restart ends the loop and starts anew.
  if (!state.active)
    changes.push(
      runChange(`start ${unit}`, systemctl(unitChanged || configChanged ? 'restart' : 'start', unit), {
        reason: 'not running',
      }),
    );
  else if (unitChanged || configChanged)
    changes.push(runChange(`restart ${unit}`, systemctl('restart', unit), { reason: why }));
  return changes;
}
