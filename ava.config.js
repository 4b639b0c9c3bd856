// Fast suite: unit and integration tests that need neither minutes nor real images.
export default {
  files: ['test/**/*.test.ts', '!test/**/*.e2e.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  timeout: '2m',
};
