import type { Change } from './change.ts';

/** A system user that owns a service's files, created only when missing. */
export function planSystemUser(name: string, exists: boolean, home: string): Change[] {
  return exists
    ? []
    : [{ description: `create user ${name}`, command: ['useradd', '--system', '--home-dir', home, '--shell', '/bin/false', name], sudo: true }];
}
