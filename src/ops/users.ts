import { runChange, type Change } from './change.ts';

/** A system user that owns a service's files, created only when missing. */
export function planSystemUser(name: string, exists: boolean, home: string): Change[] {
  return exists
    ? []
    : [
        runChange(`create user ${name}`, ['useradd', '--system', '--home-dir', home, '--shell', '/bin/false', name], {
          reason: 'no such user',
        }),
      ];
}
