import type { MachineState } from '../provider.ts';

/** One machine as `vagrant status --machine-readable` reports it. */
export interface VagrantMachine {
  name: string;
  /** `docker`, `virtualbox`, `libvirt`. */
  provider: string;
  /** Vagrant's own state word: running, stopped, not_created, poweroff, shutoff, ... */
  state: string;
  /** The sentence Vagrant explains the state with. */
  description: string;
}

/** Undoes the machine-readable format's escapes of commas and newlines. */
export function unescapeMachineReadable(field: string): string {
  return field.replaceAll('%!(VAGRANT_COMMA)', ',').replaceAll('\\n', '\n').replaceAll('\\r', '\r');
}

/**
 * Parses `vagrant status --machine-readable` (lines of `timestamp,target,type,data...`), machines in Vagrant's order.
 */
export function parseStatus(output: string): VagrantMachine[] {
  const machines = new Map<string, VagrantMachine>();
  for (const line of output.split('\n')) {
    const [, target, type, ...data] = line.trimEnd().split(',');
    if (!target || type === undefined) continue;
    const machine = machines.get(target) ?? { name: target, provider: '', state: '', description: '' };
    machines.set(target, machine);
    const value = unescapeMachineReadable(data.join(','));
    if (type === 'provider-name') machine.provider = value;
    else if (type === 'metadata' && data[0] === 'provider')
      machine.provider = unescapeMachineReadable(data.slice(1).join(','));
    else if (type === 'state') machine.state = value;
    else if (type === 'state-human-long') machine.description = value;
  }
  return [...machines.values()].filter((m) => m.state !== '');
}

// Words the virtualbox, libvirt and docker providers use for a machine that exists but is off.
const STOPPED = new Set([
  'stopped',
  'poweroff',
  'shutoff',
  'saved',
  'aborted',
  'paused',
  'halted',
  'inaccessible',
  'gurumeditation',
]);

/** Vagrant's state word as nomad-lab's MachineState. */
export function machineState(vagrantState: string): MachineState {
  if (vagrantState === 'running') return 'running';
  if (vagrantState === 'not_created') return 'not_created';
  if (STOPPED.has(vagrantState)) return 'stopped';
  return 'unknown';
}
