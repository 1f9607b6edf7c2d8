import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { loadCluster } from '../../src/config/load.ts';
import { JSON_SCHEMA_FILE, renderJsonSchema } from '../../src/config/json-schema.ts';
import { ConfigError } from '../../src/errors.ts';

// The JSON Schema editors use (yaml-language-server) is generated from the loader's zod
// schema; these tests hold it against the same files the loader's own tests use.

// Formats are off: every `format` zod writes comes with a `pattern` that says the same.
// strictRequired is off: an image's `oneOf: [{required: [recipe]}, {required: [tarball]}]` names properties defined
// beside it.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, validateFormats: false });
const validate = ajv.compile(JSON.parse(readFileSync(JSON_SCHEMA_FILE, 'utf8')) as object);

const errorsOf = (data: unknown) =>
  validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);

test(`${JSON_SCHEMA_FILE} is what \`npm run schema\` generates now`, (t) => {
  t.is(
    readFileSync(JSON_SCHEMA_FILE, 'utf8'),
    renderJsonSchema(),
    'run `npm run schema` after changing src/config/schema.ts',
  );
});

const examples = ['cluster.yaml', ...readdirSync('examples').map((f) => `examples/${f}`)];

for (const file of examples) {
  test(`${file} is valid under the JSON Schema and names it for editors`, (t) => {
    const text = readFileSync(file, 'utf8');
    t.deepEqual(errorsOf(parse(text)), []);
    t.regex(text.split('\n', 1)[0]!, /^# yaml-language-server: \$schema=(\.\.\/)?schema\/cluster\.schema\.json$/);
  });
}

// YAML that does not parse: an editor flags it as YAML before any schema applies (the alias ones: too many
// aliases, or one with no anchor, which the YAML parser itself refuses).
const NOT_YAML = new Set([
  'duplicate-yaml-key',
  'tab-indentation',
  'unclosed-quote',
  'alias-billion-laughs',
  'alias-over-limit',
  'alias-without-anchor',
]);

// Invalid for reasons the generated JSON Schema does not express, so it accepts them and only
// the loader (semantic.ts, or a zod refine) rejects them. Each reason says why.
const SEMANTIC: Record<string, string> = {
  'address-outside-network': 'needs CIDR arithmetic between two values (node address inside network.cidr)',
  'cidr-host-bits': 'needs CIDR arithmetic (the address part must be the network address for its prefix)',
  'gateway-address': "compares a node address with the network's first address, computed from network.cidr",
  'duplicate-address': 'uniqueness of one property across list items (uniqueItems compares whole items)',
  'duplicate-node-name': 'uniqueness of one property across list items (uniqueItems compares whole items)',
  'missing-job-file': 'the file system: the job file must exist beside the cluster file',
  'service-of-unknown-job': 'a reference between lists: services[].job must name an item of jobs[]',
  'registry-no-such-node': 'a reference into a list: registry.node must name an item of nodes[]',
  'dns-other-datacenter': "compares a value with another (the datacenter in a dns name with the lab's datacenter)",
  'dns-duplicate-lookup': 'uniqueness of two properties across list items (uniqueItems compares whole items)',
  // These two a JSON Schema could say with if/then, but zod has no conditional to generate it from.
  'volumes-on-server': 'depends on a sibling value (host_volumes only on a node whose role runs a Nomad client)',
  'drivers-on-server': 'depends on a sibling value (drivers only on a node whose role runs a Nomad client)',
  'no-driver-enabled': "merges the lab-wide drivers with each node's own before counting the enabled ones",
  'ssh-on-vagrant-node': 'depends on another branch of the file (nodes[].ssh only when provider.type is ssh)',
  'mode-dev-three-nodes': 'depends on another branch of the file (one node of role both, no security, with mode dev)',
  'mode-container-server-only': 'depends on another branch of the file (one node of role both, with mode container)',
  // zod refinements in code, which a generated JSON Schema does not carry.
  'control-character-in-job-file': 'a refine in code: no control characters in a path',
  'host-volume-ssh-folder': 'a refine in code: system and hidden folders refused as host volumes',
  'host-volume-system-folder': 'a refine in code: system and hidden folders refused as host volumes',
  'ssh-host-octal': 'a refine in code: an address in a loose form (octal, hex) that resolvers read as another address',
  'ssh-host-not-an-address': "a refine in code: numbers out of IPv4's range, or dotted numbers that are no address",
  'cidr-loopback': 'needs CIDR arithmetic (the network must not overlap a reserved range)',
  'cidr-docker-bridge': 'needs CIDR arithmetic (the network must not overlap a network Docker makes)',
  'cidr-netmask': 'needs CIDR arithmetic (the address part must not be a netmask)',
  'dns-name-no-kind': 'a refine in code: how Consul reads the labels of a name (a kind of lookup after the first)',
  'duration-overflow': "a refine in code: the duration's length, which its pattern cannot bound",
  'host-volume-nix-store': 'a refine in code: system and hidden folders refused as host volumes',
  'job-file-outside-folder': "the file system: a file sent to the nodes must be in the cluster file's folder",
  'job-file-in-proc': 'the file system: /proc holds no data files',
  'ssh-key-device': 'the file system: /dev holds no data files',
  'allow-from-root': 'the file system: a folder files may come from must not hold the home folder',
  // In JSON (the data an editor validates) 1.0 and 1 are one number; only the YAML text tells them apart.
  'version-written-as-decimal': 'the YAML source: 1.0 and 1 are the same number once parsed',
};

const fixtures = readdirSync('test/fixtures/invalid')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -5));

test('every invalid fixture is accounted for: schema error, YAML error, or a listed semantic reason', (t) => {
  t.true(fixtures.length > 20);
  for (const name of [...NOT_YAML, ...Object.keys(SEMANTIC)])
    t.true(fixtures.includes(name), `${name} is listed but has no fixture`);
});

for (const name of fixtures) {
  const file = `test/fixtures/invalid/${name}.yaml`;
  if (NOT_YAML.has(name)) {
    test(`${name} is not YAML an editor accepts`, (t) => {
      t.throws(() => {
        parse(readFileSync(file, 'utf8'));
      });
    });
  } else if (name in SEMANTIC) {
    test(`${name} passes the JSON Schema (${SEMANTIC[name]}) and the loader rejects it`, async (t) => {
      t.deepEqual(errorsOf(parse(readFileSync(file, 'utf8'))), []);
      await t.throwsAsync(loadCluster(file), { instanceOf: ConfigError });
    });
  } else {
    test(`${name} fails the JSON Schema`, (t) => {
      t.not(errorsOf(parse(readFileSync(file, 'utf8'))).length, 0);
    });
  }
}
