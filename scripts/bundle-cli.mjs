// The CLI as one file: `dist/cli.js`, bundled by esbuild from the compiled `dist/cli/main.js`. A command
// starts by loading one file instead of some 300 (zod alone is 99), which is most of what `verify` and
// `validate` spend before their work. The library (`dist/index.js`) stays as tsc wrote it.
// ssh2 stays outside: it loads optional native code through require.
// Run: node scripts/bundle-cli.mjs [DIST] (default: dist)
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { build } from 'esbuild';

const dist = process.argv[2] ?? 'dist';
await build({
  entryPoints: [join(dist, 'cli', 'main.js')],
  outfile: join(dist, 'cli.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2'],
  // Packages come from this checkout, wherever DIST lies.
  nodePaths: [fileURLToPath(new URL('../node_modules', import.meta.url))],
  // CommonJS packages inside the bundle call require.
  banner: {
    js:
      "import { createRequire as __nomadLabRequire } from 'node:module';\nconst require = " +
      '__nomadLabRequire(import.meta.url);',
  },
  legalComments: 'none',
  logLevel: 'warning',
});
