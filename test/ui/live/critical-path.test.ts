import test from 'ava';
import { buildEta, targetEta } from '../../../src/ui/live/eta.ts';
import { longestChain } from '../../../src/ui/live/critical-path.ts';
import { criticalPath } from '../../../src/ui/live/summary.ts';
import type { TargetId } from '../../../src/core/ids.ts';
import { ev, id, imageGraph, midBuild, modelOf } from './helpers/events.ts';

test('longestChain: the heaviest path, prerequisites first', (t) => {
  const deps: Record<string, string[]> = { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] };
  const w: Record<string, number> = { a: 1, b: 5, c: 2, d: 1 };
  const chain = longestChain(['a', 'b', 'c', 'd'].map(id), (x: TargetId) => deps[x]!.map(id), (x) => w[x]!);
  t.deepEqual(chain, { ms: 7, path: ['a', 'b', 'd'] });
});

test('criticalPath: this build\'s durations; cached targets weigh nothing and lead nowhere', (t) => {
  const graph = imageGraph('s');
  const m = modelOf(graph, [
    ev.buildStarted(graph.map((n) => n.id)),
    ev.cached('s/bootstrap'),
    ev.cached('s/packages'),
    ev.succeeded('s/overlay', 0, 1000),
    ev.succeeded('s/hooks', 0, 3000),
    ev.succeeded('s/cleanup', 0, 2000),
    ev.succeeded('s/squashfs', 0, 60_000),
    ev.succeeded('s/boot-files', 0, 500),
    ev.succeeded('s.iso', 0, 4000),
  ]);
  t.deepEqual(criticalPath(m), { ms: 70_000, path: ['s/overlay', 's/hooks', 's/cleanup', 's/squashfs', 's.iso'] });
});

test('targetEta: from the last build, else from the tool\'s share; nothing when past due', (t) => {
  const { graph, events } = midBuild();
  const withHistory = modelOf(graph, events, { 'server-mini/cleanup': 10_000 });
  const n = withHistory.nodes.get(id('server-mini/cleanup'))!;
  t.deepEqual(targetEta(n, 4300 + 4000), { ms: 6000, from: 'history' });
  // Over its old time, with 42% done after 20s: the share speaks.
  const late = targetEta(n, 4300 + 21_000);
  t.is(late?.from, 'progress');
  t.is(Math.round(late!.ms), 29_000);
  const fresh = modelOf(graph, events).nodes.get(id('server-mini/cleanup'))!;
  t.is(targetEta(fresh, 4300 + 1000), undefined, 'too early to extrapolate');
  t.is(targetEta(withHistory.nodes.get(id('server-mini/squashfs'))!, 5000), undefined, 'not running');
});

test('buildEta: the longest chain of what is left; at least, when a duration is unknown', (t) => {
  const { graph, events } = midBuild();
  const known = { 'server-mini/cleanup': 10_000, 'server-mini/squashfs': 60_000, 'server-mini/boot-files': 1000, 'server-mini.iso': 5000 };
  t.deepEqual(buildEta(modelOf(graph, events, known), 4300 + 4000), { ms: 6000 + 60_000 + 5000, complete: true });
  const partial = { ...known, 'server-mini/squashfs': undefined } as unknown as Record<string, number>;
  delete (partial as Record<string, unknown>)['server-mini/squashfs'];
  t.deepEqual(buildEta(modelOf(graph, events, partial), 4300 + 4000), { ms: 6000 + 1000 + 5000, complete: false });
  t.is(buildEta(modelOf(graph, [...events, ev.buildFinished(9000)]), 9000), undefined);
});
