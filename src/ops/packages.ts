import type { PackageState } from '../facts/facts.ts';
import { script } from '../remote/quote.ts';
import { runChange, type Change } from './change.ts';

export interface WantedPackage {
  name: string;
  /** Upstream version the installed one must carry, e.g. 20.10.24 for 20.10.24+dfsg1-1+deb12u1. */
  version?: string;
}

/** Whether a Debian version string is the upstream `version` (epoch and Debian revision aside). */
export function versionMatches(installed: string, version: string): boolean {
  const upstream = installed.replace(/^\d+:/, '');
  return (
    upstream === version ||
    upstream.startsWith(`${version}+`) ||
    upstream.startsWith(`${version}-`) ||
    upstream.startsWith(`${version}~`)
  );
}

/**
 * Lists are refreshed first (images ship without them), tried again with backoff: the archive can answer
 * once with a bad signature or a dropped connection and be fine the next time. Downloads retry on their own.
 */
export const APT_UPDATE_TRIES = 4;
const APT_INSTALL =
  `for try in $(seq ${APT_UPDATE_TRIES}); do
  apt-get update -q && break
  [ "$try" ` +
  `-lt ${APT_UPDATE_TRIES} ] || { echo "apt-get update ` +
  `failed ${APT_UPDATE_TRIES} times; the archive's ` +
  `last answer is above" >&2; exit 100; }
  echo "apt-get update failed (try $try of ${APT_UPDATE_TRIES}); trying again in $((try * 2)) s" >&2
  sleep $((try * 2))
done
DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Acquire::Retries=3 --no-install-recommends "$@"`;

/** One apt-get install for the packages that are missing; a package at another version is a problem, not a change. */
export function planPackages(
  wanted: readonly WantedPackage[],
  state: ReadonlyMap<string, PackageState>,
): { changes: Change[]; problems: string[] } {
  const missing = wanted.filter((p) => !state.get(p.name)?.installed).map((p) => p.name);
  const problems = wanted.flatMap((p) => {
    const installed = state.get(p.name);
    return installed?.installed && p.version && !versionMatches(installed.version!, p.version)
      ? [`${p.name} ${installed.version} is installed, but cluster.yaml pins ${p.version}`]
      : [];
  });
  if (missing.length === 0) return { changes: [], problems };
  return {
    changes: [
      runChange(`install ${missing.join(', ')}`, script(APT_INSTALL, missing, `apt-get install ${missing.join(' ')}`), {
        reason: 'not installed',
      }),
    ],
    problems,
  };
}
