import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dryRun } from '../../src/core/dry-run.ts';
import { build } from '../../src/core/engine.ts';
import { TargetGraph } from '../../src/core/graph.ts';
import { targetId } from '../../src/core/ids.ts';
import { FakeStore } from '../helpers/fake-store.ts';
import { specs, type FakeTarget } from '../helpers/targets.ts';

function rig(t: { teardown(fn: () => void): void }) {
  const store = new FakeStore();
  const root = mkdtempSync(join(tmpdir(), 'mkimage-dry-run-'));
  t.teardown(() => {
    store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  /** Every recipe of every graph made here counts its runs in `calls`. */
  const calls: string[] = [];
  const graphOf = (defs: Record<string, FakeTarget>) => {
    const g = TargetGraph.build(specs(defs, calls));
    if (!g.ok) throw new Error(g.error.message);
    return g.value;
  };
  return { store, root, calls, graphOf };
}

test('a dry run says cached, would run with the reason, and runs nothing', async (t) => {
  const { store, root, calls, graphOf } = rig(t);
  const defs = (v: number): Record<string, FakeTarget> => ({ a: {}, b: { values: { v } }, c: { deps: ['a', 'b'] } });
  const first = await dryRun({ graph: graphOf(defs(1)), goals: [targetId('c')], store, root });
  t.deepEqual(first.map((s) => [s.target, s.action]), [['a', 'would-run'], ['b', 'would-run'], ['c', 'would-run']]);
  t.deepEqual(calls, [], 'the first dry run ran no recipe');
  const r = await build({ graph: graphOf(defs(1)), goals: [targetId('c')], store, root, logsDir: join(root, 'logs'), jobs: 2, emit: () => {} });
  t.deepEqual([...calls].sort(), ['a', 'b', 'c']);
  const second = await dryRun({ graph: graphOf(defs(2)), goals: [targetId('c')], store, root, previous: r.state });
  t.deepEqual(second, [
    { target: 'a', action: 'cached', digest: r.outcomes.get(targetId('a'))!.digest! },
    { target: 'b', action: 'would-run', reasons: ['value v: 1 -> 2'] },
    { target: 'c', action: 'would-run', reasons: ['if the output of b changes'] },
  ]);
  t.is(calls.length, 3, 'the second dry run ran no recipe');
});

test('a dry run says what the build does: the same targets would run, for the same reasons', async (t) => {
  const { store, root, graphOf } = rig(t);
  // b's output is its value, so a new value reaches d.
  const b = (v: number): FakeTarget => ({ values: { v }, run: (ctx) => writeFileSync(join(ctx.out, 'v'), String(ctx.values.v)) });
  const defs = (v: number): Record<string, FakeTarget> => ({ a: {}, b: b(v), c: { deps: ['a'] }, d: { deps: ['b'] } });
  const goals = ['c', 'd'].map(targetId);
  const first = await build({ graph: graphOf(defs(1)), goals, store, root, logsDir: join(root, 'logs'), jobs: 2, emit: () => {} });
  const planned = await dryRun({ graph: graphOf(defs(2)), goals, store, root, previous: first.state });
  const started: Array<[string, readonly string[]]> = [];
  await build({
    graph: graphOf(defs(2)),
    goals,
    store,
    root,
    previous: first.state,
    logsDir: join(root, 'logs'),
    jobs: 2,
    emit: (e) => void (e.type === 'started' && started.push([e.target, e.reasons])),
  });
  // b's reasons are the same; d, after it, "would run if b's output changes", and it does.
  t.deepEqual(planned.filter((s) => s.action === 'would-run').map((s) => s.target), started.map(([id]) => id).sort());
  t.deepEqual(planned.find((s) => s.target === 'b'), { target: 'b', action: 'would-run', reasons: started.find(([id]) => id === 'b')![1] });
  t.deepEqual(planned.filter((s) => s.action === 'cached').map((s) => s.target), ['a', 'c']);
});

test('a missing input or tool: the dry run says would fail, as the build fails', async (t) => {
  const { store, root } = rig(t);
  const [spec] = specs({ x: { files: ['missing.txt'] } });
  const noTool = { ...specs({ y: {} })[0]!, tools: { nope: { key: 'nope', version: () => Promise.reject(new Error('cannot run nope --version')) } } };
  const g = TargetGraph.build([spec!, noTool]);
  if (!g.ok) return t.fail(g.error.message);
  const steps = await dryRun({ graph: g.value, goals: [targetId('x'), targetId('y')], store, root });
  t.deepEqual(steps, [
    { target: 'x', action: 'would-fail', reasons: ['declared input missing.txt does not exist'] },
    { target: 'y', action: 'would-fail', reasons: ['nope: cannot run nope --version'] },
  ]);
  const failed: string[] = [];
  await build({ graph: g.value, goals: [targetId('x'), targetId('y')], store, root, logsDir: join(root, 'logs'), jobs: 2, keepGoing: true, emit: (e) => void (e.type === 'failed' && failed.push(`${e.target}: ${e.message}`)) });
  t.deepEqual(failed.sort(), steps.map((s) => `${s.target}: ${s.action === 'cached' ? '' : s.reasons[0]}`));
});
