import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../src/core/engine.ts';
import { TargetGraph } from '../../src/core/graph.ts';
import { targetId } from '../../src/core/ids.ts';
import { plan } from '../../src/core/plan.ts';
import { FakeStore } from '../helpers/fake-store.ts';
import { specs, type FakeTarget } from '../helpers/targets.ts';

test('a dry run says cached, would run with the reason, and runs nothing', async (t) => {
  const store = new FakeStore();
  const root = mkdtempSync(join(tmpdir(), 'mkimage-plan-'));
  t.teardown(() => {
    store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const defs = (v: number): Record<string, FakeTarget> => ({ a: {}, b: { values: { v } }, c: { deps: ['a', 'b'] } });
  const graphOf = (v: number) => {
    const g = TargetGraph.build(specs(defs(v)));
    if (!g.ok) throw new Error(g.error.message);
    return g.value;
  };
  const first = await plan({ graph: graphOf(1), goals: [targetId('c')], store, root });
  t.deepEqual(first.map((s) => [s.target, s.action]), [['a', 'would-run'], ['b', 'would-run'], ['c', 'would-run']]);
  const calls: string[] = [];
  const g1 = TargetGraph.build(specs(defs(1), calls));
  if (!g1.ok) return t.fail();
  const r = await build({ graph: g1.value, goals: [targetId('c')], store, root, logsDir: join(root, 'logs'), jobs: 2, emit: () => {} });
  const second = await plan({ graph: graphOf(2), goals: [targetId('c')], store, root, previous: r.state });
  t.deepEqual(second, [
    { target: 'a', action: 'cached', digest: r.outcomes.get(targetId('a'))!.digest! },
    { target: 'b', action: 'would-run', reasons: ['value v: 1 -> 2'] },
    { target: 'c', action: 'would-run', reasons: ['if the output of b changes'] },
  ]);
  t.is(calls.length, 3, 'planning ran no recipe');
});
