import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { LiveApp, type LiveAppProps } from '../../../src/ui/live/app.tsx';
import type { LiveModel } from '../../../src/ui/live/model.ts';
import { painter } from '../../../src/ui/live/paint.ts';
import { width } from '../../../src/ui/live/text.ts';
import { ev, id, imageGraph, midBuild, modelOf } from './helpers/events.ts';

const KEYS = { up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D', escape: '\u001B', enter: '\r', ctrlC: '\u0003' };

/** Waits for a frame that passes `ok`; fails with the last frame (input is handled asynchronously). */
async function frameWhere(lastFrame: () => string | undefined, ok: (frame: string) => boolean): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const f = lastFrame() ?? '';
    if (ok(f)) return f;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no such frame; the last one:\n${lastFrame()}`);
}

function app(model: LiveModel, props: Partial<LiveAppProps> = {}) {
  const quits: number[] = [];
  const all: LiveAppProps = { model, now: 8300, columns: 80, rows: 24, paint: painter(false), onQuit: () => void quits.push(1), ...props };
  const r = render(<LiveApp {...all} />);
  return { ...r, quits, props: all };
}

/** One plain target in each state. */
function everyState(): LiveModel {
  const names = ['pending', 'queued', 'running', 'cached', 'done', 'failed', 'skipped', 'aborted'];
  const graph = names.map((n) => ({ id: id(n), deps: [] }));
  return modelOf(graph, [
    ev.buildStarted(graph.map((n) => n.id)),
    ev.queued('queued'),
    ev.started('running', 1000),
    ev.progress('running', 'compressing', 0.5),
    ev.cached('cached'),
    ev.succeeded('done', 2000, 2000),
    ev.failed('failed', 3000, 3000),
    ev.skipped('skipped'),
    ev.aborted('aborted', 5000, 4000),
  ]);
}

test('every node state is drawn with its glyph, and its time where it has one', (t) => {
  const { lastFrame } = app(everyState(), { columns: 120 });
  const frame = lastFrame()!;
  for (const cell of ['· pending', '○ queued', '● running 7s 50%', '≡ cached', '✓ done 2s', '✗ failed 3s', '- skipped', '! aborted 4s']) {
    t.true(frame.includes(cell), `${cell} in\n${frame}`);
  }
  t.true(frame.includes('● 1 running  ○ 1 queued  · 1 pending  ✓ 1 done  ≡ 1 cached  ✗ 1 failed  - 1 skipped  ! 1 aborted'));
});

test('the final frame: the graph and the summary with outputs', (t) => {
  const graph = imageGraph('srv');
  const model = modelOf(graph, [ev.buildStarted(graph.map((n) => n.id)), ...graph.map((n, i) => ev.succeeded(n.id, 0, (i + 1) * 1000)), ev.buildFinished(40_000)]);
  model.setOutputs([{ path: 'out/srv.iso', bytes: 300 * 1024 * 1024 }]);
  const frame = app(model, { final: true, columns: 100 }).lastFrame()!;
  t.true(frame.includes('     ✓ squashfs 6s  ✓ boot-files 7s'));
  t.regex(frame, /^✓ build ok in 40s: 8 built, 0 cached$/m);
  // boot-files took longer than squashfs here.
  t.regex(frame, /^ {2}critical path 30s: srv: bootstrap → packages → overlay → hooks → cleanup → boot-files → iso$/m);
  t.regex(frame, /^ {2}out\/srv\.iso {2}300MiB$/m);
  t.false(frame.includes('q quit'));
});

test('a 40-column terminal: nothing wraps, names are cut', (t) => {
  const { graph, events } = midBuild();
  const frame = app(modelOf(graph, [...events, ev.output('server-mini/cleanup', `${'x'.repeat(200)}\n`)]), { columns: 40 }).lastFrame()!;
  const lines = frame.split('\n');
  t.true(lines.length <= 23);
  for (const l of lines) t.true(width(l) <= 40, JSON.stringify(l));
  t.true(lines.some((l) => l.endsWith('…')));
  t.true(lines.includes('     · squashfs  · boot-files'));
});

test('NO_COLOR: not one escape sequence; with colour there are some', (t) => {
  const { graph, events } = midBuild();
  const model = modelOf(graph, events);
  const bare = app(model).lastFrame()!;
  t.false(bare.includes('\u001B'), JSON.stringify(bare));
  const coloured = app(model, { paint: painter(true) }).lastFrame()!;
  t.regex(coloured, /\u001B\[3\dm/);
});

test('keys: arrows select, l opens the log and esc leaves it, q quits', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-live-app-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'cleanup.log');
  writeFileSync(log, 'removing machine-id\nwriting hostname\nthe whole log\n');
  const { graph, events } = midBuild();
  events[events.findIndex((e) => e.type === 'started' && e.target === 'server-mini/cleanup')] = ev.started('server-mini/cleanup', 4300, log);
  const { stdin, lastFrame, quits } = app(modelOf(graph, events));

  stdin.write(KEYS.down);
  await frameWhere(lastFrame, (f) => f.includes('› server-mini/cleanup: running'));
  stdin.write(KEYS.up);
  await frameWhere(lastFrame, (f) => f.includes('› server-mini/hooks: built in 3s'));
  stdin.write(KEYS.down);
  stdin.write(KEYS.down);
  await frameWhere(lastFrame, (f) => f.includes('› server-mini/squashfs: waits for server-mini/cleanup'));
  stdin.write(KEYS.right);
  await frameWhere(lastFrame, (f) => f.includes('› server-mini/boot-files'));
  stdin.write(KEYS.up);
  await frameWhere(lastFrame, (f) => f.includes('› server-mini/cleanup'));

  stdin.write('l');
  const logView = await frameWhere(lastFrame, (f) => f.includes('the whole log'));
  t.regex(logView, /^log server-mini\/cleanup /);
  t.regex(logView, /lines 1-3 of 3, following/);
  t.is(quits.length, 0, 'q in the log view goes back, it does not quit');
  stdin.write('q');
  await frameWhere(lastFrame, (f) => f.includes('↑↓←→ select'));
  stdin.write(KEYS.enter);
  await frameWhere(lastFrame, (f) => f.includes('the whole log'));
  stdin.write(KEYS.escape);
  await frameWhere(lastFrame, (f) => f.includes('↑↓←→ select'));
  t.is(quits.length, 0);

  stdin.write('q');
  await frameWhere(lastFrame, (f) => f.includes('stopping'));
  t.is(quits.length, 1);
  stdin.write(KEYS.ctrlC);
  await frameWhere(() => String(quits.length), (n) => n === '2');
});

test('a target that did not run has no log to open', async (t) => {
  const { graph, events } = midBuild();
  const { stdin, lastFrame } = app(modelOf(graph, events));
  stdin.write(KEYS.up);
  stdin.write(KEYS.up);
  stdin.write(KEYS.up);
  stdin.write(KEYS.up);
  stdin.write(KEYS.up);
  await frameWhere(lastFrame, (f) => f.includes('› server-mini/bootstrap: cached'));
  stdin.write('l');
  await frameWhere(lastFrame, (f) => f.includes('no log: the target did not run in this build'));
  t.pass();
});
