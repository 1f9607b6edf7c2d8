import type { CheckResult, VerifyReport } from './result.ts';
import { xmlAttribute, xmlText } from './xml.ts';

// Renderers only: strings out, the CLI decides where they go.

export interface TableOptions {
  /** `ok` / `FAIL` instead of ✔ / ✘, for terminals and logs without Unicode. */
  ascii?: boolean;
}

/** One line per check (a failure says what was expected and what came back), then `N passed, M failed`. */
export function renderTable(report: VerifyReport, options: TableOptions = {}): string {
  const [pass, fail] = options.ascii ? ['ok  ', 'FAIL'] : ['✔', '✘'];
  const width = Math.max(0, ...report.results.map((r) => r.name.length));
  const lines = report.results.map((r) => {
    // A reason quoted from a server may span lines; the table keeps one line per check.
    const detail = (r.ok ? r.actual : `expected ${r.expected}, got ${r.actual}`).replace(/\s*\n\s*/g, ' ');
    const via = r.via === undefined ? '' : `, ${r.via === 'ssh' ? 'via ssh' : 'direct'}`;
    return `${r.ok ? pass : fail} ${r.name.padEnd(width)}  ${detail} (${r.durationMs} ms${via})`;
  });
  if (lines.length === 0) lines.push('no checks: the cluster file lists no services');
  if (report.reach)
    lines.unshift(
      `reached ${report.reach.via === 'ssh' ? "through each node's SSH session" : 'directly'}: ${report.reach.reason}`,
      '',
    );
  return `${lines.join('\n')}\n\n${summary(report)}\n`;
}

export function summary(report: Pick<VerifyReport, 'passed' | 'failed'>): string {
  return `${report.passed} passed, ${report.failed} failed`;
}

/** The report as it is, for `--json`. */
export function renderJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export interface JunitOptions {
  /** The testsuite's name, e.g. the lab's. */
  suiteName?: string;
  /** When the run started; left out by default so the same report renders the same file. */
  timestamp?: Date;
}

/** JUnit XML: one <testcase> per check (classname: the service), a <failure> with the details for each failed one. */
export function renderJunit(report: VerifyReport, options: JunitOptions = {}): string {
  const suite = options.suiteName ?? 'nomad-lab verify';
  const counts = `tests="${report.results.length}" failures="${report.failed}" errors="0"`;
  const time = `time="${seconds(report.durationMs)}"`;
  const stamp = options.timestamp ? ` timestamp="${options.timestamp.toISOString().replace(/\.\d{3}Z$/, '')}"` : '';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttribute(suite)}" ${counts} ${time}>`,
    `  <testsuite name="${xmlAttribute(suite)}" ${counts} skipped="0" ${time}${stamp}>`,
    ...report.results.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(r: CheckResult): string {
  const open =
    `    <testcase ` +
    `classname="${xmlAttribute(r.service)}" name="${xmlAttribute(r.name)}" time="${seconds(r.durationMs)}"`;
  if (r.ok) return `${open}/>`;
  const details = [`expected: ${r.expected}`, `actual: ${r.actual}`, ...(r.node ? [`node: ${r.node}`] : [])].join('\n');
  const message = r.message ?? `expected ${r.expected}, got ${r.actual}`;
  return [
    `${open}>`,
    `      <failure message="${xmlAttribute(message)}" type="VerifyFailure">${xmlText(details)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
