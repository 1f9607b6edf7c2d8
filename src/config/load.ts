import { dirname, relative, resolve } from 'node:path';
import type * as z from 'zod';
import { ConfigError, NomadLabError, type ConfigIssue, type Severity } from '../errors.ts';
import { QUOTED_CHARS, quote, truncate } from '../text.ts';
import { LIMITS } from './limits.ts';
import { readBounded, type BoundedRead } from './local-files.ts';
import { allowedKeys } from './schema-walk.ts';
import { clusterSchema, type ClusterSpec } from './schema.ts';
import { checkCluster, type Finding } from './semantic.ts';
import { lowerFirst, suggest } from './suggest.ts';
import { YamlSource, type KeyPath, type Position } from './yaml-source.ts';

/** A loaded, validated cluster file with every default filled in. */
export interface Cluster {
  /** Absolute path of the cluster file. */
  file: string;
  /** Folder that relative paths in the file are resolved against. */
  dir: string;
  spec: ClusterSpec;
  /** Problems that do not stop a lab from working. */
  warnings: ConfigIssue[];
}

export interface ParseOptions {
  /** Name shown in messages, e.g. `cluster.yaml`. */
  displayName: string;
  /** Folder that relative paths in the file are resolved against. */
  baseDir: string;
}

/** Reads and validates a cluster file; throws ConfigError with every problem at once. */
export async function loadCluster(file = 'cluster.yaml'): Promise<Cluster> {
  const path = resolve(file);
  const displayName = relative(process.cwd(), path) || path;
  const text = await readClusterFile(path, file, displayName);
  return { file: path, ...parseCluster(text, { displayName, baseDir: dirname(path) }) };
}

/** The file's text, once it is known to be a regular file within LIMITS.fileBytes. */
async function readClusterFile(path: string, file: string, displayName: string): Promise<string> {
  const cannotRead = (reason: string, hint: string, cause?: unknown) =>
    new NomadLabError(`cannot read cluster file ${file} (${reason})${hint ? `: ${hint}` : ''}`, { cause });
  let read: BoundedRead;
  try {
    read = await readBounded(path, LIMITS.fileBytes);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw cannotRead(code ?? String(cause), code === 'ENOENT' ? 'create it, or name another with -f FILE' : '', cause);
  }
  if ('kind' in read) throw cannotRead(read.kind, 'a cluster file is a regular file; name one with -f FILE');
  if ('tooLarge' in read) throw tooLarge(displayName, read.tooLarge);
  return read.text;
}

/**
 * The node names of a cluster file, read leniently (a file with other problems still names its nodes) but through the
 * loader's guards: a regular file within LIMITS.fileBytes, YAML without alias bombs. Nothing on any problem.
 */
export async function readNodeNames(file: string): Promise<string[]> {
  const read = await readBounded(resolve(file), LIMITS.fileBytes).catch(() => undefined);
  if (read === undefined || !('text' in read)) return [];
  const source = new YamlSource(read.text);
  if (source.syntaxErrors().length > 0) return [];
  const spec = source.toJS() as { nodes?: unknown } | null;
  const nodes = Array.isArray(spec?.nodes) ? (spec.nodes as unknown[]) : [];
  return nodes
    .map((n) => (n !== null && typeof n === 'object' ? (n as { name?: unknown }).name : undefined))
    .filter((n): n is string => typeof n === 'string' && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(n));
}

/** A file over LIMITS.fileBytes, of `bytes` when known. */
function tooLarge(displayName: string, bytes?: number): ConfigError {
  const size = bytes === undefined ? 'more than that' : `${bytes} bytes`;
  return new ConfigError(displayName, [
    {
      severity: 'error',
      file: displayName,
      line: 1,
      col: 1,
      path: '',
      message:
        `a cluster file may have at ` +
        `most ${LIMITS.fileBytes} bytes (${LIMITS.fileBytes / 1024} KiB), and ` +
        `this one has ${size}: is it the right file?`,
    },
  ]);
}

/** Validates cluster file text; the pure part of loadCluster (it only reads referenced files' existence). */
export function parseCluster(text: string, options: ParseOptions): Omit<Cluster, 'file'> {
  const bytes = Buffer.byteLength(text);
  if (bytes > LIMITS.fileBytes) throw tooLarge(options.displayName, bytes);
  const source = new YamlSource(text);
  const issue = (severity: Severity, position: Position, path: KeyPath, message: string): ConfigIssue => ({
    severity,
    file: options.displayName,
    ...position,
    path: formatPath(path),
    message,
  });

  const syntax = source.syntaxErrors();
  if (syntax.length > 0) {
    throw new ConfigError(
      options.displayName,
      syntax.map((e) => issue('error', e.position, [], e.message)),
    );
  }
  const yamlWarnings = source.warnings().map((w) => issue('warning', w.position, [], w.message));

  let input: unknown;
  try {
    input = source.toJS();
  } catch (cause) {
    // syntaxErrors() has refused what makes the conversion throw (aliases without anchors, alias bombs); this keeps
    // anything missed a ConfigError.
    throw new ConfigError(
      options.displayName,
      [
        issue(
          'error',
          { line: 1, col: 1 },
          [],
          `cannot read the file as data: ${lowerFirst(String((cause as Error).message))}`,
        ),
      ],
      { cause },
    );
  }
  const parsed = clusterSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((zodIssue) =>
      describeSchemaIssue(zodIssue, input).map(({ path, key, message }) =>
        issue(
          'error',
          key === undefined ? source.positionOf(path) : source.positionOfKey(path, key),
          key === undefined ? path : [...path, key],
          message,
        ),
      ),
    );
    throw new ConfigError(options.displayName, sortIssues([...issues, ...yamlWarnings]));
  }

  const findings = [...checkWrittenForms(source), ...checkCluster(parsed.data, options.baseDir)].map((f) =>
    issue(f.severity, source.positionOf(f.path), f.path, f.message),
  );
  const all = sortIssues([...findings, ...yamlWarnings]);
  if (all.some((i) => i.severity === 'error')) throw new ConfigError(options.displayName, all);
  return { dir: options.baseDir, spec: parsed.data, warnings: all };
}

