import test from 'ava';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFile, logWindow, scrollBy, topLine } from '../../../src/ui/live/log-file.ts';
import { painter } from '../../../src/ui/live/paint.ts';

function tempLog(t: { teardown(f: () => void): void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-live-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'x.log');
  writeFileSync(path, text);
  return path;
}

test('reads the log, then only what was appended, as a terminal shows it', (t) => {
  const path = tempLog(t, 'one\ntwo\n\r[=  ] 10%');
  const log = new LogFile(path);
  t.deepEqual(log.lines(), ['one', 'two', '[=  ] 10%']);
  appendFileSync(path, '\r[===] 90%\n\x1b[1mthree\x1b[0m\n');
  log.refresh();
  t.deepEqual(log.lines(), ['one', 'two', '[===] 90%', 'three']);
  // A log written over from the start (a new build of the target) is read again.
  writeFileSync(path, 'new\n');
  log.refresh();
  t.deepEqual(log.lines(), ['new']);
  t.is(log.error, undefined);
});

test('a missing log is an error to show, not a crash', (t) => {
  const log = new LogFile(join(tmpdir(), 'mkimage-no-such-log', 'x.log'));
  t.is(log.error, 'the log file is gone');
  t.deepEqual(log.lines(), []);
});

test('scrolling: follows the end until moved, clamped to the log, back to following at the end', (t) => {
  t.is(topLine(100, 10, { follow: true }), 90);
  t.is(topLine(5, 10, { follow: true }), 0);
  const up = scrollBy(100, 10, { follow: true }, -15);
  t.deepEqual(up, { follow: false, top: 75 });
  t.deepEqual(scrollBy(100, 10, up, -100), { follow: false, top: 0 });
  t.deepEqual(scrollBy(100, 10, up, 15), { follow: true });
  const plain = painter(false);
  t.deepEqual(logWindow(['a', 'bbbbbbbbbb', 'c'], 2, 5, { follow: false, top: 1 }).map(plain), ['bbbb…', 'c']);
});
