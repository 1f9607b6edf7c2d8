import test from 'ava';
import { formatStatus, summarize, table } from '../../src/cli/format.ts';
import { parseCluster } from '../../src/config/load.ts';
import type { LabStatus } from '../../src/status.ts';

test('a table cell is one line, its control characters escaped, and the columns still align', (t) => {
  t.is(
    table(['JOB', 'STATUS'], [['\u001b[2Jevil\nline', 'running'], ['web', 'dead']]),
    ['JOB                      STATUS', '\\u001b[2Jevil\\u000aline  running', 'web                      dead'].join('\n'),
  );
});

test('status: names from the lab reach the table escaped', (t) => {
  const status = {
    machines: [{ node: 'server', state: 'running', detail: 'running' }],
    urls: { nomadUi: 'http://10.77.0.10:4646/ui/', consulUi: 'http://10.77.0.10:8500/ui/' },
    consul: [],
    nomad: { leader: '10.77.0.10:4647', servers: [], clients: [], jobs: [{ id: 'job\u001b]0;title\u0007', type: 'service', status: 'running' }], allocations: [] },
    problems: [],
  } as unknown as LabStatus;
  t.regex(formatStatus(status), /\njob\\u001b\]0;title\\u0007 {2}service {2}running$/m);
  // eslint-disable-next-line no-control-regex -- no raw control character may be left
  t.notRegex(formatStatus(status), /[\u0000-\u0009\u000b-\u001f]/);
});

test('the summary counts dns lookups when the file has some', (t) => {
  const text = 'version: 1\nnetwork: { cidr: 10.9.0.0/24 }\nnodes:\n  - { name: a, role: both, address: 10.9.0.2 }\n';
  const summary = (more: string) =>
    summarize({ file: 'x.yaml', ...parseCluster(`${text}${more}`, { displayName: 'x.yaml', baseDir: '.' }) });
  const base = '1 node (1 server+client), 0 jobs, 0 services to verify';
  t.is(summary(''), base);
  t.is(summary('dns: [{ name: a.node.consul, type: A }]\n'), `${base}, 1 DNS lookup`);
});
