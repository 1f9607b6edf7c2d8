#!/usr/bin/env node
// The compiled CLI, bundled into one file (scripts/bundle-cli.mjs); `npm ci` builds it (the "prepare" script).
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('nomad-lab: not built yet: run `npm ci` (or `npm run build`) in the nomad-lab folder');
    process.exit(1);
  }
  throw error;
}
