import test from 'ava';
import { whyLines } from '../../src/ui/why-report.ts';

const time = (ms: number) => `t${ms}`;

test('each target: ran in the last build with its reasons, or cached since an earlier run, or never ran', (t) => {
  const lines = whyLines({
    goals: ['web.iso'],
    lastBuild: 100,
    time,
    rows: [
      { target: 'web/bootstrap', built: true, run: { at: 50, outcome: 'succeeded', reasons: ['no previous build'], durationMs: 135_000 } },
      { target: 'web/overlay', built: true, run: { at: 120, outcome: 'succeeded', reasons: ['input features/web/rootfs/index.html changed', 'value hookEnv: HOSTNAME: "web" -> "www"'], durationMs: 3100, unchanged: true } },
      { target: 'web/hooks', built: false, run: { at: 130, outcome: 'failed', reasons: ['prerequisite overlay changed'], durationMs: 800 } },
      { target: 'web/iso', built: false },
    ],
  });
  t.deepEqual(lines, [
    'web.iso: the last build that ran anything started t100',
    '  web/bootstrap  -        last ran t50, 2m15s: no previous build',
    '  web/overlay    ran      3.10s, same output as before: input features/web/rootfs/index.html changed',
    '                          and value hookEnv: HOSTNAME: "web" -> "www"',
    '  web/hooks      failed   800ms: prerequisite overlay changed',
    '  web/iso        never ran',
  ]);
});

test('a store with no build says so', (t) => {
  t.deepEqual(whyLines({ goals: ['a'], time, rows: [{ target: 'a', built: false }] }), ['a: no build recorded in this store yet']);
});
