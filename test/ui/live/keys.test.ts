import test from 'ava';
import { initialUi, onKey, type KeyPress, type UiState } from '../../../src/ui/live/keys.ts';
import { ev, id, midBuild, modelOf } from './helpers/events.ts';

const none: KeyPress = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false };
const press = (k: Partial<KeyPress>) => ({ ...none, ...k });

function ctx(logLines = 0) {
  const { graph, events } = midBuild();
  return { model: modelOf(graph, [...events, ev.failed('server-mini/cleanup', 9000, 4700)]), cells: [], logLines, logHeight: 10 };
}

test('enter with nothing selected opens the first failure\'s log', (t) => {
  const r = onKey(initialUi, '', press({ return: true }), ctx());
  t.false(r.quit);
  t.deepEqual(r.state.view, { kind: 'log', target: id('server-mini/cleanup'), scroll: { follow: true } });
  t.is(r.state.selected, id('server-mini/cleanup'));
});

test('the log view scrolls by line, page and to either end, and esc, q or ← go back', (t) => {
  const c = ctx(100);
  let s: UiState = { ...initialUi, view: { kind: 'log', target: id('server-mini/cleanup'), scroll: { follow: true } } };
  const key = (input: string, k: Partial<KeyPress> = {}) => (s = onKey(s, input, press(k), c).state);
  key('', { pageUp: true });
  t.deepEqual(s.view, { kind: 'log', target: id('server-mini/cleanup'), scroll: { follow: false, top: 80 } });
  key('k');
  key('', { upArrow: true });
  t.like(s.view, { scroll: { follow: false, top: 78 } });
  key('g');
  t.like(s.view, { scroll: { follow: false, top: 0 } });
  key('', { end: true });
  t.like(s.view, { scroll: { follow: true } });
  for (const back of [{ input: 'q' }, { input: '', k: { escape: true } }, { input: '', k: { leftArrow: true } }]) {
    const r = onKey(s, back.input, press(back.k ?? {}), c);
    t.deepEqual(r.state.view, { kind: 'graph' });
    t.false(r.quit);
  }
});

test('q quits from the graph, Ctrl-C from anywhere', (t) => {
  t.like(onKey(initialUi, 'q', none, ctx()), { quit: true, state: { stopping: true } });
  const inLog: UiState = { ...initialUi, view: { kind: 'log', target: id('x'), scroll: { follow: true } } };
  t.true(onKey(inLog, 'c', press({ ctrl: true }), ctx()).quit);
  t.false(onKey(initialUi, 'x', none, ctx()).quit);
});
