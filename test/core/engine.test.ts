import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from '../../src/core/engine.ts';
import type { EngineEvent } from '../../src/core/events.ts';
import { TargetGraph } from '../../src/core/graph.ts';
import { targetId, type TargetId } from '../../src/core/ids.ts';
import type { BuildState } from '../../src/core/state.ts';
import type { RecipeContext } from '../../src/core/target.ts';
import { FakeStore } from '../helpers/fake-store.ts';
import { gate, specs, type FakeTarget } from '../helpers/targets.ts';

function rig(t: { teardown(fn: () => void): void }) {
  const store = new FakeStore();
  const root = mkdtempSync(join(tmpdir(), 'mkimage-engine-'));
  t.teardown(() => {
    store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  let previous: BuildState | undefined;
  return {
    store,
    root,
    async build(defs: Record<string, FakeTarget>, extra: Partial<Omit<BuildOptions, 'goals'>> & { goals?: string[] } = {}) {
      const calls: string[] = [];
      const events: EngineEvent[] = [];
      const graph = TargetGraph.build(specs(defs, calls));
      if (!graph.ok) throw new Error(graph.error.message);
      const result = await build({
        graph: graph.value,
        store,
        root,
        logsDir: join(root, '.logs'),
        jobs: 4,
        emit: (e) => events.push(e),
        ...(previous && { previous }),
        ...extra,
        goals: (extra.goals ?? graph.value.sinks()).map(targetId),
      });
      previous = result.state;
      const of = (type: EngineEvent['type']) => events.filter((e) => e.type === type).map((e) => (e as { target: TargetId }).target).sort();
      return { result, calls, events, of };
    },
  };
}

test('a diamond builds its shared prerequisite once, prerequisites first', async (t) => {
  const r = rig(t);
  const { calls, result } = await r.build({ d: {}, b: { deps: ['d'] }, c: { deps: ['d'] }, a: { deps: ['b', 'c'] } });
  t.true(result.ok);
  t.deepEqual(calls.filter((c) => c === 'd'), ['d']);
  t.is(calls[0], 'd');
  t.is(calls[3], 'a');
});

test('a second build with nothing changed runs no recipe', async (t) => {
  const r = rig(t);
  const defs = { d: {}, b: { deps: ['d'] }, a: { deps: ['b'] } };
  await r.build(defs);
  const again = await r.build(defs);
  t.deepEqual(again.calls, []);
  t.deepEqual(again.of('cached'), ['a', 'b', 'd']);
  t.true(again.result.ok);
});

test('prerequisites see their outputs read through the store and goals get digests', async (t) => {
  const r = rig(t);
  const seen: string[] = [];
  const { result } = await r.build({
    lib: {},
    app: { deps: ['lib'], run: (ctx) => { seen.push(ctx.deps.lib!); writeFileSync(join(ctx.out, 'x'), 'y'); } },
  });
  t.true(seen[0]!.startsWith(r.store.root));
  t.truthy(result.outcomes.get(targetId('app'))?.digest);
});

test('no more recipes run at once than there are job slots; a heavy target runs alone', async (t) => {
  const r = rig(t);
  let now = 0;
  let most = 0;
  let heavyShared = false;
  let heavyRunning = false;
  const work = async () => {
    now++;
    most = Math.max(most, now);
    if (heavyRunning && now > 1) heavyShared = true;
    await new Promise((res) => setTimeout(res, 15));
    now--;
  };
  const defs: Record<string, FakeTarget> = {};
  for (let i = 0; i < 9; i++) defs[`t${i}`] = { values: { i }, run: work };
  defs.heavy = {
    weight: 'all',
    run: async () => {
      heavyRunning = true;
      if (now > 0) heavyShared = true;
      await work();
      heavyRunning = false;
    },
  };
  const { result } = await r.build(defs, { jobs: 3 });
  t.true(result.ok);
  t.is(most, 3);
  t.false(heavyShared);
});

test('early cutoff: a prerequisite that reruns to the same output does not rerun its dependents', async (t) => {
  const r = rig(t);
  writeFileSync(join(r.root, 'input.txt'), 'one');
  const defs = {
    gen: { files: ['input.txt'], run: (ctx: { out: string }) => writeFileSync(join(ctx.out, 'constant'), 'same') },
    use: { deps: ['gen'] },
  };
  await r.build(defs);
  writeFileSync(join(r.root, 'input.txt'), 'two');
  const again = await r.build(defs);
  t.deepEqual(again.calls, ['gen']);
  const done = again.events.find((e) => e.type === 'succeeded');
  t.like(done, { target: 'gen', unchanged: true });
  t.deepEqual(again.of('cached'), ['use']);
});

test('a changed output reruns the dependents, and the reason names the prerequisite', async (t) => {
  const r = rig(t);
  writeFileSync(join(r.root, 'input.txt'), 'one');
  const defs = {
    gen: { files: ['input.txt'], run: (ctx: { out: string; files: readonly string[] }) => writeFileSync(join(ctx.out, 'copy'), ctx.files.join()) },
    use: { deps: ['gen'] },
  };
  await r.build(defs);
  writeFileSync(join(r.root, 'input.txt'), 'two');
  const again = await r.build({ ...defs, gen: { ...defs.gen, run: (ctx) => writeFileSync(join(ctx.out, 'copy'), 'two') } });
  t.deepEqual(again.calls, ['gen', 'use']);
  const started = again.events.filter((e) => e.type === 'started');
  t.deepEqual(started.map((e) => e.type === 'started' && e.reasons), [['file input.txt changed'], ['prerequisite gen output changed']]);
});

test('the reason a target runs names the field of its record that changed, read from the store', async (t) => {
  const r = rig(t);
  const first = await r.build({ a: { values: { v: 1 } } });
  // The state keeps fingerprints, not records: the action cache has them under the fingerprint.
  const kept = first.result.state.targets.a!;
  t.false('record' in kept);
  t.regex(r.store.getAction(kept.fingerprint)?.record ?? '', /"values":\[\["v","1"\]\]/);
  const second = await r.build({ a: { values: { v: 2 } } });
  t.deepEqual(second.events.flatMap((e) => (e.type === 'started' ? [e.reasons] : [])), [['value v: 1 -> 2']]);
  // Without the previous fingerprint's record (an entry of an older engine), it still says why.
  const entry = r.store.actions.get(second.result.state.targets.a!.fingerprint)!;
  r.store.actions.set(second.result.state.targets.a!.fingerprint, { ...entry, record: undefined });
  const third = await r.build({ a: { values: { v: 3 } } });
  t.deepEqual(third.events.flatMap((e) => (e.type === 'started' ? [e.reasons] : [])), [['fingerprint changed (the previous record is no longer in the store)']]);
});

test('each recipe that runs gets a log of its output; a silent one an empty log, never a stale one', async (t) => {
  const r = rig(t);
  const loud = { run: (ctx: RecipeContext) => { ctx.output('stdout', 'one\n'); ctx.output('stderr', 'two\n'); } };
  const first = await r.build({ loud, quiet: { run: (ctx) => ctx.output('stdout', 'old\n') } });
  const logOf = (id: string) => first.events.flatMap((e) => (e.type === 'started' && e.target === id ? [e.logPath] : []))[0]!;
  t.is(readFileSync(logOf('loud'), 'utf8'), 'one\ntwo\n');
  await r.build({ loud, quiet: { recipeText: 'silent now', run: () => {} } });
  t.is(readFileSync(logOf('quiet'), 'utf8'), '');
});

test('a no-op build leaves the state as it was, to be kept as is', async (t) => {
  const r = rig(t);
  const defs = { d: {}, a: { deps: ['d'] } };
  const first = await r.build(defs);
  const again = await r.build(defs);
  t.false(again.result.stateChanged);
  t.is(again.result.state, first.result.state);
});

test('by default a failure stops new work; running targets finish', async (t) => {
  const r = rig(t);
  const g = gate();
  const { result, of, calls } = await r.build(
    {
      slow: { run: async (ctx) => { await g.promise; writeFileSync(join(ctx.out, 'x'), ''); } },
      bad: { run: () => { setTimeout(g.open, 30); throw new Error('boom'); } },
      later: { deps: ['slow'] },
      other: { deps: ['slow'] },
    },
    { jobs: 2 },
  );
  t.false(result.ok);
  t.deepEqual(of('failed'), ['bad']);
  t.deepEqual(of('succeeded'), ['slow']);
  t.deepEqual(of('skipped'), ['later', 'other']);
  t.false(calls.includes('later'));
});

test('--keep-going builds everything that does not depend on the failure', async (t) => {
  const r = rig(t);
  const { result, of } = await r.build(
    {
      bad: { run: () => { throw new Error('boom'); } },
      after: { deps: ['bad'] },
      after2: { deps: ['after'] },
      fine: {},
      fine2: { deps: ['fine'] },
    },
    { keepGoing: true, jobs: 1 },
  );
  t.false(result.ok);
  t.deepEqual(of('failed'), ['bad']);
  t.deepEqual(of('skipped'), ['after', 'after2']);
  t.deepEqual(of('succeeded'), ['fine', 'fine2']);
  const skip = result.outcomes.get(targetId('after2'));
  t.is(skip?.status, 'skipped');
});

test('a skip through a chain names the target that failed, not the prerequisite skipped for it', async (t) => {
  const r = rig(t);
  const { events } = await r.build(
    {
      bad: { run: () => { throw new Error('boom'); } },
      after: { deps: ['bad'] },
      after2: { deps: ['after'] },
      last: { deps: ['after2', 'fine'] },
      fine: {},
    },
    { keepGoing: true, jobs: 1 },
  );
  const causes = events.flatMap((e) => (e.type === 'skipped' ? [[e.target, e.reason, e.cause]] : []));
  t.deepEqual(causes.sort(), [
    ['after', 'prerequisite-failed', 'bad'],
    ['after2', 'prerequisite-failed', 'bad'],
    ['last', 'prerequisite-failed', 'bad'],
  ]);
});

test('a failure event carries the message and the last lines of output', async (t) => {
  const r = rig(t);
  const { events } = await r.build({
    bad: { run: (ctx) => { ctx.output('stdout', 'line one\nline two\n'); throw new Error('boom'); } },
  });
  const failed = events.find((e) => e.type === 'failed');
  t.like(failed, { target: 'bad', reason: 'recipe-failed', tail: ['line one', 'line two'] });
});

test('an interrupt aborts running recipes and skips what had not started', async (t) => {
  const r = rig(t);
  const controller = new AbortController();
  let sawAbort = false;
  const { result, of } = await r.build(
    {
      long: {
        run: (ctx) => new Promise<void>((_, reject) => {
          setTimeout(() => controller.abort(), 20);
          ctx.signal.addEventListener('abort', () => { sawAbort = true; reject(new Error('killed')); });
        }),
      },
      next: { deps: ['long'] },
    },
    { signal: controller.signal },
  );
  t.true(result.interrupted);
  t.true(sawAbort);
  t.deepEqual(of('aborted'), ['long']);
  t.deepEqual(of('skipped'), ['next']);
  t.is(r.store.actions.size, 0);
});

test('a missing declared input fails its target with the path', async (t) => {
  const r = rig(t);
  const { events } = await r.build({ a: { files: ['nope.txt'] } });
  t.like(events.find((e) => e.type === 'failed'), { reason: 'input-missing', message: 'declared input nope.txt does not exist' });
});

test('an input edited while its recipe runs fails the target and stores nothing; the next build runs it', async (t) => {
  const r = rig(t);
  writeFileSync(join(r.root, 'in.txt'), 'one');
  const defs = {
    a: {
      files: ['in.txt'],
      run: (ctx: RecipeContext) => {
        writeFileSync(join(ctx.out, 'copy'), readFileSync(join(r.root, 'in.txt')));
        writeFileSync(join(r.root, 'in.txt'), 'two, written while the recipe ran');
      },
    },
  };
  const first = await r.build(defs);
  t.false(first.result.ok);
  t.like(first.events.find((e) => e.type === 'failed'), { target: 'a', reason: 'input-changed', message: 'in.txt changed while the recipe ran; its output is not stored' });
  t.deepEqual(first.of('succeeded'), []);
  // Back to the content the first fingerprint was taken of: had its output been stored, this would be cached.
  writeFileSync(join(r.root, 'in.txt'), 'one');
  const second = await r.build({ a: { files: ['in.txt'] } });
  t.true(second.result.ok);
  t.deepEqual(second.calls, ['a'], 'nothing was cached under the first fingerprint');
});

test('-B runs every recipe again', async (t) => {
  const r = rig(t);
  const defs = { a: {}, b: { deps: ['a'] } };
  await r.build(defs);
  const again = await r.build(defs, { alwaysMake: true });
  t.deepEqual(again.calls.sort(), ['a', 'b']);
});

test('only the goals and what they need are built', async (t) => {
  const r = rig(t);
  const { calls } = await r.build({ a: {}, b: { deps: ['a'] }, c: {} }, { goals: ['b'] });
  t.deepEqual(calls.sort(), ['a', 'b']);
});

test('a long chain and a wide fan build without deep recursion', async (t) => {
  const r = rig(t);
  const defs: Record<string, FakeTarget> = {};
  const noop = () => {};
  for (let i = 0; i < 3000; i++) defs[`c${i}`] = { deps: i ? [`c${i - 1}`] : [], run: noop };
  for (let i = 0; i < 300; i++) defs[`f${i}`] = { deps: ['c2999'], run: noop };
  const { result } = await r.build(defs, { jobs: 2 });
  t.true(result.ok);
  t.is(result.outcomes.size, 3300);
});

test('two targets doing the same work on the same inputs run it once', async (t) => {
  const r = rig(t);
  const { calls, of, result } = await r.build({
    base: {},
    one: { deps: ['base'], recipeText: 'same', run: async (ctx) => { await new Promise((res) => setTimeout(res, 30)); writeFileSync(join(ctx.out, 'x'), 'same'); } },
    two: { deps: ['base'], recipeText: 'same', run: async (ctx) => { await new Promise((res) => setTimeout(res, 30)); writeFileSync(join(ctx.out, 'x'), 'same'); } },
  });
  t.true(result.ok);
  t.is(calls.filter((c) => c === 'one' || c === 'two').length, 1);
  t.deepEqual([...of('succeeded'), ...of('cached')].filter((x) => x !== 'base').sort(), ['one', 'two']);
});

test('a weight-0 target runs beside a heavy one', async (t) => {
  const r = rig(t);
  // Each waits for the other (5 s at most): only running side by side ends them both early.
  const lightDone = gate();
  let heavyRunning = false;
  let overlapped = false;
  const until = async (ok: () => boolean) => {
    for (const end = Date.now() + 5000; !ok() && Date.now() < end; ) await new Promise((res) => setTimeout(res, 5));
  };
  await r.build(
    {
      root: {},
      heavy: { deps: ['root'], weight: 'all', run: async (ctx) => { heavyRunning = true; await Promise.race([lightDone.promise, until(() => false)]); heavyRunning = false; writeFileSync(join(ctx.out, 'h'), ''); } },
      light: { deps: ['root'], weight: 0, run: async (ctx) => { await until(() => heavyRunning); overlapped = heavyRunning; lightDone.open(); writeFileSync(join(ctx.out, 'l'), ''); } },
    },
    { jobs: 2 },
  );
  t.true(overlapped);
});

test('a recipe is told the job slots it holds: its weight within -j, at least one', async (t) => {
  const r = rig(t);
  const slots: Record<string, number> = {};
  const seen = (name: string) => async (ctx: { slots: number; out: string }) => {
    slots[name] = ctx.slots;
    writeFileSync(join(ctx.out, name), '');
  };
  await r.build({ two: { weight: 2, run: seen('two') }, all: { weight: 'all', run: seen('all') }, many: { weight: 9, run: seen('many') }, light: { weight: 0, run: seen('light') } }, { jobs: 4 });
  t.deepEqual(slots, { two: 2, all: 4, many: 4, light: 1 });
});

test('a tool is asked once per build however many targets declare it, and again in the next build', async (t) => {
  const r = rig(t);
  let version = 1;
  let asked = 0;
  const probe = { key: 'faketool --version', version: async () => (asked++, `faketool ${version}`) };
  const graphOf = () => {
    const g = TargetGraph.build(specs({ a: {}, b: {} }).map((s) => ({ ...s, tools: { faketool: probe } })));
    if (!g.ok) throw new Error(g.error.message);
    return g.value;
  };
  const once = async (previous?: BuildState) => {
    const started: string[] = [];
    const result = await build({ graph: graphOf(), goals: [targetId('a'), targetId('b')], store: r.store, root: r.root, logsDir: join(r.root, '.logs'), jobs: 2, emit: (e) => void (e.type === 'started' && started.push(`${e.target}: ${e.reasons.join('; ')}`)), ...(previous && { previous }) });
    return { result, started: started.sort() };
  };
  const first = await once();
  t.is(asked, 1);
  // An upgrade between two builds of one process (watch mode) is seen.
  version = 2;
  const second = await once(first.result.state);
  t.is(asked, 2);
  t.deepEqual(second.started, ['a: tool faketool: faketool 1 -> faketool 2', 'b: tool faketool: faketool 1 -> faketool 2']);
});
