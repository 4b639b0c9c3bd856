import test from 'ava';
import { formatLock, parseLock, parseLockFile, type Lock, type LockedPackage } from '../../src/archive/lock-file.ts';

const MIRROR = 'http://deb.debian.org/debian';
const pkg = (stage: LockedPackage['stage'], name: string, version: string): LockedPackage => ({
  stage, name, version, architecture: 'amd64', size: 1000 + name.length, sha256: name.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a'), mirror: MIRROR, filename: `pool/main/${name[0]}/${name}/${name}_${version}_amd64.deb`,
});

const LOCK: Lock = new Map([
  ['web', { inputs: '0123456789abcdef', sources: [{ mirror: MIRROR, suite: 'bookworm', date: '2026-07-11T10:16:37Z' }], packages: [pkg('packages', 'nginx', '1.22.1-9'), pkg('bootstrap', 'zstd', '1.5.4'), pkg('bootstrap', 'acl', '2.3.1-3')] }],
  ['db', { inputs: 'fedcba9876543210', sources: [{ mirror: MIRROR, suite: 'bookworm', date: '2026-07-11T10:16:37Z' }], packages: [pkg('bootstrap', 'acl', '2.3.1-3')] }],
]);

test('a lock is one sorted line per package, and parses back to what was written', (t) => {
  const text = formatLock(LOCK);
  const lines = text.split('\n').filter((l) => l.startsWith('package '));
  t.deepEqual(lines.map((l) => l.split(' ').slice(1, 4).join(' ')), ['db bootstrap acl', 'web bootstrap acl', 'web bootstrap zstd', 'web packages nginx']);
  const parsed = parseLock(text, 'mkimage.lock');
  if (!parsed.ok) return t.fail(parsed.error.message);
  t.is(formatLock(parsed.value), text);
  const { line, ...nginx } = parsed.value.get('web')!.packages.find((p) => p.name === 'nginx')!;
  t.deepEqual(nginx, pkg('packages', 'nginx', '1.22.1-9'));
  t.true(text.split('\n')[line! - 1]!.startsWith('package web packages nginx '), 'each package knows its line: the entry manifests point to');
});

test('one version moving changes one line of the lock', (t) => {
  const moved: Lock = new Map([...LOCK].map(([d, l]) => [d, { ...l, packages: l.packages.map((p) => (p.name === 'nginx' ? { ...p, version: '1.22.1-9+deb12u1' } : p)) }]));
  const before = formatLock(LOCK).split('\n');
  const after = formatLock(moved).split('\n');
  t.deepEqual(after.filter((l, i) => l !== before[i]).length, 1);
});

test('what does not parse is an error at file:line', (t) => {
  const text = formatLock(LOCK).split('\n');
  const at = (broken: string[]) => {
    const r = parseLock(broken.join('\n'), 'mkimage.lock');
    return r.ok ? 'parsed' : `${r.error.at?.line}: ${r.error.message}`;
  };
  const row = text.findIndex((l) => l.startsWith('package web packages nginx'));
  t.regex(at(text.map((l, i) => (i === row ? l.replace(/ [0-9a-f]{64} /, ' xyz ') : l))), new RegExp(`^${row + 1}: nginx: xyz is not a sha256`));
  t.regex(at([...text, 'packge web bootstrap x']), /^\d+: unknown line "packge"/);
  t.regex(at(['package web bootstrap a 1 amd64 1 ' + 'a'.repeat(64) + ' http://m p']), /^1: a package of web before its distro line/);
  t.regex(at(text.map((l, i) => (i === row ? l.replace(' packages ', ' pkgs ') : l))), /unknown stage pkgs/);
});

test("a distro's local binaries are one line each, after its packages, and parse back", (t) => {
  const local: Lock = new Map([['web', { ...LOCK.get('web')!, local: [{ build: 'motd', name: 'motd-doc', version: '1.2', architecture: 'all' }, { build: 'motd', name: 'motd', version: '1.2', architecture: 'amd64' }] }]]);
  const text = formatLock(local);
  const lines = text.trim().split('\n');
  t.deepEqual(lines.slice(-2), ['local web motd motd 1.2 amd64', 'local web motd motd-doc 1.2 all']);
  const parsed = parseLock(text, 'mkimage.lock');
  if (!parsed.ok) return t.fail(parsed.error.message);
  t.is(formatLock(parsed.value), text);
  t.is(parsed.value.get('web')!.local![0]!.line, lines.length - 1);
  // A distro without local sources writes no such line (and its lock reads as before).
  t.notRegex(formatLock(LOCK), /^local /m);
  const bad = parseLock(`${text}local web motd\n`, 'mkimage.lock');
  t.regex(bad.ok ? 'parsed' : `${bad.error.at?.line}: ${bad.error.message}`, /^\d+: a local line is `local DISTRO BUILD NAME VERSION ARCH`/);
});

