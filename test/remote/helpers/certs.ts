import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Throwaway certificates for tests, made with the host's openssl at test time: a CA, and pairs it signs.

export interface TestPair {
  cert: string;
  key: string;
}

export interface TestCa extends TestPair {
  /** A certificate signed by this CA, holding `names` (`IP:127.0.0.1`, `DNS:server.global.nomad`). */
  sign(cn: string, names: readonly string[]): TestPair;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeCa(name = 'test-ca'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'nomad-lab-certs-'));
  const file = (f: string) => join(dir, f);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('ca-key.pem'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
  ]);
  const ca = { cert: readFileSync(file('ca.pem'), 'utf8'), key: readFileSync(file('ca-key.pem'), 'utf8') };
  let serial = 0;
  return {
    ...ca,
    sign(cn, names) {
      const n = ++serial;
      writeFileSync(file(`${n}.ext`), `subjectAltName=${names.join(',')}\n`);
      openssl(['req', ...EC, '-keyout', file(`${n}-key.pem`), '-out', file(`${n}.csr`), '-subj', `/CN=${cn}`]);
      openssl([
        'x509',
        '-req',
        '-in',
        file(`${n}.csr`),
        '-CA',
        file('ca.pem'),
        '-CAkey',
        file('ca-key.pem'),
        '-set_serial',
        String(n),
        '-days',
        '1',
        '-extfile',
        file(`${n}.ext`),
        '-out',
        file(`${n}.pem`),
      ]);
      return { cert: readFileSync(file(`${n}.pem`), 'utf8'), key: readFileSync(file(`${n}-key.pem`), 'utf8') };
    },
  };
}
