// The flat repository apt installs locked packages from: the pool's files under their Debian
// names, a Packages index of exactly them, a Release naming the suite with the index's sha256;
// a pool file that no longer matches the lock is refused and nothing of it is used.
import test from 'ava';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flatRepoSource, writeFlatRepo } from '../../src/archive/flat-repo.ts';
import type { LockedPackage } from '../../src/archive/lock-file.ts';
import { PackagePool } from '../../src/archive/pool.ts';
import { makeDeb } from '../helpers/test-mirror.ts';

function locked(pool: PackagePool, name: string, version: string): LockedPackage {
  const deb = makeDeb(name, version, pool.root);
  const bytes = readFileSync(deb);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(join(pool.root, sha256.slice(0, 2)), { recursive: true });
  copyFileSync(deb, pool.path(sha256));
  return { stage: 'packages', name, version, architecture: 'all', size: bytes.length, sha256, mirror: 'http://127.0.0.1:9/debian', filename: `pool/main/${name[0]}/${name}/${name}_${version}_all.deb` };
}

test('a flat repository of locked packages: their files, an index of exactly them, a Release with the suite and its sha256', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-flat-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pool = new PackagePool(join(dir, 'pool'));
  mkdirSync(pool.root);
  const packages = [locked(pool, 'alpha', '1.0'), locked(pool, 'beta', '2.0-1')];
  const written = await writeFlatRepo(join(dir, 'repo'), packages, pool, 'bookworm');
  if (!written.ok) return t.fail(written.error.message);
  const index = readFileSync(join(dir, 'repo/Packages'), 'utf8');
  t.deepEqual([...index.matchAll(/^Package: (\S+)\nVersion: (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`), ['alpha 1.0', 'beta 2.0-1']);
  for (const p of packages) t.regex(index, new RegExp(`^SHA256: ${p.sha256}$`, 'm'));
  const release = readFileSync(join(dir, 'repo/Release'), 'utf8');
  t.regex(release, /^Suite: bookworm$/m);
  t.true(release.includes(` ${createHash('sha256').update(index).digest('hex')} ${Buffer.byteLength(index)} Packages\n`));
  t.is(flatRepoSource(join(dir, 'repo')), `deb [trusted=yes] file://${join(dir, 'repo')} ./`);
});

test('a pool file changed since it was fetched is refused and removed: no repository of it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-flat-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pool = new PackagePool(join(dir, 'pool'));
  mkdirSync(pool.root);
  const p = locked(pool, 'alpha', '1.0');
  writeFileSync(pool.path(p.sha256), 'not a deb');
  const written = await writeFlatRepo(join(dir, 'repo'), [p], pool, 'bookworm');
  t.false(written.ok);
  if (!written.ok) t.regex(written.error.message, /^alpha 1\.0: the pool's file .* does not match its sha256/);
  t.false(pool.has(p));
});
