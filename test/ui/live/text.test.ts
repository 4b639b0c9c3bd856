import test from 'ava';
import { clock, firstLine, truncate, truncateStart, width } from '../../../src/ui/live/text.ts';

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

test('firstLine: the headline of a message', (t) => {
  t.is(firstLine('hook net/10 exited with 1\n  | detail'), 'hook net/10 exited with 1');
  t.is(firstLine(''), '');
});
