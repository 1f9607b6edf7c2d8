import { StringDecoder } from 'node:string_decoder';
import pMap from 'p-map';
import type { NodeSpec } from '../config/schema.ts';
import { NomadLabError, VerifyError } from '../errors.ts';
import { quote } from '../text.ts';
import type {
  AllocMetric,
  Allocation,
  AllocationStub,
  Evaluation,
  JobListStub,
  JobSpecJson,
  JobSummary,
  TaskEvent,
} from './allocations.ts';
import { failureEvent } from './allocations.ts';
import type { NomadReader } from './lab-nomad.ts';

// `alloc status` and `alloc logs`, as Nomad's CLI names them: a job's allocations as rows, why some could not be
// placed, and whose logs to read. The functions that ask Nomad take a NomadReader; the rest only turn its JSON
// into values.

/** A node of the cluster file, for its lab address. */
export type LabNode = Pick<NodeSpec, 'name' | 'address'>;

/** An allocation's ID as Nomad's CLI shows it: its first 8 characters. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A port of an allocation: `label` on the host at address:port, `to` inside the task's network (bridge mode). */
export interface AllocPort {
  label: string;
  address: string;
  port: number;
  to?: number;
}

export interface TaskRow {
  task: string;
  /** pending, running or dead. */
  state: string;
  failed: boolean;
  /** The task's last event (for a failed task, the event that says why); its time in ISO 8601 (UTC, whole seconds). */
  lastEvent?: { type: string; message: string; time?: string };
}

export interface AllocRow {
  id: string;
  group: string;
  node: string;
  /** The node's lab address from the cluster file; '' for a node the file does not name. */
  address: string;
  ports: AllocPort[];
  desired: string;
  status: string;
  tasks: TaskRow[];
}

export interface AllocStatus {
  job: string;
  /** Newest first. */
  allocations: AllocRow[];
  /** A line per group that has allocations Nomad could not place, with Nomad's own reasons. */
  placementFailures: string[];
}

/** The ports of the allocation's group networks (AllocatedResources), or of its older Resources when it has none. */
export function allocPorts(alloc: Allocation, nodeAddress = ''): AllocPort[] {
  const shared = alloc.AllocatedResources?.Shared?.Networks ?? [];
  const networks = shared.length > 0 ? shared : (alloc.Resources?.Networks ?? []);
  return networks.flatMap((network) =>
    [...(network.ReservedPorts ?? []), ...(network.DynamicPorts ?? [])].map((p) => ({
      label: p.Label,
      address: network.IP || nodeAddress,
      port: p.Value,
      ...(p.To !== undefined && p.To > 0 ? { to: p.To } : {}),
    })),
  );
}

/** Unix nanoseconds as `2025-06-01T10:12:03Z`. */
export function eventTime(nanoseconds: number): string {
  return new Date(Math.floor(nanoseconds / 1e6)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function lastEvent(event: TaskEvent): NonNullable<TaskRow['lastEvent']> {
  const message = event.DisplayMessage || event.Message || '';
  return { type: event.Type, message, ...(event.Time ? { time: eventTime(event.Time) } : {}) };
}

/** Each task's state and last event (a failed task's: why it failed), by task name. */
export function taskRows(alloc: AllocationStub): TaskRow[] {
  return Object.entries(alloc.TaskStates ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([task, state]) => {
      const event = state.Failed ? failureEvent(state.Events) : state.Events?.at(-1);
      return { task, state: state.State, failed: state.Failed, ...(event ? { lastEvent: lastEvent(event) } : {}) };
    });
}

/** Newest first, as `nomad job status` lists them. */
export function newestFirst<T extends AllocationStub>(allocations: readonly T[]): T[] {
  return [...allocations].sort((a, b) => (b.CreateIndex ?? 0) - (a.CreateIndex ?? 0));
}

/** A row per allocation, newest first; `nodes` are the cluster file's, for each node's lab address. */
export function allocRows(allocations: readonly Allocation[], nodes: readonly LabNode[]): AllocRow[] {
  return newestFirst(allocations).map((alloc) => {
    const address = nodes.find((n) => n.name === alloc.NodeName)?.address ?? '';
    return {
      id: alloc.ID,
      group: alloc.TaskGroup,
      node: alloc.NodeName,
      address,
      ports: allocPorts(alloc, address),
      desired: alloc.DesiredStatus,
      status: alloc.ClientStatus,
      tasks: taskRows(alloc),
    };
  });
}

const sortedEntries = (map: Record<string, number> | null | undefined) =>
  Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));

