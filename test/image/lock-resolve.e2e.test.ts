// A distro's packages resolved against the real archive (the host's apt sources): pinned to
// signed indexes, and the same set of packages mmdebstrap really installs.
import test from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatLock, parseLock } from '../../src/archive/lock-file.ts';
import { resolveDistroLock } from '../../src/image/lock-resolve.ts';
import { installedPackages } from '../../src/image/manifest.ts';
import { bootstrappedRoot, removeTree, scratch, testIo } from './helpers/build-image.ts';
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
  // apt installs lsb-base (bookworm's empty transitional package) and dpkg then drops it as
  // "disappeared" (sysvinit-utils replaces all its files): locked, rightly, and not installed.
  t.deepEqual({ onlyLocked: locked.filter((x) => !installed.includes(x)), onlyInstalled: installed.filter((x) => !locked.includes(x)) }, { onlyLocked: ['lsb-base:all'], onlyInstalled: [] });
});
