import test from 'ava';
import { renderJson, renderJunit, renderTable } from '../../src/verify/report.ts';
import { toReport, type CheckResult } from '../../src/verify/result.ts';
import { xmlAttribute, xmlText } from '../../src/verify/xml.ts';

// Golden strings: what a person, a JSON consumer and a CI's JUnit reader get for one fixed report.

const results: CheckResult[] = [
  {
    name: 'whoami: SRV from server',
    service: 'whoami',
    node: 'server',
    ok: true,
    expected: '2 instances',
    actual: '2 instances',
    durationMs: 3,
  },
  {
    name: 'whoami: SRV from client1',
    service: 'whoami',
    node: 'client1',
    ok: false,
    expected: '2 instances',
    actual: '1 instance',
    durationMs: 12,
    message: 'whoami: SRV whoami.service.consul from 10.77.0.11:8600 (client1): expected 2 instances, got 1 instance',
  },
  {
    name: 'web: port 10.77.0.12:8080 on client2',
    service: 'web',
    node: 'client2',
    ok: false,
    expected: 'HTTP 200 from GET /',
    actual: `HTTP 500 <&"'>`,
    durationMs: 1500,
    message:
      `web: http check of 10.77.0.12:8080 (client2): expected HTTP 200 from GET /, got HTTP 500 ` +
      `<&"'>\nsecond line`,
  },
];
const report = toReport(results, 1520);

test('the report: ok only when nothing failed', (t) => {
  t.like(report, { ok: false, passed: 1, failed: 2, durationMs: 1520 });
  t.like(toReport(results.slice(0, 1), 3), { ok: true, passed: 1, failed: 0 });
});

test('table: one line per check, then the summary', (t) => {
  t.is(
    renderTable(report),
    `✔ whoami: SRV from server               2 instances (3 ms)
✘ whoami: SRV from client1              expected 2 instances, got 1 instance (12 ms)
✘ web: port 10.77.0.12:8080 on client2  expected HTTP 200 from GET /, got HTTP 500 <&"'> (1500 ms)

1 passed, 2 failed
`,
  );
});

test('table: plain text marks', (t) => {
  t.is(
    renderTable(toReport(results.slice(0, 2), 15), { ascii: true }),
    `ok   whoami: SRV from server   2 instances (3 ms)
FAIL whoami: SRV from client1  expected 2 instances, got 1 instance (12 ms)

1 passed, 1 failed
`,
  );
});

test('table: no services', (t) => {
  t.is(renderTable(toReport([], 0)), 'no checks: the cluster file lists no services\n\n0 passed, 0 failed\n');
});

test('json: the report itself', (t) => {
  const json = renderJson(report);
  t.true(json.endsWith('}\n'));
  t.deepEqual(JSON.parse(json), report);
  t.true(json.startsWith('{\n  "ok": false,\n  "passed": 1,\n  "failed": 2,\n  "durationMs": 1520,\n  "results": [\n'));
});

test('junit: one testcase per check, failures with escaped messages and details', (t) => {
  t.is(
    renderJunit(report, { suiteName: 'nomad-lab', timestamp: new Date('2026-11-24T10:00:00.123Z') }),
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nomad-lab" tests="3" failures="2" errors="0" time="1.520">
  <testsuite name="nomad-lab" tests="3" failures="2" errors="0" skipped="0" time="1.520" ` +
      `timestamp="2026-11-24T10:00:00">
    <testcase classname="whoami" name="whoami: SRV from server" time="0.003"/>
    <testcase classname="whoami" name="whoami: SRV from client1" time="0.012">
      <failure message="whoami: SRV whoami.service.consul from 10.77.0.11:8600 (client1): expected 2 instances, ` +
      `got 1 instance" type="VerifyFailure">expected: 2 instances
actual: 1 instance
node: client1</failure>
    </testcase>
    <testcase classname="web" name="web: port 10.77.0.12:8080 on client2" time="1.500">
      <failure message="web: http check of 10.77.0.12:8080 (client2): expected HTTP 200 from GET /, got HTTP ` +
      `500 &lt;&amp;&quot;&apos;&gt;&#10;second line" type="VerifyFailure">expected: HTTP 200 from GET /
actual: HTTP 500 &lt;&amp;&quot;&apos;&gt;
node: client2</failure>
    </testcase>
  </testsuite>
</testsuites>
`,
  );
});

test('junit: all passing, default suite name, no timestamp', (t) => {
  t.is(
    renderJunit(toReport(results.slice(0, 1), 3)),
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nomad-lab verify" tests="1" failures="0" errors="0" time="0.003">
  <testsuite name="nomad-lab verify" tests="1" failures="0" errors="0" skipped="0" time="0.003">
    <testcase classname="whoami" name="whoami: SRV from server" time="0.003"/>
  </testsuite>
</testsuites>
`,
  );
});

test('xml escaping: the five entities, characters XML cannot hold, line breaks in attributes', (t) => {
  t.is(xmlText(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
  t.is(
    xmlText('bell\u0007 nul\u0000 lone\uD800 pair\uD83D\uDE00 tab\t'),
    'bell\uFFFD nul\uFFFD lone\uFFFD pair\uD83D\uDE00 tab\t',
  );
  t.is(xmlAttribute('one\ntwo\r\tthree'), 'one&#10;two&#13;&#9;three');
});
