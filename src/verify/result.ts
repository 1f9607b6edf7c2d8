import type { Via } from './dialer.ts';

/** One thing verify proved or failed to prove, e.g. `whoami: SRV from client1`. */
export interface CheckResult {
  /** `<service>: <what> [from|on] <node>`; unique within a report. */
  name: string;
  service: string;
  /** The node asked (DNS, Consul HTTP) or answering (a port). */
  node?: string;
  ok: boolean;
  expected: string;
  actual: string;
  durationMs: number;
  /**
   * Which way the check's queries went: from this host, or through the node's SSH session (set when verify was told how
   * to reach the lab).
   */
  via?: Via;
  /** For a failure: the service, the node asked, what was expected and what came back, in one line. */
  message?: string;
}

export interface VerifyReport {
  /** True only when every check passed. */
  ok: boolean;
  passed: number;
  failed: number;
  durationMs: number;
  /** How the lab was reached, and why (set when verify was told how to reach the lab). */
  reach?: { via: Via; reason: string };
  results: CheckResult[];
}

/** Fields of a result; `message` is filled in for a failure from `subject`, which says what was asked where. */
export function checkResult(fields: Omit<CheckResult, 'message'> & { subject: string }): CheckResult {
  const { subject, ...result } = fields;
  return result.ok ? result : { ...result, message: `${subject}: expected ${result.expected}, got ${result.actual}` };
}

export function toReport(results: CheckResult[], durationMs: number): VerifyReport {
  const failed = results.filter((r) => !r.ok).length;
  return { ok: failed === 0, passed: results.length - failed, failed, durationMs, results };
}
