import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type * as z from 'zod';
import { ConfigError, NomadLabError, type ConfigIssue, type Severity } from '../errors.ts';
import { allowedKeys } from './schema-walk.ts';
import { clusterSchema, type ClusterSpec } from './schema.ts';
import { checkCluster } from './semantic.ts';
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ': create it, or name another with -f FILE' : '';
    throw new NomadLabError(`cannot read cluster file ${file} (${code ?? String(cause)})${hint}`, { cause });
  }
  const displayName = relative(process.cwd(), path) || path;
  return { file: path, ...parseCluster(text, { displayName, baseDir: dirname(path) }) };
}

/** Validates cluster file text; the pure part of loadCluster (it only reads referenced files' existence). */
export function parseCluster(text: string, options: ParseOptions): Omit<Cluster, 'file'> {
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
    throw new ConfigError(options.displayName, syntax.map((e) => issue('error', e.position, [], e.message)));
  }
  const yamlWarnings = source.warnings().map((w) => issue('warning', w.position, [], w.message));

  const input: unknown = source.doc.toJS();
  const parsed = clusterSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((zodIssue) =>
      describeSchemaIssue(zodIssue, input).map(({ path, key, message }) =>
        issue('error', key === undefined ? source.positionOf(path) : source.positionOfKey(path, key), key === undefined ? path : [...path, key], message),
      ),
    );
    throw new ConfigError(options.displayName, sortIssues([...issues, ...yamlWarnings]));
  }

  const findings = checkCluster(parsed.data, options.baseDir).map((f) =>
    issue(f.severity, source.positionOf(f.path), f.path, f.message),
  );
  const all = sortIssues([...findings, ...yamlWarnings]);
  if (all.some((i) => i.severity === 'error')) throw new ConfigError(options.displayName, all);
  return { dir: options.baseDir, spec: parsed.data, warnings: all };
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
        return { path, key, message: `unknown key "${key}"; ${hint}` };
      });
    }
    case 'invalid_type':
      if (value === undefined) return [{ path, message: `is required${requiredHint(path)}` }];
      return [{ path, message: `expected ${typeName(issue.expected)}, got ${describeValue(value)}${quoteHint(issue.expected, value)}` }];
    case 'invalid_value':
      if (path.length === 1 && path[0] === 'version') {
        return [{ path, message: `${expectedOneOf(issue.values, value)}: this nomad-lab reads version 1 cluster files` }];
      }
      return [{ path, message: expectedOneOf(issue.values, value) }];
    case 'invalid_union':
      {
        // zod lists a discriminated union's tags on the issue, though its type does not say so.
        const options = (issue as { options?: unknown }).options;
        if (Array.isArray(options)) {
          return [{ path, message: value === undefined ? `is required: one of ${listValues(options)}` : expectedOneOf(options, value) }];
        }
      }
      return [{ path, message: lowerFirst(issue.message) }];
    case 'too_small':
      return [{ path, message: issue.origin === 'array' ? `must list at least ${String(issue.minimum)} ${Number(issue.minimum) === 1 ? 'item' : 'items'}` : `must be at least ${String(issue.minimum)}, got ${describeValue(value)}` }];
    case 'too_big':
      return [{ path, message: issue.origin === 'array' ? `must list at most ${String(issue.maximum)} items` : `must be at most ${String(issue.maximum)}, got ${describeValue(value)}` }];
    default:
      return [{ path, message: `${lowerFirst(issue.message)}${value === undefined || typeof value === 'object' ? '' : `, got ${describeValue(value)}`}` }];
  }
}

function requiredHint(path: KeyPath): string {
  const last = path.at(-1);
  if (last === 'version') return ': add "version: 1" at the top';
  if (last === 'cidr' || last === 'network') return ': the lab\'s private network, like "network: { cidr: 10.77.0.0/24 }"';
  if (last === 'nodes') return ': list the machines under "nodes"';
  return '';
}

function expectedOneOf(values: readonly unknown[], value: unknown): string {
  const guess = typeof value === 'string' ? suggest(value, values.filter((v): v is string => typeof v === 'string')) : undefined;
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
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
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

export function formatPath(path: KeyPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}
