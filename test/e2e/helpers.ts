import { execa } from 'execa';
import { checkPrerequisites } from '../../src/host/prerequisites.ts';

/** The built CLI, run as a user runs it. */
export const cli = (args: string[], env: Record<string, string> = {}) =>
  execa('node', ['bin/nomad-lab.js', ...args], { reject: false, env, all: true });

/** The end-to-end suite fails, never skips, on a host that is not prepared. */
export async function requirePreparedHost(): Promise<void> {
  const missing = (await checkPrerequisites()).filter((s) => s.required && !s.ok);
  if (missing.length > 0) {
    throw new Error(
      `the end-to-end suite needs a prepared host; missing: ${missing.map((m) => `${m.name} (${m.detail}; fix: ${m.fix})`).join(', ')}`,
    );
  }
}