test('the build chroot of the package builds is pinned in buildd lines, at the end, and parses back', (t) => {
  const chroot = { inputs: '0a1b2c3d4e5f6a7b', sources: [{ mirror: MIRROR, suite: 'bookworm', date: '2026-07-11T10:16:37Z' }], packages: [pkg('bootstrap', 'make', '4.3-4.1'), pkg('bootstrap', 'gcc-12', '12.2.0-14')] };
  const text = formatLock(LOCK, new Map(), new Map([['bookworm-amd64', chroot]]));
  const lines = text.trim().split('\n');
  t.deepEqual(lines.slice(-4).map((l) => l.split(' ').slice(0, 4).join(' ')), ['buildd bookworm-amd64 inputs 0a1b2c3d4e5f6a7b', `buildd bookworm-amd64 source ${MIRROR}`, 'buildd bookworm-amd64 package gcc-12', 'buildd bookworm-amd64 package make']);
  const parsed = parseLockFile(text, 'mkimage.lock');
  if (!parsed.ok) return t.fail(parsed.error.message);
  t.is(formatLock(parsed.value.distros, parsed.value.builds, parsed.value.chroots), text);
  t.deepEqual([...parsed.value.distros.keys()], ['db', 'web'], 'a build chroot is no distro');
  const { line: _, ...gcc } = parsed.value.chroots.get('bookworm-amd64')!.packages.find((p) => p.name === 'gcc-12')!;
  t.deepEqual(gcc, pkg('bootstrap', 'gcc-12', '12.2.0-14'));
  const bad = parseLockFile(`${text}buildd bookworm-amd64 pakage x\n`, 'mkimage.lock');
  t.regex(bad.ok ? 'parsed' : `${bad.error.at?.line}: ${bad.error.message}`, /^\d+: a buildd line is `buildd SUITE-ARCH inputs DIGEST`/);
});

test('the build dependencies of each source are pinned in build-deps lines, last, and parse back; a bad one names its line', (t) => {
  const deps = new Map([
    ['jshon', { inputs: '1a1b2c3d4e5f6a7b', packages: [pkg('build-deps', 'pkgconf', '1.8.1-1')] }],
    ['jansson', { inputs: '0a1b2c3d4e5f6a7b', packages: [pkg('build-deps', 'debhelper', '13.11.4'), pkg('build-deps', 'dh-autoreconf', '20')] }],
  ]);
  const text = formatLock(LOCK, new Map(), new Map(), deps);
  const lines = text.trim().split('\n');
  t.deepEqual(lines.slice(-6).map((l) => l.split(' ').slice(0, 4).join(' ')), [
    'build-deps jansson inputs 0a1b2c3d4e5f6a7b',
    'build-deps jansson package debhelper',
    'build-deps jansson package dh-autoreconf',
    '',
    'build-deps jshon inputs 1a1b2c3d4e5f6a7b',
    'build-deps jshon package pkgconf',
  ]);
  const parsed = parseLockFile(text, 'mkimage.lock');
  if (!parsed.ok) return t.fail(parsed.error.message);
  t.is(formatLock(parsed.value.distros, parsed.value.builds, parsed.value.chroots, parsed.value.buildDeps), text);
  const { line, ...debhelper } = parsed.value.buildDeps.get('jansson')!.packages[0]!;
  t.deepEqual(debhelper, pkg('build-deps', 'debhelper', '13.11.4'));
  t.true(lines[line! - 1]!.startsWith('build-deps jansson package debhelper 13.11.4 '), 'each knows its line');
  const errors = [
    [`${text}build-deps jshon inputs 1a1b2c3d4e5f6a7b\n`, /^\d+: the build dependencies of jshon are locked twice/],
    [`${text}build-deps curl package x 1 amd64 1 ${'0'.repeat(64)} ${MIRROR} pool/x.deb\n`, /^\d+: a build dependency of curl before its inputs line/],
    [`${text}build-deps jshon pakage x\n`, /^\d+: unknown build-deps line "pakage" \(inputs or package\)/],
    [`${text}build-deps jshon package x 1 amd64 big ${'0'.repeat(64)} ${MIRROR} pool/x.deb\n`, /^\d+: size big is not a number/],
  ] as const;
  for (const [bad, message] of errors) {
    const r = parseLockFile(bad, 'mkimage.lock');
    t.regex(r.ok ? 'parsed' : `${r.error.at?.line}: ${r.error.message}`, message);
  }
});

test('a buildd entry written twice is said to be the buildd entry', (t) => {
  const chroot = { inputs: '0a1b2c3d4e5f6a7b', sources: [], packages: [] };
  const text = formatLock(LOCK, new Map(), new Map([['bookworm-amd64', chroot]]));
  const r = parseLockFile(`${text}buildd bookworm-amd64 inputs 0a1b2c3d4e5f6a7b\n`, 'mkimage.lock');
  t.regex(r.ok ? 'parsed' : r.error.message, /^buildd bookworm-amd64 is locked twice/);
});
