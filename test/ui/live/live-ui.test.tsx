import test from 'ava';
import { EventEmitter } from 'node:events';
import { startLiveUi } from '../../../src/ui/live/live-ui.tsx';
import { ev, imageGraph } from './helpers/events.ts';

/** A terminal as ink sees it: a size, and everything written kept. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  columns = 80;
  rows = 24;
  readonly writes: string[] = [];
  write = (chunk: string) => {
    this.writes.push(String(chunk));
    return true;
  };
  text = () => this.writes.join('');
}

/** Keys as ink reads them from a terminal in raw mode. */
class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  #data: string | null = null;
  press(data: string) {
    this.#data = data;
    this.emit('readable');
  }
  read = () => {
    const d = this.#data;
    this.#data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

function start(noColor: boolean) {
  const stdout = new FakeTerminal();
  const stdin = new FakeKeyboard();
  const quits: number[] = [];
  const graph = imageGraph('srv');
  const ui = startLiveUi({
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    graph,
    noColor,
    onQuit: () => void quits.push(1),
    now: () => 10_000,
  });
  return { ui, stdout, stdin, quits, graph };
}

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/;

test('events never draw by themselves; finish draws the summary and stops', async (t) => {
  const { ui, stdout, graph } = start(true);
  const before = stdout.writes.length;
  ui.emit(ev.buildStarted(graph.map((n) => n.id)));
  ui.emit(ev.started('srv/bootstrap', 0));
  for (let i = 0; i < 5000; i++) ui.emit(ev.output('srv/bootstrap', `Get:${i} http://deb.debian.org/debian pkg${i} [1 kB]\n`));
  t.is(stdout.writes.length, before, 'no frame per event');
  ui.emit(ev.succeeded('srv/bootstrap', 5000, 5000));
  for (const n of graph.slice(1)) ui.emit(ev.cached(n.id));
  ui.emit(ev.buildFinished(6000));
  ui.showOutputs([{ path: 'out/srv.iso', bytes: 1024 }]);
  await ui.finish();
  const text = stdout.text();
  t.regex(text, /✓ build ok in 6s: 1 built, 7 cached/);
  t.regex(text, /out\/srv\.iso {2}1\.0KiB/);
  const after = stdout.writes.length;
  await ui.finish();
  await new Promise((r) => setTimeout(r, 250));
  t.is(stdout.writes.length, after, 'nothing drawn after finish');
});

test('NO_COLOR: no SGR sequence is written; with colour some are', async (t) => {
  for (const noColor of [true, false]) {
    const { ui, stdout, graph } = start(noColor);
    ui.emit(ev.buildStarted(graph.map((n) => n.id)));
    ui.emit(ev.failed('srv/bootstrap', 10, 10, 'mmdebstrap exited with 1'));
    ui.emit(ev.buildFinished(20, { ok: false }));
    await ui.finish();
    t.is(SGR.test(stdout.text()), !noColor, `noColor=${noColor}`);
    t.regex(stdout.text(), /✗ build failed/);
  }
});

test('q asks the owner to stop the build; the UI goes on until finish', async (t) => {
  const { ui, stdin, quits, graph } = start(true);
  ui.emit(ev.buildStarted(graph.map((n) => n.id)));
  ui.emit(ev.started('srv/bootstrap', 0));
  for (let i = 0; i < 100 && quits.length === 0; i++) {
    stdin.press('q');
    await new Promise((r) => setTimeout(r, 20));
  }
  t.true(quits.length >= 1);
  ui.emit(ev.aborted('srv/bootstrap', 100, 100));
  ui.emit(ev.buildFinished(100, { ok: false, interrupted: true }));
  await ui.finish();
});
