// The lock end to end against an archive the test controls: real Debian .debs and a package
// of the test's own in a signed mirror served by nginx on loopback. Lock; build; publish a
// newer version of the test's package; a locked rebuild from an empty store (pool kept) is
// byte-identical, and so is one with no network at all; lock --check reports exactly that
// package and the image it is in; lock --update PKG moves only it; the next build reruns the
// stages that install it and no other. And each bad input: one clear line, nothing stored.

import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LockedPackage } from '../../src/archive/lock-file.ts';
import { PackagePool } from '../../src/archive/pool.ts';
import { resolveDistroLock } from '../../src/image/lock-resolve.ts';
import { makeArchiveKey } from '../helpers/archive-key.ts';
import { startNginx, type Nginx } from '../helpers/nginx.ts';
import { BIN, ProjectRig, type RunResult } from '../helpers/project-rig.ts';
import { makeDeb, TestMirror } from '../helpers/test-mirror.ts';
import { CACHE, scratch, testIo } from '../image/helpers/build-image.ts';
import { testConfig } from '../image/helpers/image-config.ts';

const exec = promisify(execFile);
const key = makeArchiveKey('mkimage-lock-test');
let nginx: Nginx;
let mirror: TestMirror;
let work: string;
const rig = new ProjectRig({});
const HELLO = 'mkimage-hello';
/** In the mirror from the start; a profile edit adds it. */
const EXTRA = 'mkimage-extra';
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The test's distro: the essential set and apt from the mirror, the test's package on top. */
const tiny = (url: string, packages = [HELLO]) => `import { add, distro, set } from 'mkimage';

export const tiny = distro('tiny', { description: 'a tiny root from the test mirror', images: ['tar'] },
  set('MIRRORS', [${JSON.stringify(mirror.sourcesLine(url))}]),
  set('VARIANT', 'essential'),
  add('BASE_PACKAGES', 'apt'),
${packages.map((p) => `  add('PACKAGES', ${JSON.stringify(p)}),`).join('\n')}
);
`;

const build = (args: string[], store = rig.store): Promise<RunResult> => rig.run(['--json', '--store', store, ...args], { SOURCE_DATE_EPOCH: '1700000000' });
const lockText = () => readFileSync(rig.path('mkimage.lock'), 'utf8');
const packageLines = (text: string) => text.split('\n').filter((l) => l.startsWith('package '));

test.before(async () => {
  work = await scratch('lock-e2e');
  // Real packages: the essential set and apt, as the archive has them now, through the tests' pool.
  mkdirSync(join(work, 'tmp'));
  const resolved = await resolveDistroLock(testConfig({ variant: 'essential', basePackages: ['apt'] }), testIo(join(work, 'tmp'), join(work, 'resolve.log')));
  if (!resolved.ok) throw new Error(resolved.error.message);
  const pool = new PackagePool(join(CACHE, 'pool'));
  for (const p of resolved.value.packages) {
    const got = await pool.fetch(p, p.mirror);
    if (!got.ok) throw new Error(got.error.message);
  }
  mirror = new TestMirror(join(work, 'mirror'), key);
  for (const p of resolved.value.packages) mirror.add(pool.path(p.sha256), p.name, p.version, p.architecture);
  mirror.add(makeDeb(HELLO, '1.0', work), HELLO, '1.0', 'all');
  mirror.add(makeDeb(EXTRA, '1.0', work), EXTRA, '1.0', 'all');
  mirror.publish(new Date('2026-11-01T00:00:00Z'));
  nginx = await startNginx(mirror.root);
  rig.write({ 'Targetfile.ts': "import { profiles } from 'mkimage';\n\nexport default profiles();\n", 'conf.d/tiny.ts': tiny(`${nginx.url}/`) });
});

