import test from 'ava';
import { plainLogger } from '../../src/ui/plain-logger.ts';
import type { EngineEvent } from '../../src/core/events.ts';
import { targetId } from '../../src/core/ids.ts';

test('one line per state change, with reasons under --explain and the tail of a failure', (t) => {
  const lines: string[] = [];
  const log = plainLogger({ write: (l) => lines.push(l), explain: true });
  const target = targetId('hello');
  const events: EngineEvent[] = [
    { type: 'build-started', time: 0, targets: [target], jobs: 2 },
    { type: 'queued', target, time: 0 },
    { type: 'started', target, time: 10, reasons: ['file a changed', 'value b: 1 -> 2'], logPath: '/l' },
    { type: 'output', target, time: 20, stream: 'stdout', text: 'noise\n' },
    { type: 'progress', target, time: 30, fraction: 0.5, label: 'compressing' },
    { type: 'failed', target, time: 1500, reason: 'recipe-failed', message: 'sh exited with 2', exitCode: 2, tail: ['bad thing'], logPath: '/l', durationMs: 1490 },
    { type: 'build-finished', time: 1500, ok: false, interrupted: false, durationMs: 1500, counts: { cached: 0, succeeded: 0, failed: 1, skipped: 0, aborted: 0 } },
  ];
  for (const e of events) log(e);
  t.deepEqual(lines, [
    'building 1 target with 2 job slots',
    '[    0ms] queued   hello',
    '[   10ms] started  hello (file a changed)',
    '          explain  hello: file a changed',
    '          explain  hello: value b: 1 -> 2',
    '[  1.50s] FAILED   hello: sh exited with 2',
    '          hello| bad thing',
    '          full log: /l',
    'build FAILED: 0 built, 0 cached, 1 failed, 0 skipped, 0 aborted in 1.50s',
  ]);
});
