// The network: the real jshon source of bookworm, found through the signed Sources index of
// deb.debian.org, fetched into the package pool file by file (each checked), linked out of it
// and unpacked by dpkg-source; then from the pool alone (offline), a rotted pool file, a
// sha256 that is not the file's, a file the mirror does not have, and an empty pool offline.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackagePool } from '../../src/archive/pool.ts';
import { fetchSourcesIndex, findSource } from '../../src/archive/sources-index.ts';
import { sourceFromPool, type PooledSource } from '../../src/package/source-pool.ts';

const MIRROR = 'http://deb.debian.org/debian';
const signal = new AbortController().signal;

test.serial('jshon from bookworm through the pool: fetched and checked once, then offline; a rotted or wrong file is never used', async (t) => {
  const index = await fetchSourcesIndex({ url: MIRROR, suite: 'bookworm', components: ['main'], keyring: '/usr/share/keyrings/debian-archive-keyring.gpg' });
  if (!index.ok) return t.fail(index.error.message);
  const jshon = findSource(index.value, 'jshon');
  if (!jshon.ok) return t.fail(jshon.error.message);
  const dscFile = jshon.value.files.find((f) => f.name.endsWith('.dsc'))!;
  const source: PooledSource = { name: 'jshon', version: jshon.value.version, size: dscFile.size, sha256: dscFile.sha256, mirror: MIRROR, dsc: `${jshon.value.directory}/${dscFile.name}` };

  const dir = mkdtempSync(join(tmpdir(), 'mkimage-source-pool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pool = join(dir, 'pool');
  const files = join(dir, 'files');
  const dsc = await sourceFromPool(source, { dir: pool, offline: false }, files, signal);
  if (!dsc.ok) return t.fail(dsc.error.message);
  t.is(dsc.value, join(files, dscFile.name));
  t.deepEqual(readdirSync(files).sort(), jshon.value.files.map((f) => f.name).sort(), 'every file by its name');
  const kept = await new PackagePool(pool).list();
  t.deepEqual(kept.map((f) => f.sha256).sort(), jshon.value.files.map((f) => f.sha256).sort(), 'the pool keeps each by its sha256');
  const unpack = spawnSync('dpkg-source', ['-x', dsc.value, join(dir, 'src')], { cwd: files, encoding: 'utf8' });
  t.is(unpack.status, 0, unpack.stderr);
  t.true(existsSync(join(dir, 'src/debian/changelog')));

  // Offline, from the pool alone.
  const offline = await sourceFromPool(source, { dir: pool, offline: true }, join(dir, 'files2'), signal);
  t.true(offline.ok, offline.ok ? '' : offline.error.message);

  // A pool file rots: it is hashed again when used, removed, and named; online it comes back.
  const tarball = jshon.value.files.find((f) => !f.name.endsWith('.dsc'))!;
  writeFileSync(kept.find((f) => f.sha256 === tarball.sha256)!.path, 'not the tarball');
  const rotted = await sourceFromPool(source, { dir: pool, offline: true }, join(dir, 'files3'), signal);
  t.regex(rotted.ok ? 'used' : rotted.error.message, new RegExp(`^jshon ${tarball.name} ${jshon.value.version.replace(/[.+]/g, '\\$&')}: the pool's file \\S+ does not match its sha256 .*; it was removed`));
  const back = await sourceFromPool(source, { dir: pool, offline: false }, join(dir, 'files4'), signal);
  t.true(back.ok, back.ok ? '' : back.error.message);

  // The lock says another sha256 for the .dsc: nothing is kept, and the file is named.
  const wrong = await sourceFromPool({ ...source, sha256: '0'.repeat(64) }, { dir: join(dir, 'pool2'), offline: false }, join(dir, 'files5'), signal);
  t.regex(wrong.ok ? 'fetched' : wrong.error.message, new RegExp(`^jshon ${jshon.value.version.replace(/[.+]/g, '\\$&')}: ${MIRROR}/\\S+\\.dsc is not the package the signed index names`));
  t.deepEqual((await new PackagePool(join(dir, 'pool2')).list()).length, 0);

  // A .dsc the mirror does not have; and an empty pool offline.
  const missing = await sourceFromPool({ ...source, dsc: `${jshon.value.directory}/jshon_0.dsc` }, { dir: join(dir, 'pool3'), offline: false }, join(dir, 'files6'), signal);
  t.regex(missing.ok ? 'fetched' : missing.error.message, /jshon_0\.dsc: HTTP 404 Not Found$/);
  const empty = await sourceFromPool(source, { dir: join(dir, 'pool4'), offline: true }, join(dir, 'files7'), signal);
  t.is(empty.ok ? 'fetched' : `${empty.error.message} (${empty.error.hint})`, `--offline, and the pool lacks ${dscFile.name} of the source jshon ${jshon.value.version} (mkimage fetch fills the pool while the network is there)`);
});
