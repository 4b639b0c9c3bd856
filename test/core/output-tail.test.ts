import test from 'ava';
import { OutputTail, sanitize } from '../../src/core/output-tail.ts';

test('sanitize: CSI, OSC and charset escapes, control characters and tabs out', (t) => {
  t.is(sanitize('\x1b[1;32mok\x1b[0m\tdone\x07\x1b]0;title\x07'), 'ok  done');
  t.is(sanitize('\x1b[0;32m  OK  \x1b[0m] Started\x07 x'), '  OK  ] Started x');
  t.is(sanitize('\x1b[?2004hroot@h:~# '), 'root@h:~# ');
  // An OSC 8 hyperlink, ended by ST: the text stays, the link goes.
  t.is(sanitize('see \x1b]8;;https://example.org\x1b\\docs\x1b]8;;\x1b\\ here'), 'see docs here');
  t.is(sanitize('\x1b(Bplain\x1b='), 'plain');
});

test('lines across chunks, \\r starts a line over, the last n kept', (t) => {
  const l = new OutputTail(3);
  l.push('one\ntw');
  l.push('o\r\nthree\n\r[==  ] 10%\r[=== ] 50%');
  t.deepEqual(l.last(3), ['two', 'three', '[=== ] 50%']);
  l.push('\n\x1b[31mred\x1b[0m\n');
  t.deepEqual(l.last(2), ['[=== ] 50%', 'red']);
  t.deepEqual(l.last(10), ['one', 'two', 'three', '[=== ] 50%', 'red']);
  for (let i = 0; i < 100; i++) l.push(`line ${i}\n`);
  t.deepEqual(l.all(), ['line 97', 'line 98', 'line 99']);
});

test('a CRLF split between two chunks ends the line; it does not start it over', (t) => {
  const l = new OutputTail(5);
  l.push('login: root\r');
  l.push('\nPassword: ');
  t.deepEqual(l.last(), ['login: root', 'Password:']);
  l.push('\r');
  l.push('again');
  t.deepEqual(l.last(), ['login: root', 'again']);
});

test('empty lines are left out of last(); trailing blanks are cut', (t) => {
  const tail = new OutputTail(3);
  tail.push('one\ntw');
  tail.push('o\r\nthree  \n\nfour\nfi');
  t.deepEqual(tail.last(), ['three', 'four', 'fi']);
});
