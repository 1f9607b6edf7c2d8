import type { Cluster } from '../config/load.ts';
import { NomadLabError } from '../errors.ts';
import { verifyOptionsFor } from '../lab-access.ts';
import { labReach, type LabReach } from '../lab-reach.ts';
import { defineStep, type Step } from '../pipeline/step.ts';
import { waitFor } from '../pipeline/wait.ts';
import type { Remote } from '../remote/remote.ts';
import type { VerifyOptions, VerifySpec } from '../verify/checks.ts';
import type { CheckResult, VerifyReport } from '../verify/result.ts';
import { verifyCluster } from '../verify/verify-cluster.ts';

/** Failing checks a progress line names; the rest are counted. */
const NAMED = 3;
/** Failure messages the step's error quotes; `nomad-lab verify` shows them all. */
const QUOTED = 5;

export interface VerifyLabOptions {
  /** What runs verify's checks (tests pass a fake). */
  verify?: (spec: VerifySpec, options: VerifyOptions) => Promise<VerifyReport>;
  /** How the checks reach the lab; by default as `verify.via` says, through `up`'s own sessions for `ssh`. */
  reach?: (cluster: Cluster, sessions: ReadonlyMap<string, Remote>) => Promise<LabReach>;
  timeoutMs?: number;
  intervalMs?: number;
}

const failing = (report: VerifyReport): CheckResult[] => report.results.filter((r) => !r.ok);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `waiting: 2 checks failing: whoami: SRV from client2, whoami: health`: the first few by name, the rest counted. */
export function waitingLine(report: VerifyReport): string {
  const names = failing(report).map((r) => r.name);
  const more = names.length > NAMED ? `, and ${names.length - NAMED} more` : '';
  return `waiting: ${plural(names.length, 'check')} failing: ${names.slice(0, NAMED).join(', ')}${more}`;
}

/** Why `up` gave up: the first few failures as verify words them, and where the whole report is. */
export function stillFailing(report: VerifyReport, timeoutMs: number): string {
  const failed = failing(report);
  const message = (r: CheckResult) => r.message ?? `${r.name}: expected ${r.expected}, got ${r.actual}`;
  // A reason quoted from a server may span lines; one line per check, as verify's table has it.
  const lines = failed.slice(0, QUOTED).map((r) => `  ${message(r).replace(/\s*\n\s*/g, ' ')}`);
  if (failed.length > QUOTED) lines.push(`  and ${failed.length - QUOTED} more`);
  const counts = `${failed.length} of ${plural(report.results.length, 'check')}`;
  return [
    `verify still fails after ${Math.round(timeoutMs / 1000)} s: ${counts} failing:`,
    ...lines,
    '`nomad-lab verify` shows the whole report.',
  ].join('\n');
}

/** `52 checks pass` (the title reads `verify the lab: 52 checks pass`), and the way when it is through SSH. */
export function passedSummary(report: VerifyReport): string {
  const way = report.reach?.via === 'ssh' ? ', through SSH' : '';
  return `${plural(report.results.length, 'check')} pass${report.results.length === 1 ? 'es' : ''}${way}`;
}

/**
 * The last step of `up`: verify's own checks (cluster, services, dns lookups), repeated until they pass, so a lab
 * `up` calls done is one `nomad-lab verify` passes. Reads only: no plan, `nomad-lab plan` passes over it.
 */
export function verifyLabStep(options: VerifyLabOptions = {}): Step<'remotes' | 'security'> {
  const {
    verify = verifyCluster,
    reach: reachOf = (cluster, sessions) => labReach(cluster, { sessions }),
    timeoutMs = 120_000,
    intervalMs = 2000,
  } = options;
  return defineStep({
    name: 'verify the lab',
    needs: ['remotes', 'security'],
    makes: [],
    async run(state, say) {
      const { reach, close } = await reachOf(state.cluster, state.remotes);
      const verifyOptions = { ...verifyOptionsFor(state.cluster, state.security), reach };
      let last: VerifyReport | undefined;
      try {
        await waitFor(
          "verify's checks to pass",
          async () => {
            last = undefined;
            last = await verify(state.cluster.spec, verifyOptions);
            return failing(last).map((r) => r.name);
          },
          { timeoutMs, intervalMs, onWaiting: () => last && say(waitingLine(last)) },
        );
      } catch (error) {
        // A run that ended in a report gets verify's own words; one that threw keeps the wait's.
        if (last && !last.ok) throw new NomadLabError(stillFailing(last, timeoutMs), { cause: error });
        throw error;
      } finally {
        await close();
      }
      return { summary: passedSummary(last!) };
    },
  });
}

export const verifyLab = verifyLabStep();
