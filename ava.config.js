// Unit and component tests: pure logic, the CLI, loopback servers. No lab needed.
export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  files: ['test/**/*.test.ts', '!test/e2e/**'],
  timeout: '2m',
};
