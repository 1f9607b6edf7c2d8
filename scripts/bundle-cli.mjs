// The CLI as one file: `dist/cli.js`, bundled by esbuild from the compiled `dist/cli/main.js`. A command
// starts by loading one file instead of some 300 (zod alone is 99), which is most of what `verify` and
// `validate` spend before their work. The library (`dist/index.js`) stays as tsc wrote it.
// ssh2 stays outside: it loads optional native code through require.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2'],
  // CommonJS packages inside the bundle call require.
  banner: { js: "import { createRequire as __nomadLabRequire } from 'node:module';\nconst require = __nomadLabRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
