// Fast suite: unit and integration tests that need neither minutes nor real images.
// Components of the live UI are tested in .tsx files.
export default {
  files: ['test/**/*.test.ts', 'test/**/*.test.tsx', '!test/**/*.e2e.test.ts'],
  extensions: { ts: 'module', tsx: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  timeout: '2m',
};
