import type { UnitState } from '../facts/facts.ts';
import type { Change } from './change.ts';

export interface ServiceInputs {
  /** The unit file itself was written this run. */
  unitChanged: boolean;
  /** The binary or a configuration file was written this run. */
  configChanged: boolean;
}

/** Enable, start, or restart a unit only as needed: nothing for a running unit whose files did not change. */
export function planService(unit: string, state: UnitState, { unitChanged, configChanged }: ServiceInputs): Change[] {
  const changes: Change[] = [];
  if (unitChanged || !state.loaded) changes.push({ description: 'reload systemd units', command: ['systemctl', 'daemon-reload'], sudo: true });
  if (!state.enabled) changes.push({ description: `enable ${unit}`, command: ['systemctl', 'enable', unit], sudo: true });
  // A unit that crashed until systemd's start limit stopped it refuses a start ("start request repeated too quickly").
  if (state.failed) changes.push({ description: `clear ${unit}'s failed state`, command: ['systemctl', 'reset-failed', unit], sudo: true });
  if (!state.active) changes.push({ description: `start ${unit}`, command: ['systemctl', 'start', unit], sudo: true });
  else if (unitChanged || configChanged) changes.push({ description: `restart ${unit}`, command: ['systemctl', 'restart', unit], sudo: true });
  return changes;
}
