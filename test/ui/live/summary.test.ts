import test from 'ava';
import { painter } from '../../../src/ui/live/paint.ts';
import { summaryLines } from '../../../src/ui/live/summary.ts';
import { ev, imageGraph, modelOf } from './helpers/events.ts';

const plain = painter(false);

function failedBuild() {
  const graph = imageGraph('s');
  const m = modelOf(graph, [
    ev.buildStarted(graph.map((n) => n.id)),
    ev.cached('s/bootstrap'),
    ev.cached('s/packages'),
    ev.succeeded('s/overlay', 0, 1000),
    ev.succeeded('s/hooks', 0, 3000),
    ev.failed('s/cleanup', 0, 2000, 'openssl exited with 1', ['a', 'b', 'c', 'd']),
    ev.skipped('s/squashfs', 's/cleanup'),
    ev.skipped('s/boot-files', 's/cleanup'),
    ev.skipped('s.iso', 's/squashfs'),
    ev.buildFinished(7000, { ok: false }),
  ]);
  return m;
}

test('built and cached counts, the critical path, each failure with its last lines and log', (t) => {
  const lines = summaryLines(failedBuild(), 80, 20).map(plain);
  t.deepEqual(lines, [
    '✗ build failed in 7s: 2 built, 2 cached, 1 failed, 3 skipped',
    '  critical path 6s: s: overlay → hooks → cleanup',
    '✗ s/cleanup: openssl exited with 1',
    '    b',
    '    c',
    '    d',
    '    log: /logs/s__cleanup.log',
  ]);
});

test('outputs with their sizes, paths aligned', (t) => {
  const graph = imageGraph('s');
  const m = modelOf(graph, [ev.buildStarted(graph.map((n) => n.id)), ...graph.map((n) => ev.cached(n.id)), ev.buildFinished(300)]);
  m.setOutputs([
    { path: 'out/s.iso', bytes: 312 * 1024 * 1024 },
    { path: 'out/s.manifest.json', bytes: 2048 },
  ]);
  t.deepEqual(summaryLines(m, 80, 20).map(plain), ['✓ build ok in 0s: 0 built, 8 cached', '  out/s.iso            312MiB', '  out/s.manifest.json  2.0KiB']);
});

test('in few rows the failure\'s tail goes first, then the critical path', (t) => {
  t.deepEqual(summaryLines(failedBuild(), 80, 3).map(plain), [
    '✗ build failed in 7s: 2 built, 2 cached, 1 failed, 3 skipped',
    '  critical path 6s: s: overlay → hooks → cleanup',
    '✗ s/cleanup: openssl exited with 1',
  ]);
  t.deepEqual(summaryLines(failedBuild(), 80, 2).map(plain), ['✗ build failed in 7s: 2 built, 2 cached, 1 failed, 3 skipped', '✗ s/cleanup: openssl exited with 1']);
});

test('an interrupted build says so', (t) => {
  const graph = imageGraph('s');
  const m = modelOf(graph, [ev.buildStarted(graph.map((n) => n.id)), ev.started('s/bootstrap', 0), ev.aborted('s/bootstrap', 5000, 5000), ev.buildFinished(5000, { ok: false, interrupted: true })]);
  t.is(plain(summaryLines(m, 80, 5)[0]!), '! build interrupted in 5s: 0 built, 0 cached, 1 aborted');
});