/** Why the scheduler placed nothing, in the words of `nomad job status` (its map entries sorted). */
export function placementReasons(metric: AllocMetric): string[] {
  const reasons: string[] = [];
  if (metric.NodesEvaluated === 0) reasons.push('No nodes were eligible for evaluation');
  for (const [dc, n] of sortedEntries(metric.NodesAvailable)) {
    if (n === 0) reasons.push(`No nodes are available in datacenter ${JSON.stringify(dc)}`);
  }
  const each = (map: Record<string, number> | null | undefined, say: (key: string, n: number) => string) =>
    reasons.push(...sortedEntries(map).map(([key, n]) => say(JSON.stringify(key), n)));
  each(metric.ClassFiltered, (c, n) => `Class ${c}: ${n} nodes excluded by filter`);
  each(metric.ConstraintFiltered, (c, n) => `Constraint ${c}: ${n} nodes excluded by filter`);
  if (metric.NodesExhausted > 0) reasons.push(`Resources exhausted on ${metric.NodesExhausted} nodes`);
  each(metric.ClassExhausted, (c, n) => `Class ${c} exhausted on ${n} nodes`);
  each(metric.DimensionExhausted, (d, n) => `Dimension ${d} exhausted on ${n} nodes`);
  for (const quota of metric.QuotaExhausted ?? []) reasons.push(`Quota limit hit ${JSON.stringify(quota)}`);
  return reasons;
}

const allocations = (n: number) => `${n} allocation${n === 1 ? '' : 's'}`;

/**
 * A line per group with allocations not placed: those the job summary counts as queued, and while an evaluation is
 * blocked (waiting for room), those of the newest evaluation that failed to place some; with that evaluation's
 * reasons, e.g. `web.web: 1 allocation not placed: Resources exhausted on 2 nodes; Dimension "..." exhausted on
 * 2 nodes`.
 */
export function placementFailures(
  jobId: string,
  summary: JobSummary | undefined,
  evaluations: readonly Evaluation[],
): string[] {
  const failed = evaluations
    .filter((e) => Object.keys(e.FailedTGAllocs ?? {}).length > 0)
    .sort((a, b) => b.CreateIndex - a.CreateIndex)[0];
  const blocked = evaluations.some((e) => e.Status === 'blocked');
  const queued = (group: string) => summary?.Summary?.[group]?.Queued ?? 0;
  const groups = new Set([
    ...Object.keys(summary?.Summary ?? {}).filter((g) => queued(g) > 0),
    ...(blocked && failed ? Object.keys(failed.FailedTGAllocs ?? {}) : []),
  ]);
  return [...groups].sort().map((group) => {
    const metric = failed?.FailedTGAllocs?.[group];
    if (!metric) return `${jobId}.${group}: ${allocations(queued(group))} queued, not placed yet`;
    const count = queued(group) || failed?.QueuedAllocations?.[group] || (metric.CoalescedFailures ?? 0) + 1;
    const reasons = placementReasons(metric).join('; ') || 'Nomad gave no reason';
    return `${jobId}.${group}: ${allocations(count)} not placed: ${reasons}`;
  });
}

/** Whose logs to read: an allocation (full ID), its node, and the task. */
export interface LogTarget {
  id: string;
  node: string;
  task: string;
}

/** `[3f2a9c1d client1]`: what labels an allocation's log lines. */
export function logLabel(target: Pick<LogTarget, 'id' | 'node'>): string {
  return `[${shortId(target.id)} ${target.node}]`;
}

export interface LogChoice {
  /** The task; may be left out where each chosen allocation's group has one. */
  task?: string;
  /** An ID prefix: this allocation, whatever its desired status, instead of those that are to run. */
  alloc?: string;
}

/** `web, sidecar`, or per group when the job has several: `group web: nginx, sidecar; group db: redis`. */
function taskList(groups: readonly { Name: string; Tasks?: { Name: string }[] | null }[]): string {
  const names = (g: (typeof groups)[number]) => (g.Tasks ?? []).map((t) => t.Name).join(', ') || 'none';
  return groups.length === 1 ? names(groups[0]!) : groups.map((g) => `group ${g.Name}: ${names(g)}`).join('; ');
}

function allocByPrefix(jobId: string, allocs: readonly AllocationStub[], prefix: string): AllocationStub {
  const matches = allocs.filter((a) => a.ID.startsWith(prefix.toLowerCase()));
  const listed = (list: readonly AllocationStub[]) =>
    list.map((a) => `${shortId(a.ID)} (${a.NodeName}, ${a.DesiredStatus}/${a.ClientStatus})`).join(', ');
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const known = allocs.length === 0 ? 'it has none' : `its allocations: ${listed(allocs)}`;
    throw new NomadLabError(`${jobId} has no allocation whose ID starts with ${quote(prefix)}; ${known}`);
  }
  throw new NomadLabError(
    `--alloc ${prefix} names ${matches.length} allocations of ${jobId} (${listed(matches)}): give more of the ID`,
  );
}