test.after.always(async () => {
  await nginx?.stop();
  key.dispose();
  rig.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

test.serial('lock pins every package from the signed index; a build installs exactly the lock, from the pool', async (t) => {
  const lock = await rig.run(['lock']);
  t.is(lock.code, 0, lock.stderr);
  t.regex(lock.stdout, /^tiny: \d+ packages, locked$/m);
  const lines = packageLines(lockText());
  t.true(lines.some((l) => l.startsWith(`package tiny packages ${HELLO} 1.0 all `)), lines.join('\n'));
  t.true(lines.some((l) => / tiny bootstrap apt /.test(l)));
  t.true(lines.every((l) => l.includes(` ${nginx.url}/ pool/main/`)), 'every file from the test mirror');

  const r = await build(['tiny.tar']);
  if (r.code !== 0) return t.fail(r.stdout.slice(-3000) + r.stderr);
  t.deepEqual(r.of('started').filter((s) => s.endsWith('bootstrap') || s.endsWith('packages')), ['tiny/bootstrap', 'tiny/packages']);
  const manifest = JSON.parse(readFileSync(rig.path('out/tiny.tar.zst.manifest.json'), 'utf8')) as { lock: { file: string; distro: string }; packages: Array<{ name: string; version: string; locked?: { stage: string; line?: number } }> };
  t.deepEqual(manifest.lock.distro, 'tiny');
  const hello = manifest.packages.find((p) => p.name === HELLO);
  t.is(hello?.version, '1.0');
  t.is(hello?.locked?.stage, 'packages');
  t.true(lockText().split('\n')[hello!.locked!.line! - 1]!.startsWith(`package tiny packages ${HELLO} 1.0 `), 'the manifest names the lock line');
  t.true(manifest.packages.every((p) => p.locked !== undefined), 'every installed package came from the lock');
  const show = await rig.run(['show', 'tiny']);
  t.regex(show.stdout, new RegExp(`packages +${HELLO} 1\\.0 all +mkimage\\.lock:\\d+`));
});

test.serial('after the archive moves: lock --check names the package and its image; locked rebuilds (a fresh store with the pool, and no network) are byte-identical', async (t) => {
  const first = sha256(rig.path('out/tiny.tar.zst'));
  mirror.add(makeDeb(HELLO, '1.1', work), HELLO, '1.1', 'all');
  mirror.publish(new Date('2026-11-15T00:00:00Z'));

  const check = await rig.run(['lock', '--check']);
  t.is(check.code, 1, check.stderr);
  t.deepEqual(check.stdout.split('\n').filter((l) => l.includes(' -> ')), [`${HELLO} 1.0 -> 1.1  (tiny.tar)`]);

  // An empty store but for the pool: the same bytes, though the archive has 1.1 now.
  const store2 = join(work, 'store2');
  cpSync(join(rig.store, 'pool'), join(store2, 'pool'), { recursive: true });
  const again = await build(['tiny.tar', '--out', join(work, 'out2')], store2);
  t.is(again.code, 0, again.stdout.slice(-2000) + again.stderr);
  t.is(sha256(join(work, 'out2/tiny.tar.zst')), first);

  // No network at all: a network namespace with nothing in it.
  const store3 = join(work, 'store3');
  cpSync(join(rig.store, 'pool'), join(store3, 'pool'), { recursive: true });
  const offline = await exec('unshare', ['--net', '--', process.execPath, BIN, '--store', store3, '--plain', 'tiny.tar', '--offline', '--out', join(work, 'out3')], { cwd: rig.dir, env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000', CI: '1' }, maxBuffer: 64 << 20 }).catch((e: { stdout: string; stderr: string }) => e);
  t.true(existsSync(join(work, 'out3/tiny.tar.zst')), offline.stdout.slice(-2000) + offline.stderr);
  t.is(sha256(join(work, 'out3/tiny.tar.zst')), first);
});

test.serial('bad input: a tampered pool file, a version gone from archive and pool, --offline with an empty pool', async (t) => {
  const lock = lockText();
  const apt = packageLines(lock).find((l) => / tiny bootstrap apt /.test(l))!.split(' ');
  const store4 = join(work, 'store4');
  cpSync(join(rig.store, 'pool'), join(store4, 'pool'), { recursive: true });
  const aptFile = join(store4, 'pool', apt[7]!.slice(0, 2), `${apt[7]}.deb`);
  writeFileSync(aptFile, readFileSync(aptFile).subarray(0, 1000));
  const tampered = await build(['tiny.tar', '--offline', '--out', join(work, 'out4')], store4);
  t.is(tampered.code, 1);
  t.regex(tampered.stdout + tampered.stderr, new RegExp(`apt ${apt[4]!.replace(/[.+]/g, '\\$&')}: the pool's file .* does not match its sha256 .*; it was removed`));
  t.false(existsSync(aptFile), 'the bad file is gone from the pool');
  t.false(existsSync(join(work, 'out4/tiny.tar.zst')));

  const empty = await build(['tiny.tar', '--offline', '--out', join(work, 'out5')], join(work, 'store5'));
  t.is(empty.code, 2);
  t.regex(empty.stderr, /^mkimage: --offline, and the pool lacks \d+ locked packages: .*mkimage-hello 1\.0.* \(hint: mkimage fetch fills it/m);
  t.deepEqual(empty.of('started'), [], 'found before anything ran');

  mirror.remove(HELLO, '1.0', 'all');
  mirror.publish(new Date('2026-11-16T00:00:00Z'));
  const gone = await build(['tiny.tar', '--out', join(work, 'out6')], join(work, 'store6'));
  t.is(gone.code, 1);
  t.regex(gone.stdout + gone.stderr, new RegExp(`${HELLO} 1\\.0: ${nginx.url.replace(/[.]/g, '\\.')}/pool/main/${HELLO}_1\\.0_all\\.deb: HTTP 404`));
  t.regex(gone.stdout + gone.stderr, /mkimage lock --update/);
  const fetched = await rig.run(['--store', join(work, 'store6'), 'fetch']);
  t.is(fetched.code, 1, 'fetch says the same');
  const elsewhere = await rig.run(['--store', join(work, 'store7'), 'fetch', '--mirror', 'http://127.0.0.1:1/']);
  t.is(elsewhere.code, 1);
  t.regex(elsewhere.stderr, /: http:\/\/127\.0\.0\.1:1\/pool\/main\/\S+\.deb: /, '--mirror: the locked paths, from that mirror');
  t.is(lockText(), lock, 'the lock is as it was');
});

test.serial('lock --update PKG moves only its lines; the next build reruns the stages that install it and caches the bootstrap', async (t) => {
  const before = packageLines(lockText());
  const bad = await rig.run(['lock', '--update', 'mkimage-helo']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /no distro locks a package of that name \(hint: did you mean mkimage-hello\?\)/);
  const up = await rig.run(['lock', '--update', HELLO]);
  t.is(up.code, 0, up.stderr);
  t.regex(up.stdout, new RegExp(`^tiny: \\d+ packages; ${HELLO} 1\\.0 -> 1\\.1$`, 'm'));
  const after = packageLines(lockText());
  t.deepEqual(before.filter((l) => !after.includes(l)).map((l) => l.split(' ').slice(3, 5).join(' ')), [`${HELLO} 1.0`]);
  t.deepEqual(after.filter((l) => !before.includes(l)).map((l) => l.split(' ').slice(3, 5).join(' ')), [`${HELLO} 1.1`]);

  const r = await build(['tiny.tar']);
  t.is(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  t.true(r.of('started').includes('tiny/packages'));
  t.false(r.of('started').includes('tiny/bootstrap'), 'the bootstrap set did not move');
  const check = await rig.run(['lock', '--check']);
  t.is(check.code, 0, check.stdout);
});

test.serial('bad input: a profile asking for what the lock lacks (--locked), a typo found before any bootstrap, a lock that does not parse', async (t) => {
  const lock = lockText();
  rig.write({ 'conf.d/tiny.ts': tiny(`${nginx.url}/`, [HELLO, 'jq']) });
  const locked = await build(['tiny.tar', '--locked']);
  t.is(locked.code, 2);
  t.regex(locked.stderr, /^mkimage: --locked: tiny asks for jq \(at .*conf\.d\/tiny\.ts:\d+.*which .*mkimage\.lock does not hold/m);
  t.is(lockText(), lock);

  rig.write({ 'conf.d/tiny.ts': tiny(`${nginx.url}/`, [HELLO, 'mkimage-helo']) });
  const typo = await build(['tiny.tar']);
  t.is(typo.code, 2);
  t.regex(typo.stderr, /^mkimage: locking tiny: no package mkimage-helo in bookworm \(.*\), asked for at .*conf\.d\/tiny\.ts:\d+.*\(hint: did you mean mkimage-hello\?\)/m);
  t.deepEqual(typo.of('started'), [], 'before any bootstrap');
  t.is(lockText(), lock, 'nothing written');

  rig.write({ 'conf.d/tiny.ts': tiny(`${nginx.url}/`), 'mkimage.lock': lock.replace(/^(package tiny bootstrap apt \S+ amd64) \d+/m, '$1 big') });
  const broken = await build(['tiny.tar']);
  t.is(broken.code, 2);
  t.regex(broken.stderr, /^mkimage: .*mkimage\.lock:\d+: size big is not a number/m);
  writeFileSync(rig.path('mkimage.lock'), lock);
  t.deepEqual(readdirSync(rig.path('.')).filter((f) => f.startsWith('mkimage.lock')), ['mkimage.lock'], 'no temporary lock left');
});

test.serial('a profile edit re-locks only what changed, and the build says so', async (t) => {
  const before = packageLines(lockText());
  rig.write({ 'conf.d/tiny.ts': tiny(`${nginx.url}/`, [HELLO, EXTRA]) });
  const r = await build(['tiny.tar']);
  t.is(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  t.regex(r.stderr, new RegExp(`^mkimage: warning: mkimage\\.lock: tiny re-locked for its changed inputs: \\+${EXTRA} 1\\.0$`, 'm'));
  const after = packageLines(lockText());
  t.deepEqual(before.filter((l) => !after.includes(l)), []);
  t.deepEqual(after.filter((l) => !before.includes(l)).map((l) => l.split(' ').slice(2, 5).join(' ')), [`packages ${EXTRA} 1.0`]);
  t.true(r.of('started').includes('tiny/packages'));
  t.false(r.of('started').includes('tiny/bootstrap'));
});
