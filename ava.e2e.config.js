// End-to-end tests against the real lab host: Docker, images, Consul and Nomad binaries.
// One file at a time: they share the host's Docker and the machine has two cores.
export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  files: ['test/e2e/**/*.test.ts'],
  concurrency: 1,
  timeout: '10m',
};
