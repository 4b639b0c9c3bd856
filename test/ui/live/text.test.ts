import test from 'ava';
import { clock, sanitize, TextLines, truncate, truncateStart, width } from '../../../src/ui/live/text.ts';

test('sanitize: escapes, control characters and tabs out', (t) => {
  t.is(sanitize('\x1b[1;32mok\x1b[0m\tdone\x07\x1b]0;title\x07'), 'ok  done');
});

test('width and truncate count columns, wide characters as two', (t) => {
  t.is(width('abc'), 3);
  t.is(width('日本'), 4);
  t.is(truncate('abcdef', 4), 'abc…');
  t.is(truncate('abc', 3), 'abc');
  t.is(width(truncate('日本語の文', 5)), 5);
  t.is(truncateStart('/root/.cache/mkimage/logs/x.log', 10), '…ogs/x.log');
  t.is(truncate('abc', 0), '');
});

test('clock: whole seconds, then minutes, then hours', (t) => {
  t.deepEqual([clock(999), clock(7_400), clock(62_000), clock(3_725_000), clock(-5)], ['0s', '7s', '1m02s', '1h02m', '0s']);
});

test('TextLines: lines across chunks, \\r starts a line over, the last n kept', (t) => {
  const l = new TextLines(3);
  l.push('one\ntw');
  l.push('o\r\nthree\n\r[==  ] 10%\r[=== ] 50%');
  t.deepEqual(l.last(3), ['two', 'three', '[=== ] 50%']);
  l.push('\n\x1b[31mred\x1b[0m\n');
  t.deepEqual(l.last(2), ['[=== ] 50%', 'red']);
  t.deepEqual(l.last(10), ['one', 'two', 'three', '[=== ] 50%', 'red']);
  for (let i = 0; i < 100; i++) l.push(`line ${i}\n`);
  t.deepEqual(l.all(), ['line 97', 'line 98', 'line 99']);
});
