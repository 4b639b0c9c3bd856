import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInRoot } from '../../src/image/root-path.ts';

function root(t: { teardown: (f: () => void) => void }): string {
  const r = mkdtempSync(join(tmpdir(), 'mkimage-root-'));
  t.teardown(() => rmSync(r, { recursive: true, force: true }));
  mkdirSync(join(r, 'usr/lib'), { recursive: true });
  symlinkSync('usr/lib', join(r, 'lib'));
  symlinkSync('/usr/lib', join(r, 'abs'));
  symlinkSync('../../..', join(r, 'usr/lib/up'));
  return r;
}

test('relative and absolute links resolve inside the root', async (t) => {
  const r = root(t);
  t.is(await resolveInRoot(r, 'lib/systemd/x.service'), 'usr/lib/systemd/x.service');
  t.is(await resolveInRoot(r, '/abs/x'), 'usr/lib/x');
});

test('.. stops at the root, as in a chroot', async (t) => {
  const r = root(t);
  t.is(await resolveInRoot(r, 'usr/lib/up/etc'), 'etc');
  t.is(await resolveInRoot(r, '../../etc/passwd'), 'etc/passwd');
});

test('the last component is kept as written when asked', async (t) => {
  const r = root(t);
  t.is(await resolveInRoot(r, 'lib', false), 'lib');
  t.is(await resolveInRoot(r, 'lib', true), 'usr/lib');
});

test('a link loop is an error', async (t) => {
  const r = root(t);
  symlinkSync('loop2', join(r, 'loop1'));
  symlinkSync('loop1', join(r, 'loop2'));
  await t.throwsAsync(resolveInRoot(r, 'loop1/x'), { message: /too many levels/ });
});