/**
 * The allocations to read logs of (those to run, or the one `--alloc` names) and each one's task: the one named,
 * or its group's only task. A NomadLabError says what to name instead.
 */
export function logTargets(job: JobSpecJson, allocs: readonly AllocationStub[], choice: LogChoice = {}): LogTarget[] {
  const chosen =
    choice.alloc === undefined
      ? allocs.filter((a) => a.DesiredStatus === 'run')
      : [allocByPrefix(job.ID, allocs, choice.alloc)];
  if (allocs.length === 0) {
    throw new NomadLabError(`${job.ID} has no allocations: \`nomad-lab alloc status ${job.ID}\` says why`);
  }
  if (chosen.length === 0) {
    throw new NomadLabError(
      `${job.ID} has no allocation to run (${allocations(allocs.length)}, all stopped): ` +
        `\`nomad-lab alloc status ${job.ID}\` lists them, and \`--alloc ID\` reads a stopped one's logs`,
    );
  }
  const groups = job.TaskGroups ?? [];
  const tasksOf = (group: string) => groups.find((g) => g.Name === group)?.Tasks?.map((t) => t.Name) ?? [];
  const { task } = choice;
  if (task !== undefined) {
    const having = chosen.filter((a) => tasksOf(a.TaskGroup).includes(task));
    if (having.length > 0) return having.map((a) => ({ id: a.ID, node: a.NodeName, task }));
    const [{ ID, TaskGroup }] = chosen as [AllocationStub];
    const [what, where] =
      choice.alloc === undefined
        ? [job.ID, groups]
        : [`allocation ${shortId(ID)} (group ${TaskGroup})`, groups.filter((g) => g.Name === TaskGroup)];
    throw new NomadLabError(`${what} has no task ${quote(task)}; its tasks: ${taskList(where)}`);
  }
  return chosen.map((a) => {
    const tasks = tasksOf(a.TaskGroup);
    if (tasks.length === 1) return { id: a.ID, node: a.NodeName, task: tasks[0]! };
    throw new NomadLabError(
      `group ${a.TaskGroup} of ${job.ID} has ${tasks.length} tasks (${tasks.join(', ') || 'none'}): name one, ` +
        `e.g. \`nomad-lab alloc logs ${job.ID} ${tasks[0] ?? 'TASK'}\``,
    );
  });
}

export type LogType = 'stdout' | 'stderr';

/** Nomad's logs endpoint for a target: from the start, plain text, and with `follow` kept open for what comes. */
export function logsPath(target: LogTarget, type: LogType, follow: boolean): string {
  const query = new URLSearchParams({ task: target.task, type, origin: 'start', offset: '0', plain: 'true' });
  if (follow) query.set('follow', 'true');
  return `/v1/client/fs/logs/${encodeURIComponent(target.id)}?${query.toString()}`;
}

/** The longest line kept waiting for its end; a longer one is passed on in parts. */
const MAX_PARTIAL_CHARS = 64 * 1024;

/** Puts a label before each line of a log that comes in pieces; a line is passed on once it is whole. */
export class LineLabeller {
  private partial = '';

  constructor(private readonly label: string) {}

  /** The lines `text` completes, each labelled and ending in a newline; the unfinished rest waits for more. */
  push(text: string): string {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    while (this.partial.length > MAX_PARTIAL_CHARS) {
      lines.push(this.partial.slice(0, MAX_PARTIAL_CHARS));
      this.partial = this.partial.slice(MAX_PARTIAL_CHARS);
    }
    return lines.map((line) => `${this.label} ${line}\n`).join('');
  }

  /** What is left of an unfinished last line, labelled, when the log ends. */
  end(): string {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? '' : `${this.label} ${rest}\n`;
  }
}

const jobPath = (jobId: string) => `/v1/job/${encodeURIComponent(jobId)}`;

/** `no job "x" in the lab; its jobs: a, b`. */
export function missingJobMessage(jobId: string, jobs: readonly JobListStub[]): string {
  const known =
    jobs.length === 0
      ? "it runs no jobs (`nomad-lab up` registers the cluster file's)"
      : `its jobs: ${jobs
          .map((j) => j.ID)
          .sort()
          .join(', ')}`;
  return `no job ${quote(jobId)} in the lab; ${known}`;
}

