import test from 'ava';
import { TargetGraph } from '../../src/core/graph.ts';
import { specs } from '../helpers/targets.ts';

test('a cycle is reported whole, with where each edge was declared', (t) => {
  const r = TargetGraph.build(specs({ a: { deps: ['b'], line: 1 }, b: { deps: ['c'], line: 2 }, c: { deps: ['a'], line: 3 }, d: {} }));
  t.false(r.ok);
  if (r.ok) return;
  t.regex(r.error.message, /dependency cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)/);
  t.regex(r.error.message, /a -> b \(Targetfile\.ts:1\)/);
  t.regex(r.error.message, /b -> c \(Targetfile\.ts:2\)/);
  t.regex(r.error.message, /c -> a \(Targetfile\.ts:3\)/);
  t.truthy(r.error.at);
});

test('a target that needs itself is a cycle', (t) => {
  const r = TargetGraph.build(specs({ a: { deps: ['a'] } }));
  t.false(r.ok);
  if (!r.ok) t.regex(r.error.message, /a -> a/);
});

test('an unknown prerequisite gets a did-you-mean', (t) => {
  const r = TargetGraph.build(specs({ world: {}, hello: { deps: ['wrold'] } }));
  t.false(r.ok);
  if (r.ok) return;
  t.is(r.error.message, 'target hello needs wrold, which is not declared');
  t.is(r.error.hint, 'did you mean world?');
});

test('an unknown goal gets a did-you-mean', (t) => {
  const r = TargetGraph.build(specs({ world: {} }));
  if (!r.ok) return t.fail();
  const g = r.value.goal('wordl');
  t.false(g.ok);
  if (!g.ok) t.is(g.error.hint, 'did you mean world?');
});

test('topological order puts prerequisites first; sinks are what nothing needs', (t) => {
  const r = TargetGraph.build(specs({ a: { deps: ['b', 'c'] }, b: { deps: ['c'] }, c: {}, lone: {} }));
  if (!r.ok) return t.fail();
  const order = r.value.topological(r.value.ids());
  t.true(order.indexOf('c' as never) < order.indexOf('b' as never));
  t.true(order.indexOf('b' as never) < order.indexOf('a' as never));
  t.deepEqual(r.value.sinks().sort(), ['a', 'lone']);
});
