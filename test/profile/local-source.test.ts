// A custom package's folder is read where it was declared (localSource): its name, binaries
// and version from debian/, every file as an input; a folder that is no native Debian source
// is refused at the declaration, naming the file.

import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { localSource } from '../../src/dsl/package.ts';
import { readLocalSource } from '../../src/profile/local-source.ts';
import { checkPackageDecl } from '../../src/profile/package-decls.ts';

const CONTROL = 'Source: motd\nMaintainer: a <a@b>\nBuild-Depends: debhelper-compat (= 13)\n\nPackage: motd\nArchitecture: all\nDepends: ${misc:Depends}\nDescription: x\n y\n\nPackage: motd-doc\nArchitecture: all\nDescription: x\n y\n';
const CHANGELOG = 'motd (1.2) bookworm; urgency=medium\n\n  * First.\n\n -- a <a@b>  Tue, 14 Nov 2023 22:13:20 +0000\n';

/** features/web/motd/ with a native source, `files` overriding or adding (null removes). */
function feature(t: { teardown(fn: () => void): void }, files: Record<string, string | null> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-local-source-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'features/web');
  const all: Record<string, string | null> = { 'debian/control': CONTROL, 'debian/changelog': CHANGELOG, 'debian/rules': '#!/usr/bin/make -f\n%:\n\tdh $@\n', 'debian/source/format': '3.0 (native)\n', 'motd.txt': 'hello\n', ...files };
  for (const [name, text] of Object.entries(all)) {
    if (text === null) continue;
    const path = join(dir, 'motd', name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  if (all['debian/rules'] !== null) chmodSync(join(dir, 'motd/debian/rules'), 0o755);
  return dir;
}

test('a native source folder gives its binaries, version, files and which are executable', (t) => {
  const dir = feature(t);
  const r = readLocalSource('motd', 'motd', dir);
  if (!r.ok) return t.fail(r.error.message);
  t.deepEqual(r.value.binaries, ['motd', 'motd-doc']);
  t.is(r.value.version, '1.2');
  t.deepEqual(r.value.files.map((f) => f.slice(join(dir, 'motd/').length)), ['debian/changelog', 'debian/control', 'debian/rules', 'debian/source/format', 'motd.txt']);
  t.deepEqual(r.value.executables, ['debian/rules']);
});

test("what an image's lock depends on moves with debian/control and the version, not with other files", (t) => {
  const relations = (files: Record<string, string>) => {
    const r = readLocalSource('motd', 'motd', feature(t, files));
    return r.ok ? r.value.relations : r.error.message;
  };
  const base = relations({});
  t.is(relations({ 'motd.txt': 'hello, world\n' }), base);
  t.not(relations({ 'debian/control': CONTROL.replace('${misc:Depends}', '${misc:Depends}, jq') }), base);
  t.not(relations({ 'debian/changelog': CHANGELOG.replace('(1.2)', '(1.3)') }), base);
});

test('a folder that is no native Debian source is refused, naming what is wrong', (t) => {
  const message = (files: Record<string, string | null>, name = 'motd', dir = 'motd') => {
    const r = readLocalSource(name, dir, feature(t, files));
    return r.ok ? 'ok' : r.error.message;
  };
  t.is(message({}, 'motd', 'nope'), 'nope is not a folder of the feature');
  t.is(message({ 'debian/control': null }), 'web/motd/debian/control is missing');
  t.is(message({}, 'mtod'), 'web/motd/debian/control names source "motd", not mtod');
  t.is(message({ 'debian/control': 'Source: motd\n' }), 'web/motd/debian/control declares no binary package (no Package: stanza)');
  t.is(message({ 'debian/changelog': 'hello\n' }), 'web/motd/debian/changelog:1: not an entry\'s header: "hello"');
  t.is(message({ 'debian/rules': null }), 'web/motd/debian/rules is missing');
  t.is(message({ 'debian/source/format': '3.0 (quilt)\n' }), 'web/motd/ is a 3.0 (quilt) source; a local source is built as it is, a native one');
});

test('the declaration names the package and its file:line; a local source needs no suffix', (t) => {
  const dir = feature(t);
  const decl = localSource('motd', { dir: 'nope' });
  const r = checkPackageDecl(decl, 'web', dir);
  t.false(r.ok);
  if (!r.ok) {
    t.is(r.error.message, 'package motd: nope is not a folder of the feature');
    t.is(r.error.at?.line, decl.at?.line);
  }
  const good = checkPackageDecl(localSource('motd', { dir: 'motd' }), 'web', dir);
  t.true(good.ok);
  t.is(good.ok && good.value.decl.suffix, '');
  t.false(checkPackageDecl(localSource('motd', { dir: 'motd', suffix: 'x1' }), 'web', dir).ok);
});
