import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import test from 'ava';

// The structure drawn from src's own imports: layers that hold, and no circle.

const SRC = resolve('src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's relative imports (static, dynamic and re-exports), as paths under src. */
const graph = new Map<string, string[]>(
  sources(SRC).map((file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from\s*|import\s*\(?\s*)'(\.{1,2}\/[^']+\.ts)'/g)].map((m) => m[1]!);
    return [relative(SRC, file), specifiers.map((s) => relative(SRC, resolve(dirname(file), s)))];
  }),
);

const layer = (path: string) => (path.includes('/') ? path.split('/')[0]! : path.replace(/\.ts$/, ''));

/** Which layers a layer must not import: what the lower layers know nothing of. */
const FORBIDDEN: Record<string, readonly string[]> = {
  remote: ['verify', 'state', 'pipeline', 'steps', 'providers', 'render', 'ops'],
  render: ['providers', 'state', 'pipeline', 'steps', 'remote', 'verify'],
  state: ['render', 'pipeline', 'steps', 'providers', 'verify'],
  ops: ['pipeline', 'steps', 'providers', 'state', 'verify'],
  facts: ['pipeline', 'steps', 'providers', 'ops', 'verify'],
  config: ['remote', 'pipeline', 'steps', 'providers', 'render', 'state', 'verify', 'cli'],
  pipeline: ['steps', 'cli'],
  steps: ['cli', 'providers'],
};

test(
  'no layer imports one it must not: remote knows bytes ' + 'and channels, render is pure, ops plan without waiting',
  (t) => {
    const wrong = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => FORBIDDEN[layer(file)]?.includes(layer(target)))
        .map((target) => `${file} -> ${target}`),
    );
    t.deepEqual(wrong, []);
  },
);

test('no circle among the modules of src', (t) => {
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  t.deepEqual(circles, []);
});

test('the import graph is read: every layer is there and imports resolve to files of src', (t) => {
  for (const dir of ['remote', 'render', 'state', 'ops', 'pipeline', 'steps', 'verify'])
    t.true(
      [...graph.keys()].some((f) => layer(f) === dir),
      dir,
    );
  const missing = [...graph].flatMap(([file, imports]) =>
    imports.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`),
  );
  t.deepEqual(missing, []);
});
