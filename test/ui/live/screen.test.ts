import test from 'ava';
import type { LiveModel } from '../../../src/ui/live/model.ts';
import { painter } from '../../../src/ui/live/paint.ts';
import { move } from '../../../src/ui/live/cells.ts';
import { screen, type ScreenInput } from '../../../src/ui/live/screen.ts';
import { width } from '../../../src/ui/live/text.ts';
import { ev, id, imageGraph, midBuild, modelOf } from './helpers/events.ts';

const plain = painter(false);
const text = (input: ScreenInput) => screen(input).lines.map(plain);

function twoImages(): LiveModel {
  const g = [...imageGraph('server-mini'), ...imageGraph('ldap-server')];
  return modelOf(g, [
    ev.buildStarted(g.map((n) => n.id)),
    ev.started('server-mini/bootstrap', 0),
    ev.output('server-mini/bootstrap', 'I: downloading packages with apt...\n'),
    ev.progress('server-mini/bootstrap', 'downloading packages', 0.3),
    ev.started('ldap-server/bootstrap', 0),
  ]);
}

function manyPlainTargets(): LiveModel {
  // 10,000 targets in 100 chains of 100.
  const nodes = Array.from({ length: 10_000 }, (_, i) => ({ id: id(`t${i}`), deps: i >= 100 ? [id(`t${i - 100}`)] : [] }));
  const events = [ev.buildStarted(nodes.map((n) => n.id))];
  for (let i = 0; i < 150; i++) events.push(ev.succeeded(`t${i}`, 0, 100));
  events.push(ev.started('t150', 0), ev.output('t150', 'compiling\n'), ev.started('t151', 0), ev.failed('t152', 0, 10, 'exit 1'));
  return modelOf(nodes, events);
}

test('80x24: the image\'s layers one per row, side by side where stages can run together', (t) => {
  const { graph, events } = midBuild();
  const lines = text({ model: modelOf(graph, events, { 'server-mini/cleanup': 10_000 }), now: 8300, columns: 80, rows: 24 });
  t.is(lines[0], 'mkimage building 8 targets · 8s · eta ≥6s');
  t.is(lines[1], '● 1 running  · 3 pending  ✓ 2 done  ≡ 2 cached');
  t.deepEqual(lines.slice(2, 10), [
    '  server-mini',
    '     ≡ bootstrap',
    '     ≡ packages',
    '     ✓ overlay 1s',
    '     ✓ hooks 3s',
    '     ● cleanup 4s 42%',
    '     · squashfs  · boot-files',
    '     · iso',
  ]);
  // The running stage's progress, ETA from its last duration, and its last lines.
  t.deepEqual(lines.slice(10, 13), ['  ● server-mini/cleanup fixing shadow dates 42% 4s eta 6s', '    removing machine-id', '    writing hostname']);
  t.is(lines.at(-1), '↑↓←→ select  enter/l log  q quit');
});

test('two images side by side when the width allows, stacked when it does not', (t) => {
  const wide = text({ model: twoImages(), now: 12_000, columns: 80, rows: 24 });
  t.regex(wide[2]!, /^ {2}server-mini +ldap-server/);
  t.regex(wide[3]!, /● bootstrap 12s 30% +● bootstrap 12s/);
  const narrow = text({ model: twoImages(), now: 12_000, columns: 40, rows: 24 });
  t.true(narrow.includes('  server-mini'));
  t.true(narrow.includes('  ldap-server'));
  t.true(narrow.indexOf('  ldap-server') > narrow.indexOf('     · iso'));
});

test('no line is wider than the terminal and there are never more than rows - 1', (t) => {
  const { graph, events } = midBuild();
  const models: Array<[string, () => LiveModel]> = [
    ['mid-build', () => modelOf(graph, events)],
    ['two images', twoImages],
    ['10,000 targets', manyPlainTargets],
  ];
  for (const [name, make] of models) {
    const model = make();
    for (const columns of [12, 20, 40, 57, 80, 132]) {
      for (const rows of [3, 6, 10, 16, 24, 50]) {
        for (const final of [false, true]) {
          const lines = text({ model, now: 20_000, columns, rows, final, selected: id('t152') });
          t.true(lines.length <= rows - 1 || (rows <= 2 && lines.length <= 1), `${name} ${columns}x${rows}: ${lines.length} lines`);
          for (const l of lines) t.true(width(l) <= columns, `${name} ${columns}x${rows} final=${final}: ${JSON.stringify(l)}`);
        }
      }
    }
  }
});

