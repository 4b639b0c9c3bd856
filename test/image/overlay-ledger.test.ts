import test from 'ava';
import { covers, OverlayLedger } from '../../src/image/overlay-ledger.ts';

test('directories merge between features', (t) => {
  const l = new OverlayLedger();
  t.true(l.claim('etc', 'etc', 'a', 'dir', []));
  t.true(l.claim('etc', 'etc', 'b', 'dir', []));
  t.deepEqual(l.clashes, []);
});

test('a file written by two features is a clash naming both, in order', (t) => {
  const l = new OverlayLedger();
  t.true(l.claim('etc/motd', 'etc/motd', 'base', 'file', []));
  t.false(l.claim('etc/motd', 'etc/motd', 'web', 'file', []));
  t.deepEqual(l.clashes, [{ path: 'etc/motd', first: 'base', second: 'web', kind: 'file' }]);
});

test('the later feature may replace a path it lists, or one under a directory it lists', (t) => {
  const l = new OverlayLedger();
  l.claim('etc/motd', 'etc/motd', 'base', 'file', []);
  l.claim('etc/nginx/nginx.conf', 'etc/nginx/nginx.conf', 'base', 'file', []);
  t.true(l.claim('etc/motd', 'etc/motd', 'web', 'file', ['/etc/motd']));
  t.true(l.claim('etc/nginx/nginx.conf', 'etc/nginx/nginx.conf', 'web', 'symlink', ['etc/nginx/']));
  t.deepEqual(l.clashes, []);
});

test('an override may name the path as the feature wrote it (through a root symlink)', (t) => {
  const l = new OverlayLedger();
  l.claim('usr/lib/x.conf', 'lib/x.conf', 'a', 'file', []);
  t.true(l.claim('usr/lib/x.conf', 'lib/x.conf', 'b', 'file', ['lib/x.conf']));
});

test('a directory where another feature has a file is a type clash', (t) => {
  const l = new OverlayLedger();
  l.claim('etc/x', 'etc/x', 'a', 'file', []);
  t.false(l.claim('etc/x', 'etc/x', 'b', 'dir', []));
  t.is(l.clashes[0]?.kind, 'type');
});

test('covers: leading ./ and / and trailing / do not matter; prefixes are whole components', (t) => {
  t.true(covers(['./etc/ssh/'], 'etc/ssh/sshd_config'));
  t.true(covers(['/etc/ssh'], 'etc/ssh'));
  t.false(covers(['etc/ss'], 'etc/ssh/sshd_config'));
  t.false(covers([], 'etc'));
});
