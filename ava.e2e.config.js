// End-to-end suite: real tools, root, real processes killed mid-write.
export default {
  files: ['test/**/*.e2e.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  timeout: '10m',
  concurrency: 1,
};
