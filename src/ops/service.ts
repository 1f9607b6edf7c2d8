import type { UnitState } from '../facts/facts.ts';
import { runChange, type Change } from './change.ts';

export interface ServiceInputs {
  /** The unit file itself was written this run. */
  unitChanged: boolean;
  /** The binary or a configuration file was written this run. */
  configChanged: boolean;
  /** Which, for `plan`: `/etc/consul.d/consul.hcl changed`. */
  because?: string;
}

/** Enable, start, or restart a unit only as needed: nothing for a running unit whose files did not change. */
export function planService(unit: string, state: UnitState, { unitChanged, configChanged, because }: ServiceInputs): Change[] {
  const changes: Change[] = [];
  const why = because ?? (unitChanged ? 'its unit changed' : 'its binary or config changed');
  if (unitChanged || !state.loaded) changes.push(runChange('reload systemd units', ['systemctl', 'daemon-reload'], { reason: unitChanged ? `${unit}'s unit changed` : `${unit}'s unit is new` }));
  if (!state.enabled) changes.push(runChange(`enable ${unit}`, ['systemctl', 'enable', unit], { reason: 'not enabled' }));
  // A unit that crashed until systemd's start limit stopped it refuses a start ("start request repeated too quickly").
  if (state.failed) changes.push(runChange(`clear ${unit}'s failed state`, ['systemctl', 'reset-failed', unit], { reason: 'it failed' }));
  if (!state.active) changes.push(runChange(`start ${unit}`, ['systemctl', 'start', unit], { reason: 'not running' }));
  else if (unitChanged || configChanged) changes.push(runChange(`restart ${unit}`, ['systemctl', 'restart', unit], { reason: why }));
  return changes;
}