test('too many layers for the rows: counts, then only the failed and running targets', (t) => {
  const s = screen({ model: manyPlainTargets(), now: 2000, columns: 80, rows: 24 });
  t.is(s.mode, 'compact');
  const lines = s.lines.map(plain);
  t.is(lines[1], '● 2 running  · 9847 pending  ✓ 150 done  ✗ 1 failed');
  t.deepEqual(lines.slice(2, 6), ['  ✗ t152 0s exit 1', '  ● t150 2s', '    compiling', '  ● t151 2s']);
  t.deepEqual(
    s.cells.map((c) => c.id),
    ['t152', 't150', 't151'],
  );
});

test('a layer wider than the terminal shows the running ones first and counts the rest', (t) => {
  const nodes = Array.from({ length: 10_000 }, (_, i) => ({ id: id(`flat${i}`), deps: [] }));
  const model = modelOf(nodes, [ev.buildStarted(nodes.map((n) => n.id)), ev.started('flat5000', 0), ev.succeeded('flat1', 0, 5000)]);
  const row = text({ model, now: 2000, columns: 80, rows: 24 })[2]!;
  t.regex(row, /^ {3}● flat5000 2s {2}· flat0 {2}✓ flat1 5s .* \+9994 ·9994$/);
});

test('images with nothing under way fold to one line when the picture is too tall', (t) => {
  const g = [...imageGraph('server-mini'), ...imageGraph('ldap-server'), ...imageGraph('web')];
  const events = [ev.buildStarted(g.map((n) => n.id))];
  for (const n of imageGraph('server-mini')) events.push(ev.succeeded(n.id, 0, 2000));
  for (const n of imageGraph('ldap-server')) events.push(ev.cached(n.id));
  events.push(ev.started('web/bootstrap', 0));
  const model = modelOf(g, events);
  t.regex(plain(screen({ model, now: 5000, columns: 80, rows: 24 }).lines[2]!), /^ {2}server-mini +ldap-server +web/, 'three fit side by side in 80 columns');
  const s = screen({ model, now: 5000, columns: 60, rows: 24 });
  t.is(s.mode, 'folded');
  const lines = s.lines.map(plain);
  t.true(lines.includes('  server-mini  ✓8'));
  // One fold is enough here: the other settled image keeps its rows.
  t.true(lines.includes('  ldap-server'));
  t.true(lines.includes('     ≡ squashfs  ≡ boot-files'));
  t.true(lines.includes('     ● bootstrap 5s'));
});

test('arrows: left and right in reading order, up and down to the nearest cell of the next row', (t) => {
  const { graph, events } = midBuild();
  const model = modelOf(graph, events);
  const cells = screen({ model, now: 5000, columns: 80, rows: 24 }).cells;
  const go = (from: string | undefined, dir: 'up' | 'down' | 'left' | 'right') => move(cells, from === undefined ? undefined : id(from), dir, model);
  t.is(go(undefined, 'down'), id('server-mini/cleanup'), 'first key: the running stage');
  t.is(go('server-mini/cleanup', 'down'), id('server-mini/squashfs'));
  t.is(go('server-mini/squashfs', 'right'), id('server-mini/boot-files'));
  t.is(go('server-mini/boot-files', 'down'), id('server-mini.iso'));
  t.is(go('server-mini/boot-files', 'up'), id('server-mini/cleanup'));
  t.is(go('server-mini/bootstrap', 'up'), id('server-mini/bootstrap'));
  t.is(go('server-mini.iso', 'right'), id('server-mini.iso'));
});

test('the selected stage: marked in its row and told about below', (t) => {
  const { graph, events } = midBuild();
  const model = modelOf(graph, [...events, ev.failed('server-mini/cleanup', 9000, 4700, 'hook failed\nmore', []), ev.skipped('server-mini/squashfs', 'server-mini/cleanup')]);
  const lines = text({ model, now: 9000, columns: 120, rows: 24, selected: id('server-mini/cleanup') });
  t.true(lines.includes('    ›✗ cleanup 4s'));
  t.is(lines.at(-2), '› server-mini/cleanup: failed: hook failed · needed by server-mini/squashfs, server-mini/boot-files');
  const pending = text({ model, now: 9000, columns: 80, rows: 24, selected: id('server-mini.iso') });
  t.is(pending.at(-2), '› server-mini.iso: waits for server-mini/squashfs, server-mini/boot-files');
  const skipped = text({ model, now: 9000, columns: 80, rows: 24, selected: id('server-mini/squashfs') });
  t.regex(skipped.at(-2)!, /^› server-mini\/squashfs: skipped: server-mini\/cleanup failed/);
});

test('q pressed: the header and footer say the build is stopping', (t) => {
  const { graph, events } = midBuild();
  const lines = text({ model: modelOf(graph, events), now: 9000, columns: 80, rows: 24, stopping: true });
  t.regex(lines[0]!, /^mkimage stopping/);
  t.regex(lines.at(-1)!, /^stopping/);
});
