// Publishing and promotion end to end with real parts: releases of .debs built by dpkg-deb, signed by a gpg key
// of the test's own, checked by the real dose-distcheck against Debian's bookworm (fetched and
// verified as the lock names it). A release whose repository cannot be installed, or that
// would leave a package the target serves with an unmet dependency, is refused naming both
// packages; an ISO without a boot check is refused; a good release is linked, the same inodes,
// and becomes current; --dry-run changes nothing; a release that does not exist is listed. A
// full or read-only publish root, and a publisher killed mid-write, leave the current release.

import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashFile } from '../../src/cache/hash-file.js';
import { recordBoot } from '../../src/publish/boot-record.ts';
import { Edition } from '../../src/publish/edition.ts';
import { publishRelease } from '../../src/publish/publish.ts';
import { checkSums } from '../../src/publish/sums.ts';
import { makeArchiveKey, type ArchiveKey } from '../helpers/archive-key.ts';
import { ProjectRig } from '../helpers/project-rig.ts';

let key: ArchiveKey;
const work = mkdtempSync('/var/tmp/mkimage-promote-');
const root = join(work, 'root');
const rig = new ProjectRig({});
test.before(() => {
  key = makeArchiveKey('mkimage-promote');
});
test.after.always(() => {
  key.dispose();
  rig.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** A real .deb: `name version`, with a Depends line. */
function deb(name: string, version: string, depends: string): string {
  const dir = mkdtempSync(join(work, 'deb-'));
  mkdirSync(join(dir, 'DEBIAN'));
  mkdirSync(join(dir, 'usr/share/doc', name), { recursive: true });
  writeFileSync(join(dir, 'usr/share/doc', name, 'README'), `${name} ${version}\n`);
  writeFileSync(join(dir, 'DEBIAN/control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: test <test@test.invalid>\nDepends: ${depends}\nDescription: ${name} for the promotion test\n`);
  const file = join(work, `${name}_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', dir, file], { stdio: 'ignore' });
  return file;
}

const LOCK = `# mkimage lock 1: every package of each distro, pinned by \`mkimage lock\`. Commit it; review its diffs.

distro web inputs 79b1a0d609386644
source web http://deb.debian.org/debian bookworm 2026-07-11T10:16:37Z
`;

/** A release of `web` in `edition` holding these .debs and an image (`web.iso` of the given bytes). */
async function release(edition: string, debs: string[], image: string, now: string): Promise<string> {
  const out = mkdtempSync(join(work, 'out-'));
  writeFileSync(join(out, 'web.iso'), image);
  writeFileSync(join(out, 'web.iso.manifest.json'), JSON.stringify({ image: 'web.iso', packages: [] }));
  writeFileSync(join(out, 'mkimage.lock'), LOCK);
  const r = await publishRelease({
    edition: new Edition(root, 'web', edition),
    images: [{ file: join(out, 'web.iso'), manifest: join(out, 'web.iso.manifest.json') }],
    lock: join(out, 'mkimage.lock'),
    own: debs,
    suite: 'bookworm',
    signer: { key: key.uid, env: { GNUPGHOME: key.home }, signal: new AbortController().signal },
    now: new Date(now),
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.id;
}

const booted = (edition: string, id: string) => {
  const dir = join(root, 'web', edition, 'releases', id);
  return recordBoot(dir, { image: 'web.iso', sha256: hashFile(join(dir, 'images/web.iso')), firmware: 'BIOS', ok: true, said: 'login prompt after 50s (tcg)', at: '2026-12-03T10:00:00Z' });
};
const promote = (...args: string[]) => rig.run(['promote', 'web', '--root', root, ...args], { GNUPGHOME: key.home });
let first: string;

test.serial('a good release: every gate passes; it is linked into production, the same inodes, and becomes current', async (t) => {
  first = await release('testing', [deb('libfoo1', '1.0', 'libc6'), deb('app', '1.0', 'libfoo1 (= 1.0), bash')], 'iso one\n', '2026-12-01T10:00:00Z');
  const unbooted = await promote('--from', 'testing', '--to', 'production');
  t.is(unbooted.code, 1);
  t.regex(unbooted.stderr, new RegExp(`promotion of web ${first} to production refused: gate boot: web\\.iso has no boot check \\(mkimage boot \\S+/releases/${first}/images/web\\.iso records one\\)`));
  await booted('testing', first);
  const dry = await promote('--from', 'testing', '--to', 'production', '--dry-run');
  t.is(dry.code, 0, dry.stdout + dry.stderr);
  for (const gate of ['boot', 'signatures', 'installable', 'breaks-nothing']) t.regex(dry.stdout, new RegExp(`^  gate ${gate}: passed$`, 'm'));
  t.regex(dry.stdout, /dose-distcheck: the 2 packages of repo\/ install against the archive/);
  t.regex(dry.stdout, /^dry run: production is as it was$/m);
  const r = await promote('--from', 'testing', '--to', 'production');
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(readlinkSync(join(root, 'web/production/current')), `releases/${first}`);
  const ino = (edition: string) => statSync(join(root, 'web', edition, 'releases', first, 'images/web.iso')).ino;
  t.is(ino('production'), ino('testing'), 'the bytes that were tested, not a copy');
});

test.serial('a release whose package needs what neither it nor the archive has cannot be installed: refused, naming both', async (t) => {
  const id = await release('testing', [deb('libfoo1', '1.1', 'libc6'), deb('app', '1.1', 'libfoo1 (>= 1.1), libbar-missing')], 'iso two\n', '2026-12-02T10:00:00Z');
  await booted('testing', id);
  const r = await promote('--from', 'testing', '--to', 'production');
  t.is(r.code, 1);
  t.regex(r.stdout, /^  gate installable: FAILED\n {4}app 1\.1 cannot be installed: needs libbar-missing/m);
  t.is(readlinkSync(join(root, 'web/production/current')), `releases/${first}`);
});

test.serial('a release that leaves a package production serves with an unmet dependency is refused, naming the package and the one that breaks it', async (t) => {
  // libfoo1 moves on; app 1.0, which production serves and needs libfoo1 (= 1.0), is not in the release.
  const id = await release('testing', [deb('libfoo1', '2.0', 'libc6')], 'iso three\n', '2026-12-03T10:00:00Z');
  await booted('testing', id);
  const r = await promote('--from', 'testing', '--to', 'production');
  t.is(r.code, 1);
  t.regex(r.stdout, /^  gate breaks-nothing: FAILED\n {4}app 1\.0 \(served now\) needs libfoo1:amd64 \(= 1\.0\), and the release brings libfoo1 2\.0: the release must bring app too$/m);
  t.regex(r.stderr, /refused: gate breaks-nothing: app 1\.0/);
  t.regex(r.stdout, /packages: .*|^ {2}lock: the same$/m);
  t.is(readlinkSync(join(root, 'web/production/current')), `releases/${first}`);
});

test.serial('a release that does not exist is named with those that do; an unknown edition gets a did-you-mean', async (t) => {
  const r = await promote('--from', 'testing', '--to', 'production', '--release', `${first.slice(0, -1)}0`);
  t.is(r.code, 2);
  t.regex(r.stderr, new RegExp(`no release ${first.slice(0, -1)}0 in web testing: it has ${first}, \\S+, \\S+ \\(hint: did you mean ${first}\\?\\)`));
  const typo = await promote('--from', 'tseting', '--to', 'production');
  t.is(typo.code, 2);
  t.regex(typo.stderr, /web has no edition tseting in .* \(it has production, testing\) \(hint: did you mean testing\?\)/);
});

test.serial('a changed file of a release fails the signatures gate, naming the file', async (t) => {
  const id = await release('testing', [deb('libfoo1', '1.0', 'libc6'), deb('app', '1.0', 'libfoo1 (= 1.0), bash')], 'iso four\n', '2026-12-04T10:00:00Z');
  await booted('testing', id);
  const lock = join(root, 'web/testing/releases', id, 'mkimage.lock');
  rmSync(lock);
  writeFileSync(lock, `${LOCK}\n`);
  const r = await promote('--from', 'testing', '--to', 'production');
  t.is(r.code, 1);
  t.regex(r.stdout, /^  gate signatures: FAILED\n {4}mkimage\.lock has sha256 /m);
  // A signature that is not one of SHA256SUMS.
  const sums = join(root, 'web/testing/releases', id, 'SHA256SUMS');
  execFileSync('gpg', ['--batch', '--yes', '--local-user', key.uid, '--armor', '--detach-sign', '--output', `${sums}.asc`, lock], { env: { ...process.env, GNUPGHOME: key.home }, stdio: 'ignore' });
  const forged = await promote('--from', 'testing', '--to', 'production');
  t.is(forged.code, 1);
  t.regex(forged.stdout, /^  gate signatures: FAILED\n {4}\S+SHA256SUMS\.asc does not verify \S+SHA256SUMS/m);
});

/** A publish root on a mount of its own, undone when the test ends. */
function mountedRoot(t: { teardown(fn: () => void): void }, options: string): string {
  const dir = mkdtempSync(join(work, 'mnt-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  t.teardown(() => execFileSync('umount', ['-l', dir]));
  return dir;
}

const publishInto = (r: string, image: string, file = join(mkdtempSync(join(work, 'img-')), 'web.iso')) => {
  writeFileSync(file, image);
  writeFileSync(`${file}.manifest.json`, '{"packages":[]}');
  return publishRelease({ edition: new Edition(r, 'web', 'testing'), images: [{ file, manifest: `${file}.manifest.json` }], own: [], suite: 'bookworm', signer: { key: key.uid, env: { GNUPGHOME: key.home }, signal: new AbortController().signal }, now: new Date() });
};

test.serial('a full or read-only publish root: one line, nothing half-written stays, the current release stays current and verifies', async (t) => {
  const small = mountedRoot(t, 'size=2m');
  const first = await publishInto(small, 'a small image\n');
  if (!first.ok) return t.fail(first.error.message);
  const full = await publishInto(small, 'x'.repeat(3 << 20));
  t.false(full.ok);
  if (!full.ok) {
    t.regex(full.error.message, /^cannot write a release of web into \S+: no space left on the device$/);
    t.regex(full.error.hint ?? '', /the current release is as it was/);
  }
  t.deepEqual(readdirSync(join(small, 'web/testing/releases')), [first.value.id]);
  t.is(readlinkSync(join(small, 'web/testing/current')), `releases/${first.value.id}`);
  execFileSync('mount', ['-o', 'remount,ro', small]);
  const ro = await publishInto(small, 'another\n');
  t.false(ro.ok);
  if (!ro.ok) t.regex(ro.error.message, /read-only file system/);
  const dir = join(small, 'web/testing/releases', first.value.id);
  t.deepEqual(await checkSums(dir, readFileSync(join(dir, 'SHA256SUMS'), 'utf8')), []);
});

test.serial('a publisher killed mid-write: the previous release stays current and verifies; the next publish removes what it left', async (t) => {
  const r = join(work, 'kill-root');
  const first = await publishInto(r, 'before\n');
  if (!first.ok) return t.fail(first.error.message);
  // A big image, published by another process that is killed while it copies.
  const big = join(work, 'big.iso');
  execFileSync('dd', ['if=/dev/urandom', `of=${big}`, 'bs=1M', 'count=600'], { stdio: 'ignore' });
  writeFileSync(`${big}.manifest.json`, '{"packages":[]}');
  const script = `import { publishRelease } from ${JSON.stringify(new URL('../../src/publish/publish.ts', import.meta.url).href)};
import { Edition } from ${JSON.stringify(new URL('../../src/publish/edition.ts', import.meta.url).href)};
await publishRelease({ edition: new Edition(${JSON.stringify(r)}, 'web', 'testing'), images: [{ file: ${JSON.stringify(big)}, manifest: ${JSON.stringify(`${big}.manifest.json`)} }], own: [], suite: 'bookworm', signer: { key: ${JSON.stringify(key.uid)}, env: { GNUPGHOME: ${JSON.stringify(key.home)} }, signal: new AbortController().signal }, now: new Date() });
`;
  writeFileSync(join(work, 'publisher.mjs'), script);
  const child = spawn(process.execPath, ['--import=tsx', join(work, 'publisher.mjs')], { stdio: 'ignore' });
  const releases = join(r, 'web/testing/releases');
  const deadline = Date.now() + 60_000;
  while (!readdirSync(releases).some((n) => n.startsWith('.tmp-')) && Date.now() < deadline) await sleep(5);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  t.true(readdirSync(releases).some((n) => n.startsWith('.tmp-')), 'killed while it wrote');
  t.is(readlinkSync(join(r, 'web/testing/current')), `releases/${first.value.id}`);
  const dir = join(releases, first.value.id);
  t.deepEqual(await checkSums(dir, readFileSync(join(dir, 'SHA256SUMS'), 'utf8')), []);
  t.notThrows(() => execFileSync('gpg', ['--batch', '--verify', join(dir, 'SHA256SUMS.asc'), join(dir, 'SHA256SUMS')], { env: { ...process.env, GNUPGHOME: key.home }, stdio: 'pipe' }));
  const next = await publishInto(r, 'after\n');
  t.true(next.ok);
  t.deepEqual(readdirSync(releases).filter((n) => n.startsWith('.')), []);
  rmSync(big, { force: true });
});
