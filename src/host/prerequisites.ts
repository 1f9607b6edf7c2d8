import { installedVersion } from './debian.ts';
import { probe } from './run.ts';

/** One thing the host needs for a local lab, how to tell it is there, and how to get it. */
export interface Prerequisite {
  name: string;
  /** The Debian package that provides it, installed by `host prepare`. */
  debianPackage?: string;
  /** What a person runs to fix it. */
  fix: string;
  /** Needed for the default local lab; optional ones are only reported. */
  required: boolean;
  check(): Promise<{ ok: boolean; detail: string }>;
}

export interface PrerequisiteStatus {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  fix: string;
}

const firstLine = (text: string) => text.split('\n', 1)[0]!.trim();

function command(name: string, file: string, args: string[], debianPackage: string, required = true): Prerequisite {
  return {
    name,
    debianPackage,
    required,
    fix: `nomad-lab host prepare (or: apt-get install ${debianPackage})`,
    async check() {
      const result = await probe(file, args, { timeout: 15_000 });
      return result.ok
        ? { ok: true, detail: firstLine(result.stdout || result.stderr) }
        : { ok: false, detail: `${file} not found or not working` };
    },
  };
}

/** Minimum Go for building Consul and Nomad from source (Nomad 1.11 needs 1.25). */
export const MIN_GO = [1, 25] as const;

export const PREREQUISITES: readonly Prerequisite[] = [
  command('docker client', 'docker', ['--version'], 'docker.io'),
  // A host may ship a docker CLI alone (docker-in-docker images, this project's machine kind): the engine is its own
  // check.
  command('docker engine (dockerd)', 'dockerd', ['--version'], 'docker.io'),
  command('containerd', 'containerd', ['--version'], 'containerd'),
  command('runc', 'runc', ['--version'], 'runc'),
  {
    name: 'docker daemon',
    required: true,
    fix: 'nomad-lab host prepare (starts dockerd)',
    async check() {
      const result = await probe('docker', ['info', '--format', '{{.ServerVersion}} ({{.Driver}} storage)'], {
        timeout: 15_000,
      });
      return result.ok
        ? { ok: true, detail: `answers: ${firstLine(result.stdout)}` }
        : { ok: false, detail: `not answering: ${firstLine(result.stderr) || 'no reply'}` };
    },
  },
  command('vagrant', 'vagrant', ['--version'], 'vagrant'),
  command('debootstrap', 'debootstrap', ['--version'], 'debootstrap'),
  command('ssh client', 'ssh', ['-V'], 'openssh-client'),
  {
    name: 'static busybox',
    debianPackage: 'busybox-static',
    required: true,
    fix: 'nomad-lab host prepare (or: apt-get install busybox-static)',
    async check() {
      const version = await installedVersion('busybox-static');
      return version
        ? { ok: true, detail: `busybox-static ${version}` }
        : { ok: false, detail: 'busybox-static is not installed (the whoami image is built from it)' };
    },
  },
  {
    name: 'go toolchain',
    required: false,
    fix: `install Go ${MIN_GO.join('.')} or newer (only needed to build Consul and Nomad from source)`,
    async check() {
      const result = await probe('go', ['env', 'GOVERSION']);
      const match = /^go(\d+)\.(\d+)/.exec(result.stdout);
      if (!result.ok || !match) return { ok: false, detail: 'go not found' };
      const [major, minor] = [Number(match[1]), Number(match[2])];
      const recent = major > MIN_GO[0] || (major === MIN_GO[0] && minor >= MIN_GO[1]);
      return { ok: recent, detail: recent ? result.stdout : `${result.stdout} is older than go${MIN_GO.join('.')}` };
    },
  },
  command('dig (for people)', 'dig', ['-v'], 'dnsutils', false),
  // The test suite runs the zsh completion script in zsh; the lab itself does not need it.
  command('zsh (for the completion tests)', 'zsh', ['--version'], 'zsh', false),
];

export async function checkPrerequisites(list: readonly Prerequisite[] = PREREQUISITES): Promise<PrerequisiteStatus[]> {
  return Promise.all(list.map(async (p) => ({ name: p.name, required: p.required, fix: p.fix, ...(await p.check()) })));
}
