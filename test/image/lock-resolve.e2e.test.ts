// A distro's packages resolved against the real archive (the host's apt sources): pinned to
// signed indexes, and the same set of packages mmdebstrap really installs.
import test from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { flatRepoSource, writeFlatRepo } from '../../src/archive/flat-repo.ts';
import { formatLock, parseLock, type LockedPackage } from '../../src/archive/lock-file.ts';
import { PackagePool } from '../../src/archive/pool.ts';
import { mmdebstrapArgs } from '../../src/image/tools/mmdebstrap.ts';
import { resolveDistroLock } from '../../src/image/lock-resolve.ts';
import { installedPackages } from '../../src/image/manifest.ts';
import { bootstrappedRoot, CACHE, removeTree, scratch, testIo } from './helpers/build-image.ts';
import { testConfig } from './helpers/image-config.ts';

test('the bootstrap and packages of a distro, pinned: every file from a signed index, the bootstrap set the one mmdebstrap installs', async (t) => {
  t.timeout(10 * 60_000);
  const dir = await scratch('lock');
  t.teardown(() => removeTree(dir));
  mkdirSync(join(dir, 'tmp'));
  const io = testIo(join(dir, 'tmp'), join(dir, 'log'));
  const c = testConfig({ packages: ['jq'] });
  const started = Date.now();
  const lock = await resolveDistroLock(c, io);
  if (!lock.ok) return t.fail(lock.error.message);
  t.log(`resolved ${lock.value.packages.length} packages from ${lock.value.sources.length} suites in ${Date.now() - started} ms`);
  const of = (stage: string) => lock.value.packages.filter((p) => p.stage === stage);
  t.true(of('bootstrap').some((p) => p.name === 'openssh-server'));
  t.true(of('bootstrap').some((p) => p.name === 'libc6'), 'the essential set, through its dependencies');
  t.deepEqual(of('packages').map((p) => p.name).sort(), ['jq', 'libjq1', 'libonig5']);
  t.true(lock.value.packages.every((p) => /^[0-9a-f]{64}$/.test(p.sha256) && p.size > 0 && p.filename.startsWith('pool/') && /^http/.test(p.mirror)));
  t.true(lock.value.sources.every((s) => /^\d{4}-\d\d-\d\dT/.test(s.date)), JSON.stringify(lock.value.sources));
  const text = formatLock(new Map([['test-server', lock.value]]));
  const back = parseLock(text, 'mkimage.lock');
  t.true(back.ok && formatLock(back.value) === text);

  // What mmdebstrap installs with the same arguments (the tests' cached bootstrap): the same names.
  const root = join(dir, 'root');
  await bootstrappedRoot(testConfig(), root, io);
  const installed = installedPackages(root).map((p) => `${p.name}:${p.architecture}`).sort();
  const locked = of('bootstrap').map((p) => `${p.name}:${p.architecture}`).sort();
  // apt installs lsb-base (bookworm's empty transitional package) and dpkg may then drop it as
  // "disappeared" (sysvinit-utils replaces all its files): locked, rightly, and maybe not installed.
  const onlyLocked = locked.filter((x) => !installed.includes(x));
  t.deepEqual(installed.filter((x) => !locked.includes(x)), [], 'nothing installed that the lock does not hold');
  t.true(onlyLocked.every((x) => x === 'lsb-base:all'), onlyLocked.join(' '));
});

test('a pinned bootstrap with no network: the pool filled from the archive, a flat repository of it, mmdebstrap under unshare --net installs exactly the lock', async (t) => {
  t.timeout(15 * 60_000);
  const dir = await scratch('pinned');
  t.teardown(() => removeTree(dir));
  mkdirSync(join(dir, 'tmp'));
  const io = testIo(join(dir, 'tmp'), join(dir, 'log'));
  const c = testConfig();
  const lock = await resolveDistroLock(c, io);
  if (!lock.ok) return t.fail(lock.error.message);
  const bootstrap = lock.value.packages.filter((p) => p.stage === 'bootstrap');

  // The pool outlives the test, as a user's does: a second run downloads nothing.
  const pool = new PackagePool(join(CACHE, 'pool'));
  const fetchStarted = Date.now();
  const queue = [...bootstrap];
  const failures: string[] = [];
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let p: LockedPackage | undefined; (p = queue.shift()); ) {
      const got = await pool.fetch(p, p.mirror);
      if (!got.ok) failures.push(got.error.message);
    }
  }));
  t.deepEqual(failures, []);
  t.log(`pool: ${bootstrap.length} packages in ${Date.now() - fetchStarted} ms`);

  const repo = join(dir, 'repo');
  const written = await writeFlatRepo(repo, bootstrap, pool, c.suite);
  if (!written.ok) return t.fail(written.error.message);
  const root = join(dir, 'root');
  const started = Date.now();
  // The essential set and the whole locked list by name: what is installed does not depend on
  // the Priority fields, which a flat repository takes from the .debs (apt's is `important`
  // there, `required` in the archive's index, so minbase would leave it out).
  const args = mmdebstrapArgs({ ...c, variant: 'essential', basePackages: bootstrap.map((p) => p.name) }, root, [flatRepoSource(repo)]);
  const run = await promisify(execFile)('unshare', ['--net', '--', 'mmdebstrap', '--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount', ...args], { maxBuffer: 256 << 20 });
  const disappeared = [...`${run.stdout}${run.stderr}`.matchAll(/Noting disappearance of (\S+),/g)].map((m) => m[1]!);
  t.log(`offline bootstrap from the flat repository: ${Date.now() - started} ms`);
  const installed = installedPackages(root).map((p) => `${p.name} ${p.version} ${p.architecture}`).sort();
  const locked = bootstrap.map((p) => `${p.name} ${p.version} ${p.architecture}`).sort();
  // Exactly the lock, but for what dpkg dropped as disappeared (lsb-base, depending on the order of installation).
  t.deepEqual({ onlyLocked: locked.filter((x) => !installed.includes(x)).map((x) => x.split(' ')[0]).filter((n) => !disappeared.includes(n!)), onlyInstalled: installed.filter((x) => !locked.includes(x)) }, { onlyLocked: [], onlyInstalled: [] });
});