/**
 * Values YAML reads as intended only by chance: `version: 1.0` (or 0x1, +1) is the number 1, but not a version this
 * nomad-lab reads.
 */
function checkWrittenForms(source: YamlSource): Finding[] {
  const version = source.sourceOf(['version']);
  return version === undefined || version === '1'
    ? []
    : [{ severity: 'error', path: ['version'], message: `expected 1, written ${quote(version)}: write "version: 1"` }];
}

interface Described {
  path: KeyPath;
  /** Set when the problem is a key itself, to point at the key rather than its map. */
  key?: string;
  message: string;
}

function describeSchemaIssue(issue: z.core.$ZodIssue, input: unknown): Described[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const value = valueAt(input, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(clusterSchema, input, path);
      return issue.keys.map((key) => {
        const guess = suggest(key, allowed);
        const hint = guess ? `did you mean "${guess}"?` : `allowed keys: ${allowed.join(', ')}`;
        return { path, key, message: `unknown key ${quote(key)}; ${hint}` };
      });
    }
    case 'invalid_type':
      if (value === undefined) return [{ path, message: `is required${requiredHint(path)}` }];
      return [
        {
          path,
          message:
            `expected ${typeName(issue.expected)}, got ${describeValue(value)}` + quoteHint(issue.expected, value),
        },
      ];
    case 'invalid_value':
      if (path.length === 1 && path[0] === 'version') {
        return [
          { path, message: `${expectedOneOf(issue.values, value)}: this nomad-lab reads version 1 cluster files` },
        ];
      }
      return [{ path, message: expectedOneOf(issue.values, value) }];
    case 'invalid_union':
      {
        // zod lists a discriminated union's tags on the issue, though its type does not say so.
        const options = (issue as { options?: unknown }).options;
        if (Array.isArray(options)) {
          return [
            {
              path,
              message:
                value === undefined ? `is required: one of ${listValues(options)}` : expectedOneOf(options, value),
            },
          ];
        }
      }
      return [{ path, message: lowerFirst(issue.message) }];
    case 'too_small':
      return [
        {
          path,
          message:
            issue.origin === 'array'
              ? `must list at least ${String(issue.minimum)} ${Number(issue.minimum) === 1 ? 'item' : 'items'}`
              : `must be at least ${String(issue.minimum)}, got ${describeValue(value)}`,
        },
      ];
    case 'too_big':
      if (issue.origin === 'array') return [{ path, message: `must list at most ${String(issue.maximum)} items` }];
      if (issue.origin === 'string')
        return [
          { path, message: `must be at most ${String(issue.maximum)} characters long, got ${describeValue(value)}` },
        ];
      return [{ path, message: `must be at most ${String(issue.maximum)}, got ${describeValue(value)}` }];
    case 'custom':
      if (issue.params?.['complete'] === true) return [{ path, message: issue.message }];
      return [
        {
          path,
          message: `${lowerFirst(issue.message)}${gotPlainValue(value)}`,
        },
      ];
    default:
      return [
        {
          path,
          message: `${lowerFirst(issue.message)}${gotPlainValue(value)}`,
        },
      ];
  }
}

function requiredHint(path: KeyPath): string {
  const last = path.at(-1);
  if (last === 'version') return ': add "version: 1" at the top';
  if (last === 'cidr' || last === 'network')
    return ': the lab\'s private network, like "network: { cidr: 10.77.0.0/24 }"';
  if (last === 'nodes') return ': list the machines under "nodes"';
  return '';
}

function expectedOneOf(values: readonly unknown[], value: unknown): string {
  const guess =
    typeof value === 'string'
      ? suggest(
          value,
          values.filter((v): v is string => typeof v === 'string'),
        )
      : undefined;
  const expected = values.length === 1 ? String(JSON.stringify(values[0])) : `one of ${listValues(values)}`;
  return `expected ${expected}, got ${describeValue(value)}${guess ? `; did you mean "${guess}"?` : ''}`;
}

function listValues(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping',
  };
  return names[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null) return 'an empty value';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean' || typeof value === 'bigint' || typeof value === 'symbol')
    return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** `, got the number 3`, `, got "abc"`: nothing when the value is missing, empty, a list or a mapping. */
function gotPlainValue(value: unknown): string {
  return value === undefined || typeof value === 'object' ? '' : `, got ${describeValue(value)}`;
}

function quoteHint(expected: string, value: unknown): string {
  return expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')
    ? ' (YAML read it as a number or boolean: put it in quotes)'
    : '';
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** `nodes[1].address`; a key too long to show is cut, as quoted values are. */
export function formatPath(path: KeyPath): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${truncate(p, QUOTED_CHARS)}`))
    .join('');
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}
