import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { NomadLabError } from '../errors.ts';
import { labStateDir } from '../host/dirs.ts';

/** Who holds a lab: written into the lock file, read by whoever is refused. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

/** Another nomad-lab process is changing the same lab. */
export class LabBusyError extends NomadLabError {
  override name = 'LabBusyError';

  constructor(
    readonly lab: string,
    readonly holder: LockHolder,
    readonly lockFile: string,
  ) {
    const head =
      `lab ${lab} is busy: ` +
      `\`nomad-lab ${holder.command}\` (pid ${holder.pid} on ${holder.host}) has held it since ${holder.startedAt}`;
    super(
      `${head}\nWait for it to finish, or stop it ` +
        `(kill ${holder.pid}) and run your command again. The lock is ${lockFile}.`,
      { shortMessage: head },
    );
  }
}

export interface LabLock {
  release(): Promise<void>;
}

/**
 * Takes the lab's lock for `command` (`up`, `down`, `reset`): at once, or a LabBusyError naming the process that
 * holds it. A lock left by a process that is gone is taken over, not obeyed forever.
 */
export async function lockLab(stateDir: string, lab: string, command: string): Promise<LabLock> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'lock');
  const me: LockHolder = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      return { release: () => releaseIfMine(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readHolder(file);
    if (holder && holderAlive(holder)) throw new LabBusyError(lab, holder, file);
    // Gone (or unreadable, as when a holder died while writing it): take it over.
    await rm(file, { force: true });
  }
  throw new NomadLabError(
    `could not take the lock ${file}: it keeps coming back; is another nomad-lab starting at the same moment?`,
  );
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string'
      ? {
          pid: parsed.pid,
          host: parsed.host,
          command: String(parsed.command ?? '?'),
          startedAt: String(parsed.startedAt ?? '?'),
        }
      : undefined;
  } catch {
    return undefined;
  }
}

/** A process on another host cannot be asked: its lock is honoured. On this host, signal 0 tells. */
function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function releaseIfMine(file: string): Promise<void> {
  const holder = await readHolder(file);
  if (holder?.pid === process.pid && holder.host === hostname()) await rm(file, { force: true });
}

/** Runs `work` holding the lab's lock; released afterwards, whatever happened. */
export async function withLabLock<T>(
  cluster: { dir: string; spec: { name: string } },
  command: string,
  work: () => Promise<T>,
): Promise<T> {
  const lock = await lockLab(labStateDir(cluster), cluster.spec.name, command);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
