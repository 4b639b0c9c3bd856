// Needs root: the overlay makes every file root's.
import test from 'ava';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OverlaySource } from '../../src/image/config.ts';
import { OverlayConflict } from '../../src/image/errors.ts';
import { overlay } from '../../src/image/stages/overlay.ts';
import { testConfig } from './helpers/image-config.ts';

interface Rig {
  root: string;
  feature(name: string, files: Record<string, string | { link: string }>, overrides?: string[]): OverlaySource;
  io: { signal: AbortSignal; tmp: string; output: () => void };
}

function rig(t: { teardown: (f: () => void) => void }): Rig {
  const base = mkdtempSync(join(tmpdir(), 'mkimage-overlay-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  mkdirSync(join(root, 'usr/lib'), { recursive: true });
  mkdirSync(join(root, 'etc/ssh'), { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  writeFileSync(join(root, 'etc/hostname'), 'bootstrap\n');
  return {
    root,
    io: { signal: new AbortController().signal, tmp: base, output: () => {} },
    feature(name, files, overrides = []) {
      const dir = join(base, 'features', name, 'rootfs');
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        if (typeof content === 'string') {
          writeFileSync(join(dir, path), content);
          // As in a checkout: a user's files, with the clone's mtime.
          chownSync(join(dir, path), 1000, 1000);
          utimesSync(join(dir, path), 1800000000, 1800000000);
        } else symlinkSync(content.link, join(dir, path));
      }
      return { feature: name, dir, overrides };
    },
  };
}

test('features are copied in order, root-owned, mode kept, mtime clamped, through the root links', async (t) => {
  const r = rig(t);
  const a = r.feature('a', { 'etc/motd': 'hi\n', 'lib/systemd/system/x.service': '[Unit]\n', 'usr/bin/tool': '#!/bin/sh\n' });
  chmodSync(join(a.dir, 'usr/bin/tool'), 0o4755);
  const b = r.feature('b', { 'etc/hostname': 'feature\n', 'etc/ssh/sshd_config.d/x.conf': 'X\n', 'etc/alias': { link: 'motd' } });
  await overlay(testConfig({ overlays: [a, b] }), r.root, r.io);
  t.is(readFileSync(join(r.root, 'etc/motd'), 'utf8'), 'hi\n');
  t.is(readFileSync(join(r.root, 'usr/lib/systemd/system/x.service'), 'utf8'), '[Unit]\n');
  t.true(lstatSync(join(r.root, 'lib')).isSymbolicLink(), 'the root link stays a link');
  // An overlay replaces what the bootstrap had: that is what overlays are for.
  t.is(readFileSync(join(r.root, 'etc/hostname'), 'utf8'), 'feature\n');
  t.is(readlinkSync(join(r.root, 'etc/alias')), 'motd');
  const tool = lstatSync(join(r.root, 'usr/bin/tool'));
  t.is(tool.mode & 0o7777, 0o4755);
  t.is(tool.uid, 0);
  t.is(tool.mtimeMs, 1700000000 * 1000);
  t.is(lstatSync(join(r.root, 'etc/ssh/sshd_config.d')).mtimeMs, 1700000000 * 1000);
});

test('two features writing one file: every clash at once, naming the path and both features', async (t) => {
  const r = rig(t);
  const a = r.feature('a', { 'etc/motd': 'a\n', 'etc/issue': 'a\n', 'etc/x/y': 'a\n' });
  const b = r.feature('b', { 'etc/motd': 'b\n', 'etc/issue': 'b\n', 'etc/x': 'file\n' });
  const e = await t.throwsAsync(overlay(testConfig({ overlays: [a, b] }), r.root, r.io), { instanceOf: OverlayConflict });
  t.deepEqual(
    e?.clashes.map((c) => [c.path, c.first, c.second, c.kind]),
    [
      ['etc/issue', 'a', 'b', 'file'],
      ['etc/motd', 'a', 'b', 'file'],
      ['etc/x', 'a', 'b', 'type'],
    ],
  );
  t.regex(e?.message ?? '', /etc\/motd: written by a and by b/);
  t.regex(e?.details.hint ?? '', /overrides: \['etc\/issue'\]/);
});

test('a declared override replaces the earlier feature\'s file; a clash through a root link is one', async (t) => {
  const r = rig(t);
  const a = r.feature('a', { 'etc/motd': 'a\n', 'lib/x.conf': 'a\n' });
  const b = r.feature('b', { 'etc/motd': 'b\n', 'usr/lib/x.conf': 'b\n' }, ['etc/motd']);
  const e = await t.throwsAsync(overlay(testConfig({ overlays: [a, b] }), r.root, r.io), { instanceOf: OverlayConflict });
  t.deepEqual(e?.clashes.map((c) => c.path), ['usr/lib/x.conf']);
  t.is(readFileSync(join(r.root, 'etc/motd'), 'utf8'), 'b\n');
});

test('a file over a directory of the root is an error', async (t) => {
  const r = rig(t);
  const a = r.feature('a', { 'etc/ssh': 'oops\n' });
  await t.throwsAsync(overlay(testConfig({ overlays: [a] }), r.root, r.io), { message: /would replace the directory \/etc\/ssh/ });
});

test("replacing a file a package ships warns, naming the package and the override to declare; a declared one does not", async (t) => {
  const r = rig(t);
  mkdirSync(join(r.root, 'var/lib/dpkg/info'), { recursive: true });
  writeFileSync(join(r.root, 'var/lib/dpkg/info/nginx-common.list'), '/.\n/etc\n/etc/nginx\n/etc/nginx/nginx.conf\n');
  writeFileSync(join(r.root, 'var/lib/dpkg/info/base-files:amd64.list'), '/etc/hostname\n/lib/os-release-x\n');
  mkdirSync(join(r.root, 'etc/nginx'));
  writeFileSync(join(r.root, 'etc/nginx/nginx.conf'), 'packaged\n');
  writeFileSync(join(r.root, 'usr/lib/os-release-x'), 'packaged\n');
  const warnings: string[] = [];
  const io = { ...r.io, warn: (m: string) => void warnings.push(m) };
  const web = r.feature('web', { 'etc/nginx/nginx.conf': 'mine\n', 'etc/hostname': 'web\n', 'lib/os-release-x': 'mine\n' }, ['etc/hostname']);
  await overlay(testConfig({ overlays: [web] }), r.root, io);
  t.is(readFileSync(join(r.root, 'etc/nginx/nginx.conf'), 'utf8'), 'mine\n', 'a warning, not a failure');
  t.deepEqual(warnings, [
    "web: rootfs/etc/nginx/nginx.conf replaces /etc/nginx/nginx.conf of package nginx-common; if that is meant, declare it: feature({ overrides: ['etc/nginx/nginx.conf'] })",
    "web: rootfs/lib/os-release-x replaces /usr/lib/os-release-x of package base-files; if that is meant, declare it: feature({ overrides: ['usr/lib/os-release-x'] })",
  ]);
});
