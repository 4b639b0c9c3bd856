import test from 'ava';
import { clean, LineTail } from '../../src/image/line-tail.ts';

test('keeps the last lines across chunks, an unfinished one too', (t) => {
  const tail = new LineTail(3);
  tail.push('one\ntw');
  tail.push('o\r\nthree\n\nfour\nfi');
  t.deepEqual(tail.lines(), ['three', 'four', 'fi']);
});

test('terminal escapes and control characters are taken out', (t) => {
  t.is(clean('\x1b[0;32m  OK  \x1b[0m] Started\x07 x'), '  OK  ] Started x');
  t.is(clean('\x1b[?2004hroot@h:~# '), 'root@h:~#');
});
