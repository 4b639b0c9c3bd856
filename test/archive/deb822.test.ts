import test from 'ava';
import { parseDeb822 } from '../../src/archive/deb822.ts';

test('stanzas with their first line; names case-insensitive; continuation lines joined; comments skipped', (t) => {
  const stanzas = parseDeb822('# a comment\nPackage: acl\nVersion: 2.3.1-3\nDescription: access control\n lists\n .\n more\n\n\nPackage: zstd\nMulti-Arch: foreign\n');
  t.is(stanzas.length, 2);
  t.is(stanzas[0]!.line, 2);
  t.is(stanzas[0]!.fields.get('description'), 'access control\nlists\n\nmore');
  t.is(stanzas[1]!.line, 10);
  t.is(stanzas[1]!.fields.get('multi-arch'), 'foreign');
});

test('CRLF line ends and a missing final newline are fine', (t) => {
  t.deepEqual([...parseDeb822('Package: a\r\nVersion: 1\r\n')[0]!.fields], [['package', 'a'], ['version', '1']]);
});
