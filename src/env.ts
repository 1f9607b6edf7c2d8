// Every environment variable nomad-lab reads, in one place (README: "Environment").
import { isAbsolute } from 'node:path';
import { LIMITS } from './config/limits.ts';
import { NomadLabError } from './errors.ts';
import { hasControlCharacter, quote } from './text.ts';

const read = (name: string): string | undefined => process.env[name] || undefined;

/** A value a person could have set by mistake, refused with the variable's name rather than used. */
function refuse(name: string, value: string, expected: string): never {
  throw new NomadLabError(`environment variable ${name}=${quote(value)}: ${expected}; fix or unset it`);
}

function path(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > LIMITS.pathChars)
    refuse(name, value, `a path of at most ${LIMITS.pathChars} characters, this one has ${value.length}`);
  if (hasControlCharacter(value)) refuse(name, value, 'a path without control or invisible characters');
  return value;
}

function absolutePath(name: string, value: string | undefined): string | undefined {
  const checked = path(name, value);
  if (checked !== undefined && !isAbsolute(checked)) refuse(name, checked, 'an absolute path');
  return checked;
}

function url(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (
    value.length > LIMITS.pathChars ||
    hasControlCharacter(value) ||
    (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:')
  ) {
    refuse(name, value, `an http:// or https:// URL of at most ${LIMITS.pathChars} characters`);
  }
  return value;
}

export const env = {
  /** Where downloaded and built things are kept (default: `$XDG_CACHE_HOME/nomad-lab`, else `~/.cache/nomad-lab`). */
  cacheDir: () => absolutePath('NOMAD_LAB_CACHE', read('NOMAD_LAB_CACHE')),
  /** A relative value is ignored, as the XDG specification says. */
  xdgCacheHome: () => {
    const value = path('XDG_CACHE_HOME', read('XDG_CACHE_HOME'));
    return value !== undefined && isAbsolute(value) ? value : undefined;
  },
  /** The Debian mirror debootstrap builds the node image from. */
  debianMirror: () => url('NOMAD_LAB_DEBIAN_MIRROR', read('NOMAD_LAB_DEBIAN_MIRROR')),
  /** HashiCorp's release archives (or a mirror of them). */
  releasesUrl: () => url('NOMAD_LAB_RELEASES_URL', read('NOMAD_LAB_RELEASES_URL')),
  /** The SSH agent, for existing hosts without a key file. */
  sshAuthSock: () => path('SSH_AUTH_SOCK', read('SSH_AUTH_SOCK')),
  /** Set by CI systems: plain progress lines instead of the live renderer. */
  ci: () => Boolean(read('CI')),
};
