// The watcher's state machine, driven step by step: fake file events, a fake clock and build
// cycles the test ends by hand. No file watcher, no timers, no engine (the file system only
// where a plan's glob must match real files).

import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EngineEvent } from '../../src/core/events.ts';
import { targetId } from '../../src/core/ids.ts';
import type { FileEvent, FileWatcherFactory } from '../../src/watch/file-watcher.ts';
import type { WatchStatus, WatchView } from '../../src/watch/view.ts';
import { WatchPlan } from '../../src/watch/watch-plan.ts';
import { watch, type BuildHooks, type Clock, type CycleEnd } from '../../src/watch/watcher.ts';
import { specs, type FakeTarget } from '../helpers/targets.ts';

const ROOT = '/project';

const plan = (targets: Record<string, FakeTarget>) =>
  WatchPlan.of({ root: ROOT, modules: ['Targetfile.ts'], profileDirs: [], targets: specs(targets), ignored: ['out', '.store'] });

/** a and c read a file each; ac needs both. */
const PLAN = plan({ a: { files: ['a.txt'] }, c: { files: ['c.txt'] }, ac: { deps: ['a', 'c'] } });

interface Cycle {
  readonly signal: AbortSignal;
  readonly hooks: BuildHooks;
  end(e: CycleEnd): Promise<void>;
  /** Sends engine events: each target's terminal event. */
  done(...targets: string[]): void;
}

class Harness {
  readonly statuses: WatchStatus[] = [];
  readonly builds: EngineEvent[][] = [];
  readonly cycles: Cycle[] = [];
  readonly watched: WatchPlan[] = [];
  timers: Array<{ fn: () => void; cleared: boolean }> = [];
  closed = false;
  endOnAbort = true;
  private onEvent!: (e: FileEvent) => void;
  private readonly controller = new AbortController();
  readonly exit: Promise<130>;
  private settle = () => Promise.resolve();

  constructor(
    cycleError?: Error,
    readonly initial: WatchPlan = PLAN,
  ) {
    const files: FileWatcherFactory = (onEvent) => {
      this.onEvent = onEvent;
      return {
        watch: async (p) => void this.watched.push(p),
        close: async () => void (this.closed = true),
      };
    };
    const clock: Clock = {
      setTimeout: (fn) => {
        const t = { fn, cleared: false };
        this.timers.push(t);
        return t;
      },
      clearTimeout: (h) => void ((h as { cleared: boolean }).cleared = true),
    };
    const view: WatchView = {
      build: () => {
        const events: EngineEvent[] = [];
        this.builds.push(events);
        return (e) => events.push(e);
      },
      status: (s) => this.statuses.push(s),
    };
    this.exit = watch({
      view,
      files,
      clock,
      initial,
      signal: this.controller.signal,
      cycle: (signal, hooks) => {
        if (cycleError) return Promise.reject(cycleError);
        return new Promise<CycleEnd>((resolve) => {
          // Like the engine: an aborted build ends interrupted (unless the test ends it).
          signal.addEventListener('abort', () => this.endOnAbort && resolve({ code: 130 }));
          this.cycles.push({
            signal,
            hooks,
            end: async (e) => {
              resolve(e);
              await this.flush();
            },
            done: (...targets) => {
              for (const target of targets) hooks.emit({ type: 'succeeded', target: targetId(target), time: 0, digest: '0'.repeat(64) as never, durationMs: 1, unchanged: false });
            },
          });
        });
      },
    });
  }

  /** Lets promise callbacks run (the fakes resolve at once). */
  async flush(): Promise<void> {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  }

  edit(path: string, change: FileEvent['change'] = 'change'): void {
    this.onEvent({ change, path: `${this.initial.root}/${path}` });
  }

  /** Fires the live debounce timer. */
  async tick(): Promise<void> {
    const live = this.timers.filter((t) => !t.cleared);
    this.timers = [];
    for (const t of live) t.fn();
    await this.flush();
  }

  /** Starts: the first build, planned with the initial plan. */
  async started(): Promise<Cycle> {
    await this.flush();
    const c = this.cycles.at(-1)!;
    await c.hooks.planned(this.initial);
    return c;
  }

  stop(): Promise<130> {
    this.controller.abort();
    return this.exit;
  }

  of<T extends WatchStatus['type']>(type: T) {
    return this.statuses.filter((s): s is Extract<WatchStatus, { type: T }> => s.type === type);
  }
}

test('edits coalesce until the debounce timer fires: one build with all of them', async (t) => {
  const h = new Harness();
  const first = await h.started();
  await first.end({ code: 0 });
  t.is(h.of('watching').length, 1);
  h.edit('a.txt');
  h.edit('c.txt');
  h.edit('a.txt');
  t.is(h.cycles.length, 1, 'no build before the timer');
  t.is(h.timers.filter((x) => !x.cleared).length, 1, 'each edit restarts the one timer');
  await h.tick();
  t.is(h.cycles.length, 2);
  t.deepEqual(h.of('changed'), [{ type: 'changed', paths: ['a.txt', 'c.txt'] }]);
  await h.cycles[1]!.end({ code: 0 });
  t.is(await h.stop(), 130);
});

