import test from 'ava';
import { layers, placements, topological } from '../../../src/ui/live/graph-layers.ts';
import { id, imageGraph } from './helpers/events.ts';

test('layers: the longest chain of prerequisites below each target', (t) => {
  const l = layers(imageGraph('server-mini'));
  t.deepEqual(Object.fromEntries(l), {
    'server-mini/bootstrap': 0,
    'server-mini/packages': 1,
    'server-mini/overlay': 2,
    'server-mini/hooks': 3,
    'server-mini/cleanup': 4,
    'server-mini/squashfs': 5,
    'server-mini/boot-files': 5,
    'server-mini.iso': 6,
  });
});

test('layers: a shortcut edge does not pull a target down; unknown prerequisites are ignored', (t) => {
  const l = layers([
    { id: id('d'), deps: [id('c'), id('a')] },
    { id: id('c'), deps: [id('b')] },
    { id: id('b'), deps: [id('a'), id('elsewhere')] },
    { id: id('a'), deps: [] },
  ]);
  t.deepEqual(Object.fromEntries(l), { a: 0, b: 1, c: 2, d: 3 });
});

test('topological: prerequisites first, a cycle kept rather than lost', (t) => {
  t.deepEqual(topological([{ id: id('b'), deps: [id('a')] }, { id: id('a'), deps: [] }]), ['a', 'b']);
  const cyclic = topological([{ id: id('x'), deps: [id('y')] }, { id: id('y'), deps: [id('x')] }, { id: id('z'), deps: [] }]);
  t.deepEqual([...cyclic].sort(), ['x', 'y', 'z']);
});

test('placements: stages and goals by image; other targets in no group', (t) => {
  const p = placements([id('server-mini/bootstrap'), id('server-mini.iso'), id('ldap.tar'), id('hello'), id('docs.html')]);
  t.deepEqual(p.get(id('server-mini/bootstrap')), { group: 'server-mini', label: 'bootstrap' });
  t.deepEqual(p.get(id('server-mini.iso')), { group: 'server-mini', label: 'iso' });
  // No stage of "ldap" or "docs" is in the build: these are plain names.
  t.deepEqual(p.get(id('ldap.tar')), { group: '', label: 'ldap.tar' });
  t.deepEqual(p.get(id('hello')), { group: '', label: 'hello' });
  t.deepEqual(p.get(id('docs.html')), { group: '', label: 'docs.html' });
});
