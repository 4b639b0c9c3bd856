import test from 'ava';
import { ev, id, imageGraph, midBuild, modelOf } from './helpers/events.ts';

test('every engine state becomes a node state, with counts kept as events come', (t) => {
  const graph = [...imageGraph('a'), { id: id('aborting'), deps: [] }, { id: id('waiting'), deps: [] }];
  const m = modelOf(graph, [
    ev.buildStarted(graph.map((n) => n.id)),
    ev.cached('a/bootstrap'),
    ev.queued('a/packages'),
    ev.started('a/packages', 10),
    ev.succeeded('a/packages', 30, 20),
    ev.started('a/overlay', 30),
    ev.failed('a/overlay', 50, 20, 'conflict', ['x']),
    ev.skipped('a/hooks', 'a/overlay'),
    ev.started('aborting', 40),
    ev.aborted('aborting', 60, 20),
    ev.queued('waiting'),
  ]);
  const state = (s: string) => m.nodes.get(id(s))!.state;
  t.is(state('a/bootstrap'), 'cached');
  t.is(state('a/packages'), 'done');
  t.is(state('a/overlay'), 'failed');
  t.is(state('a/hooks'), 'skipped');
  t.is(state('aborting'), 'aborted');
  t.is(state('waiting'), 'queued');
  t.is(state('a/cleanup'), 'pending');
  t.deepEqual(m.counts, { pending: 4, queued: 1, running: 0, cached: 1, done: 1, failed: 1, skipped: 1, aborted: 1 });
  t.deepEqual(m.failed, ['a/overlay']);
  t.is(m.nodes.get(id('a/hooks'))!.skipped, 'a/overlay failed');
  t.deepEqual(m.nodes.get(id('a/overlay'))!.failure, { message: 'conflict', tail: ['x'] });
});

test('a running target keeps its last output lines and progress; both go when it ends', (t) => {
  const { graph, events } = midBuild();
  const m = modelOf(graph, events);
  const cleanup = m.nodes.get(id('server-mini/cleanup'))!;
  t.deepEqual([...m.running], ['server-mini/cleanup']);
  t.deepEqual(cleanup.output?.last(5), ['removing machine-id', 'writing hostname']);
  t.deepEqual(cleanup.progress, { label: 'fixing shadow dates', fraction: 0.42 });
  m.apply(ev.succeeded('server-mini/cleanup', 9000, 4700));
  t.is(cleanup.output, undefined);
  t.is(cleanup.progress, undefined);
  t.is(m.running.size, 0);
});

test('only the targets of the build are drawn; layers, groups and dependents come from the graph', (t) => {
  const graph = [...imageGraph('a'), ...imageGraph('b'), { id: id('elsewhere'), deps: [] }];
  const m = modelOf(graph, [ev.buildStarted([...imageGraph('a'), ...imageGraph('b')].map((n) => n.id)), ev.started('elsewhere', 1)]);
  t.false(m.nodes.has(id('elsewhere')));
  t.is(m.nodes.size, 16);
  t.deepEqual(
    m.groups.map((g) => [g.name, g.layers.length, g.size]),
    [
      ['a', 7, 8],
      ['b', 7, 8],
    ],
  );
  t.deepEqual(m.groups[0]!.layers[5], ['a/squashfs', 'a/boot-files']);
  t.deepEqual(m.nodes.get(id('a/cleanup'))!.dependents, ['a/squashfs', 'a/boot-files']);
  t.is(m.nodes.get(id('a.iso'))!.label, 'iso');
});

test('a new build (watch mode) starts every target over', (t) => {
  const { graph, events } = midBuild();
  const m = modelOf(graph, [...events, ev.buildFinished(5000, { ok: false, interrupted: true })]);
  const v = m.version;
  m.apply(ev.buildStarted(graph.map((n) => n.id), 6000));
  t.true(m.version > v);
  t.is(m.counts.pending, 8);
  t.is(m.running.size, 0);
  t.is(m.build?.finished, undefined);
  t.is(m.build?.startedAt, 6000);
});

test('expected durations from earlier builds are kept on the nodes', (t) => {
  const { graph, events } = midBuild();
  const m = modelOf(graph, events, { 'server-mini/cleanup': 9000 });
  t.is(m.nodes.get(id('server-mini/cleanup'))!.expectedMs, 9000);
  t.is(m.nodes.get(id('server-mini/squashfs'))!.expectedMs, undefined);
});
