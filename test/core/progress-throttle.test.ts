import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/core/engine.ts';
import type { EngineEvent } from '../../src/core/events.ts';
import { TargetGraph } from '../../src/core/graph.ts';
import { targetId } from '../../src/core/ids.ts';
import { MIN_INTERVAL_MS, progressThrottle, type ProgressClock } from '../../src/core/progress-throttle.ts';
import type { RecipeProgress } from '../../src/core/target.ts';
import { FakeStore } from '../helpers/fake-store.ts';
import { specs } from '../helpers/targets.ts';

/** A clock the test moves by hand; timers fire when it passes them. */
function fakeClock() {
  let now = 1000;
  let timers: Array<{ at: number; f: () => void; id: number }> = [];
  let next = 0;
  const clock: ProgressClock = {
    now: () => now,
    setTimeout: (f, ms) => {
      const id = next++;
      timers.push({ at: now + ms, f, id });
      return id;
    },
    clearTimeout: (id) => void (timers = timers.filter((t) => t.id !== id)),
  };
  return {
    clock,
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.f();
    },
    pending: () => timers.length,
  };
}

function recorder() {
  const sent: Array<RecipeProgress & { time: number }> = [];
  return { sent, send: (p: RecipeProgress, time: number) => void sent.push({ ...p, time }) };
}

test('passes a change of the whole percent or the label, drops the rest', (t) => {
  const c = fakeClock();
  const r = recorder();
  const p = progressThrottle(r.send, c.clock);
  p.report({ fraction: 0.101, label: 'unpacking' });
  c.advance(MIN_INTERVAL_MS);
  p.report({ fraction: 0.109, label: 'unpacking' });
  c.advance(MIN_INTERVAL_MS);
  p.report({ fraction: 0.11, label: 'unpacking' });
  c.advance(MIN_INTERVAL_MS);
  p.report({ fraction: 0.115, label: 'setting up' });
  t.deepEqual(
    r.sent.map((s) => [s.fraction, s.label]),
    [
      [0.101, 'unpacking'],
      [0.11, 'unpacking'],
      [0.115, 'setting up'],
    ],
  );
});

test('at most one report per interval, and the latest held one goes out at its end', (t) => {
  const c = fakeClock();
  const r = recorder();
  const p = progressThrottle(r.send, c.clock);
  for (let i = 0; i <= 50; i++) p.report({ fraction: i / 100, label: 'compressing' });
  t.is(r.sent.length, 1);
  t.is(c.pending(), 1);
  c.advance(MIN_INTERVAL_MS - 1);
  t.is(r.sent.length, 1);
  c.advance(1);
  t.deepEqual(
    r.sent.map((s) => s.fraction),
    [0, 0.5],
  );
  t.is(r.sent[1]!.time - r.sent[0]!.time, MIN_INTERVAL_MS);
});

test('dispose drops a held report; fractions are clamped and a NaN one is left out', (t) => {
  const c = fakeClock();
  const r = recorder();
  const p = progressThrottle(r.send, c.clock);
  p.report({ fraction: 7, label: 'a' });
  p.report({ fraction: Number.NaN, label: 'b' });
  p.dispose();
  c.advance(MIN_INTERVAL_MS * 2);
  p.report({ fraction: -1, label: 'c' });
  t.deepEqual(r.sent.map(({ fraction, label }) => ({ fraction, label })), [{ fraction: 1, label: 'a' }]);
  t.is(c.pending(), 0);
});

test('the engine turns ctx.progress into a few progress events, none after the target ends', async (t) => {
  const store = new FakeStore();
  const root = mkdtempSync(join(tmpdir(), 'mkimage-progress-'));
  t.teardown(() => {
    store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const events: EngineEvent[] = [];
  const graph = TargetGraph.build(
    specs({
      busy: {
        run: async (ctx) => {
          for (let i = 0; i < 1000; i++) ctx.progress({ fraction: i / 1000, label: 'working' });
          await new Promise((resolve) => setTimeout(resolve, 5));
        },
      },
    }),
  );
  if (!graph.ok) throw new Error(graph.error.message);
  const result = await build({ graph: graph.value, goals: [targetId('busy')], store, root, logsDir: join(root, '.logs'), jobs: 1, emit: (e) => events.push(e) });
  t.true(result.ok);
  const progress = events.filter((e) => e.type === 'progress');
  t.true(progress.length >= 1 && progress.length <= 2, `${progress.length} progress events`);
  t.like(progress[0], { type: 'progress', target: 'busy', fraction: 0, label: 'working' });
  const end = events.findIndex((e) => e.type === 'succeeded');
  t.true(events.findLastIndex((e) => e.type === 'progress') < end);
});
