import { fileURLToPath } from 'node:url';

/** The nomad-lab package's own folder (holding configs/, hashicorp/, images/), from src/ or dist/ alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
