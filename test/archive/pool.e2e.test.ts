// The pool fetching from a real nginx: a good file is kept under its sha256, a file that does
// not match the signed index is refused with nothing kept, a pool file that changed is
// refused and removed when it is used.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackagePool, type PoolPackage } from '../../src/archive/pool.ts';
import { startNginx } from '../helpers/nginx.ts';

const deb = Buffer.from('!<arch>\n'.padEnd(4096, 'x'));
const pkg: PoolPackage = { name: 'hello', version: '2.10-3', filename: 'pool/main/h/hello/hello_2.10-3_amd64.deb', size: deb.length, sha256: createHash('sha256').update(deb).digest('hex') };

/** A mirror (nginx) serving the package, in a directory the test removes. */
async function mirrorWithHello(t: { teardown(f: () => void | Promise<void>): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-pool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'mirror/pool/main/h/hello'), { recursive: true });
  writeFileSync(join(dir, 'mirror', pkg.filename), deb);
  const nginx = await startNginx(join(dir, 'mirror'));
  t.teardown(() => nginx.stop());
  return { dir, nginx };
}

test.serial('fetch keeps a file that hashes to the index digest; anything else is refused and nothing is kept', async (t) => {
  const { dir, nginx } = await mirrorWithHello(t);
  const pool = new PackagePool(join(dir, 'pool'));

  const got = await pool.fetch(pkg, nginx.url);
  t.true(got.ok && got.value === pool.path(pkg.sha256));
  t.true((await pool.use(pkg)).ok);

  const other = { ...pkg, sha256: 'b'.repeat(64) };
  const refused = await pool.fetch(other, nginx.url);
  t.false(refused.ok);
  if (!refused.ok) t.regex(refused.error.message, /^hello 2\.10-3: http:\/\/127\.0\.0\.1:\d+\/pool\/main\/h\/hello\/hello_2\.10-3_amd64\.deb is not the package the signed index names/);
  t.false(existsSync(pool.path(other.sha256)));
  t.deepEqual(readdirSync(join(dir, 'pool', 'bb')), [], 'no partial file left');

  const gone = await pool.fetch({ ...pkg, sha256: 'c'.repeat(64), filename: 'pool/main/h/hello/hello_2.9_amd64.deb' }, nginx.url);
  t.false(gone.ok);
  if (!gone.ok) t.regex(gone.error.message, /HTTP 404/);
  if (!gone.ok) t.regex(gone.error.hint ?? '', /no longer has this version/);

  // A pool file that changed after it was kept: refused when used, and removed.
  writeFileSync(pool.path(pkg.sha256), deb.subarray(0, 100));
  const rotten = await pool.use(pkg);
  t.false(rotten.ok);
  if (!rotten.ok) t.regex(rotten.error.message, /^hello 2\.10-3: the pool's file .* does not match its sha256 \(100 bytes/);
  t.false(existsSync(pool.path(pkg.sha256)));
  const missing = await pool.use(pkg);
  t.false(missing.ok);
  if (!missing.ok) t.regex(missing.error.message, /is not in the pool/);
});

test.serial('two fetches of one package at once (an image bootstrap and the build chroot) share one download, and both get it', async (t) => {
  const { dir, nginx } = await mirrorWithHello(t);
  // Two pools on one directory, as two stages of a build have.
  const [a, b] = [new PackagePool(join(dir, 'pool')), new PackagePool(join(dir, 'pool'))];
  const got = await Promise.all([a.fetch(pkg, nginx.url), b.fetch(pkg, nginx.url), a.fetch(pkg, nginx.url)]);
  t.deepEqual(got.map((r) => r.ok), [true, true, true]);
  t.deepEqual(readdirSync(join(dir, 'pool', pkg.sha256.slice(0, 2))), [`${pkg.sha256}.deb`], 'one file, no partial left');
  t.true((await a.use(pkg)).ok);
});