test('paths the plan does not name, and the outputs and the store, are dropped', async (t) => {
  // A deep glob over a real directory reaches into out/ and .store/: only their ignore drops those edits.
  const root = mkdtempSync(join(tmpdir(), 'mkimage-watcher-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const f of ['docs/y.note', 'out/x/y.note', '.store/z.note']) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), f);
  }
  const notes = WatchPlan.of({ root, modules: ['Targetfile.ts'], profileDirs: [], targets: specs({ notes: { files: ['**/*.note'] } }), ignored: ['out', '.store'] });
  const h = new Harness(undefined, notes);
  await (await h.started()).end({ code: 0 });
  h.edit('other.txt');
  h.edit('out/x/y.note', 'add');
  h.edit('.store/z.note', 'add');
  t.deepEqual(h.timers, []);
  h.edit('docs/y.note', 'add');
  t.is(h.timers.length, 1, 'the glob matches a note outside them');
  await h.stop();
});

test('an edit to an input of an unfinished target aborts the build; the next one has it', async (t) => {
  const h = new Harness();
  const first = await h.started();
  first.done('c');
  h.edit('a.txt');
  t.true(first.signal.aborted);
  t.deepEqual(h.of('edit-during-build'), [{ type: 'edit-during-build', path: 'a.txt', decision: 'abort', reason: 'a.txt is an input of a, which has not finished' }]);
  h.edit('c.txt');
  t.is(h.of('edit-during-build').length, 1, 'decided once');
  await first.end({ code: 130 });
  t.is(h.of('watching').length, 0, 'pending edits: straight to debouncing');
  await h.tick();
  t.deepEqual(h.of('changed'), [{ type: 'changed', paths: ['a.txt', 'c.txt'] }]);
  t.is(h.cycles.length, 2);
  await h.stop();
});

test('an edit to an input of a finished target that an unfinished one needs aborts', async (t) => {
  const h = new Harness();
  const first = await h.started();
  first.done('a', 'c');
  h.edit('a.txt');
  t.true(first.signal.aborted);
  t.is(h.of('edit-during-build')[0]!.reason, 'a.txt is an input of a, and ac, not finished, needs it');
  await h.stop();
});

test('an edit only finished targets read lets the build finish; a later one may still abort it', async (t) => {
  const h = new Harness();
  const first = await h.started();
  await first.hooks.planned(plan({ a: { files: ['a.txt'] }, c: { files: ['c.txt'] } }));
  first.done('a');
  h.edit('a.txt');
  t.false(first.signal.aborted);
  t.like(h.of('edit-during-build')[0], { decision: 'finish', reason: 'a.txt is an input of a only, already done; the rest of the build does not need it' });
  h.edit('a.txt');
  t.is(h.of('edit-during-build').length, 1);
  h.edit('c.txt');
  t.true(first.signal.aborted);
  t.like(h.of('edit-during-build')[1], { decision: 'abort', path: 'c.txt' });
  await h.stop();
});

test('profile code edits abort while targets are left, and not once all are done', async (t) => {
  const h = new Harness();
  const first = await h.started();
  first.done('a', 'c', 'ac');
  h.edit('Targetfile.ts');
  t.false(first.signal.aborted);
  t.like(h.of('edit-during-build')[0], { decision: 'finish', reason: 'every target of the build is done' });
  await first.end({ code: 0 });
  await h.tick();
  const second = h.cycles[1]!;
  await second.hooks.planned(PLAN);
  h.edit('Targetfile.ts');
  t.true(second.signal.aborted);
  t.like(h.of('edit-during-build')[1], { decision: 'abort', reason: 'Targetfile.ts is profile code, which may change any target, and 3 targets are not finished' });
  await h.stop();
});

test('an edit before the build has loaded the profile aborts it', async (t) => {
  const h = new Harness();
  await h.flush();
  const first = h.cycles[0]!;
  h.edit('Targetfile.ts');
  t.true(first.signal.aborted);
  t.like(h.of('edit-during-build')[0], { decision: 'abort', reason: 'the build was still loading the profile' });
  await h.stop();
});

test('a profile error: said, the file at fault watched, and an edit of it rebuilds', async (t) => {
  const h = new Harness();
  await h.flush();
  const error = { message: 'syntax error: oops', at: { file: `${ROOT}/lib/broken.ts`, line: 3 } };
  await h.cycles[0]!.end({ code: 2, error });
  t.deepEqual(h.of('profile-error'), [{ type: 'profile-error', diagnostic: error }]);
  t.like(h.of('watching')[0], { last: 'profile-error' });
  t.deepEqual(h.builds, [], 'no build for the view');
  t.deepEqual(h.watched.at(-1)!.touches(`${ROOT}/lib/broken.ts`, 'change'), { profile: true, targets: [] });
  h.edit('lib/broken.ts');
  await h.tick();
  t.is(h.cycles.length, 2);
  await h.stop();
});

test('stopping while debouncing builds nothing more, closes the watcher and returns 130', async (t) => {
  const h = new Harness();
  await (await h.started()).end({ code: 0 });
  h.edit('a.txt');
  t.is(await h.stop(), 130);
  t.true(h.timers.every((x) => x.cleared));
  t.true(h.closed);
  t.is(h.cycles.length, 1);
  t.deepEqual(h.of('stopped'), [{ type: 'stopped', abortedBuild: false }]);
});

test('stopping during a build aborts it and waits for it to end before closing', async (t) => {
  const h = new Harness();
  const first = await h.started();
  h.endOnAbort = false;
  let stopped = false;
  const exit = h.stop().then((code) => ((stopped = true), code));
  await h.flush();
  t.true(first.signal.aborted);
  t.false(stopped, 'waits for the engine to clean up');
  t.false(h.closed);
  await first.end({ code: 130 });
  t.is(await exit, 130);
  t.true(h.closed);
  t.deepEqual(h.of('stopped'), [{ type: 'stopped', abortedBuild: true }]);
});

test('a bug in a build cycle stops watching and rejects', async (t) => {
  const h = new Harness(new Error('bug'));
  await t.throwsAsync(h.exit, { message: 'bug' });
  t.true(h.closed);
});
