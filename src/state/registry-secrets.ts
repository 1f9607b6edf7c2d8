import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { REGISTRY_USER } from '../config/registry.ts';
import { NomadLabError } from '../errors.ts';
import { ensureSecret, readLabSecret, type SecretKind } from './private-file.ts';

/** The lab registry's credentials: one user, its password, and the htpasswd line the registry checks it against. */
export interface RegistryCredentials {
  user: string;
  password: string;
  /** `nomadlab:$2b$10$...`: bcrypt, which is all the registry's htpasswd auth reads. */
  htpasswd: string;
}

const REPLACE =
  'remove registry.password and registry.htpasswd, then `nomad-lab up` makes a new password (jobs with the old ' +
  'one in their auth block fail to pull)';

export const REGISTRY_PASSWORD: SecretKind = {
  file: 'registry.password',
  what: 'registry password',
  noun: 'password',
  pattern: /^[A-Za-z0-9_-]{20,64}$/,
  form: 'password (20 to 64 letters, digits, "_" and "-")',
  replace: REPLACE,
  make: () => randomBytes(24).toString('base64url'),
};

// bcryptjs: bcrypt in plain JavaScript (no native build); its salt is random, so the line is made once and kept.
const htpasswdKind = (password: string): SecretKind => ({
  file: 'registry.htpasswd',
  what: 'registry htpasswd line',
  noun: 'htpasswd line',
  pattern: /^[a-z]+:\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/,
  form: 'htpasswd line (USER:$2b$...)',
  replace: REPLACE,
  make: () => `${REGISTRY_USER}:${bcrypt.hashSync(password, 10)}`,
});

/** The registry's credentials, made the first time; an htpasswd line that no longer fits the password is an error. */
export async function ensureRegistryCredentials(stateDir: string): Promise<RegistryCredentials> {
  const password = await ensureSecret(stateDir, REGISTRY_PASSWORD);
  return checked(stateDir, password, await ensureSecret(stateDir, htpasswdKind(password)));
}

/** The registry's credentials as `up` left them; undefined when it has not made them. */
export async function readRegistryCredentials(stateDir: string): Promise<RegistryCredentials | undefined> {
  const password = await readLabSecret(stateDir, REGISTRY_PASSWORD);
  if (password === undefined) return undefined;
  const line = await readLabSecret(stateDir, htpasswdKind(password));
  return line === undefined ? undefined : checked(stateDir, password, line);
}

function checked(stateDir: string, password: string, line: string): RegistryCredentials {
  const [user = '', hash = ''] = line.split(':');
  if (user !== REGISTRY_USER || !bcrypt.compareSync(password, hash))
    throw new NomadLabError(`registry.htpasswd in ${stateDir} is not for user ${REGISTRY_USER}'s password: ${REPLACE}`);
  return { user, password, htpasswd: line };
}
