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
    { type: 'warning', target, time: 25, message: 'web: rootfs/etc/x replaces /etc/x of package y' },
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
    '[   25ms] warning  hello: web: rootfs/etc/x replaces /etc/x of package y',
    '[   30ms] running  hello for 20ms: compressing (50%)',
    '[  1.50s] FAILED   hello: sh exited with 2',
    '          hello| bad thing',
    '          full log: /l',
    'build FAILED: 0 built, 0 cached, 1 failed, 0 skipped, 0 aborted in 1.50s',
  ]);
});

/** A clock the test moves: `every` callbacks run when time passes their next tick. */
function fakeClock() {
  let now = 0;
  const timers: { every: number; next: number; f: () => void; stopped: boolean }[] = [];
  return {
    now: () => now,
    every(ms: number, f: () => void) {
      const timer = { every: ms, next: now + ms, f, stopped: false };
      timers.push(timer);
      return () => {
        timer.stopped = true;
      };
    },
    advance(to: number) {
      for (;;) {
        const due = timers.filter((x) => !x.stopped && x.next <= to).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        now = due.next;
        due.next += due.every;
        due.f();
      }
      now = to;
    },
    get live() {
      return timers.filter((x) => !x.stopped).length;
    },
  };
}

test('a running target says what its tool does: a line per new phase, and one at least every 30 s', (t) => {
  const lines: string[] = [];
  const clock = fakeClock();
  const log = plainLogger({ write: (l) => lines.push(l), clock });
  const boot = targetId('web/bootstrap');
  const progress = (time: number, label: string, fraction?: number): EngineEvent => ({ type: 'progress', target: boot, time, label, ...(fraction !== undefined && { fraction }) });
  const at = (time: number, e: EngineEvent) => {
    clock.advance(time);
    log(e);
  };
  at(0, { type: 'build-started', time: 0, targets: [boot], jobs: 2 });
  at(0, { type: 'started', target: boot, time: 0, reasons: ['no previous build'], logPath: '/l' });
  at(20_000, progress(20_000, 'downloading packages', 0.1));
  at(40_000, progress(40_000, 'downloading packages', 0.4));
  clock.advance(55_000);
  at(70_000, progress(70_000, 'unpacking 3/89', 0.02));
  at(80_000, progress(80_000, 'unpacking 60/89', 0.34));
  at(90_000, progress(90_000, 'downloading packages', 0.9)); // seen before: no line of its own
  clock.advance(125_000);
  at(128_000, { type: 'succeeded', target: boot, time: 128_000, digest: 'd' as never, durationMs: 128_000, unchanged: false });
  clock.advance(300_000); // nothing runs: silence
  t.deepEqual(lines.slice(1), [
    '[    0ms] started  web/bootstrap (no previous build)',
    '[  20.0s] running  web/bootstrap for 20.0s: downloading packages (10%)',
    '[  50.0s] running  web/bootstrap for 50.0s: downloading packages (40%)',
    '[  1m10s] running  web/bootstrap for 1m10s: unpacking 3/89 (2%)',
    '[  1m40s] running  web/bootstrap for 1m40s: downloading packages (90%)',
    '[  2m08s] done     web/bootstrap in 2m08s',
  ]);
  log({ type: 'build-finished', time: 300_000, ok: true, interrupted: false, durationMs: 300_000, counts: { cached: 0, succeeded: 1, failed: 0, skipped: 0, aborted: 0 } });
  t.is(clock.live, 0, 'the heartbeat stops with the build');
});

test('a target that reports no progress still gets its heartbeat', (t) => {
  const lines: string[] = [];
  const clock = fakeClock();
  const log = plainLogger({ write: (l) => lines.push(l), clock });
  const target = targetId('quiet');
  log({ type: 'build-started', time: 0, targets: [target], jobs: 1 });
  log({ type: 'started', target, time: 0, reasons: ['no previous build'], logPath: '/l' });
  clock.advance(65_000);
  t.deepEqual(lines.slice(2), ['[  30.0s] running  quiet for 30.0s', '[  1m00s] running  quiet for 1m00s']);
});