/** The job, or a NomadLabError naming the jobs there are. */
export async function readJob(api: NomadReader, jobId: string): Promise<JobSpecJson> {
  const job = await api.find<JobSpecJson>(jobPath(jobId));
  if (job) return job;
  throw new NomadLabError(missingJobMessage(jobId, await api.get<JobListStub[]>('/v1/jobs')));
}

/** How many allocations are read at once (each is one request). */
const AT_ONCE = 4;

/** The job's allocations, each read whole for its ports, and why any could not be placed. */
export async function allocStatus(api: NomadReader, jobId: string, nodes: readonly LabNode[]): Promise<AllocStatus> {
  const job = await readJob(api, jobId);
  const path = jobPath(job.ID);
  const [stubs, summary, evaluations] = await Promise.all([
    api.get<AllocationStub[]>(`${path}/allocations`),
    api.find<JobSummary>(`${path}/summary`),
    api.get<Evaluation[]>(`${path}/evaluations`),
  ]);
  // One collected between the list and its reading is shown as the list has it.
  const read = async (stub: AllocationStub) =>
    (await api.find<Allocation>(`/v1/allocation/${encodeURIComponent(stub.ID)}`)) ?? stub;
  const allocations = await pMap(stubs, read, { concurrency: AT_ONCE });
  return {
    job: job.ID,
    allocations: allocRows(allocations, nodes),
    placementFailures: placementFailures(job.ID, summary, evaluations),
  };
}

/** The allocations whose logs `alloc logs` reads, newest first, and their tasks. */
export async function jobLogTargets(api: NomadReader, jobId: string, choice: LogChoice): Promise<LogTarget[]> {
  const job = await readJob(api, jobId);
  return logTargets(job, newestFirst(await api.get<AllocationStub[]>(`${jobPath(job.ID)}/allocations`)), choice);
}

export interface ReadLogsOptions {
  type: LogType;
  follow: boolean;
  /** Ends a followed log. */
  signal?: AbortSignal;
  /** The log's text as it comes, whole characters; not yet escaped for a terminal. */
  onText: (text: string) => void;
}

/** A task's log through Nomad's API; a NomadLabError labelled with the allocation when Nomad refuses. */
export async function readLogs(api: NomadReader, target: LogTarget, options: ReadLogsOptions): Promise<void> {
  const { type, follow, signal, onText } = options;
  const decoder = new StringDecoder('utf8');
  const pass = (text: string) => {
    if (text !== '') onText(text);
  };
  try {
    const onData = (chunk: Buffer) => pass(decoder.write(chunk));
    await api.stream(logsPath(target, type, follow), onData, { follow, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    throw new NomadLabError(`${logLabel(target)} ${type} of task ${target.task}: ${error.reason}`, { cause: error });
  }
  pass(decoder.end());
}

/** `==> [3f2a9c1d client1] stdout of task whoami <==`: heads an allocation's log when several are read in turn. */
export function logHeader(target: LogTarget, type: LogType): string {
  return `==> ${logLabel(target)} ${type} of task ${target.task} <==`;
}

export interface JobLogsOptions extends Omit<ReadLogsOptions, 'onText'> {
  /** Where the text goes (not yet escaped for a terminal). */
  write: (text: string) => void;
  /** A log that could not be read; the others still are. */
  onError: (error: NomadLabError) => void;
}

/**
 * The logs of the targets: one as it is; several one after another, each under its logHeader, or when followed all
 * at once, each line labelled `[3f2a9c1d client1] `. Resolves with how many could not be read.
 */
export async function readJobLogs(
  api: NomadReader,
  targets: readonly LogTarget[],
  options: JobLogsOptions,
): Promise<number> {
  const { write, onError, ...read } = options;
  let failures = 0;
  const reading = (target: LogTarget, onText: (text: string) => void) =>
    readLogs(api, target, { ...read, onText }).catch((error: unknown) => {
      if (!(error instanceof NomadLabError)) throw error;
      failures++;
      onError(error);
    });
  if (targets.length === 1) {
    await reading(targets[0]!, write);
  } else if (read.follow) {
    await Promise.all(
      targets.map(async (target) => {
        const labeller = new LineLabeller(logLabel(target));
        await reading(target, (text) => write(labeller.push(text)));
        write(labeller.end());
      }),
    );
  } else {
    let lineStart = true;
    for (const [i, target] of targets.entries()) {
      if (read.signal?.aborted) break;
      write(`${lineStart ? '' : '\n'}${i === 0 ? '' : '\n'}${logHeader(target, read.type)}\n`);
      lineStart = true;
      await reading(target, (text) => {
        write(text);
        lineStart = text.endsWith('\n');
      });
    }
  }
  return failures;
}
