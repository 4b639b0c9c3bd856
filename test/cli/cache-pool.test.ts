// The package pool under `cache verify` and `cache gc`: a pool file that is not what its name
// says is found and removed; gc keeps what the project's lock refers to, removes the rest,
// and removes nothing of the pool without a lock to go by (unless --drop-locked).
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLock } from '../../src/archive/lock-file.ts';
import { PackagePool } from '../../src/archive/pool.ts';
import { ProjectRig } from '../helpers/project-rig.ts';

const TARGETFILE = "import { target } from 'mkimage';\n\nexport const t = target({ name: 't', sh: 'true' });\n";

function poolFile(store: string, content: string): string {
  const sha = createHash('sha256').update(content).digest('hex');
  const pool = new PackagePool(join(store, 'pool'));
  mkdirSync(join(pool.root, sha.slice(0, 2)), { recursive: true });
  writeFileSync(pool.path(sha), content);
  return sha;
}

const lockOf = (sha: string) =>
  formatLock(new Map([['web', { inputs: '0123456789abcdef', sources: [], packages: [{ stage: 'bootstrap', name: 'kept', version: '1', architecture: 'all', size: 4, sha256: sha, mirror: 'http://127.0.0.1:9/', filename: 'pool/kept_1_all.deb' }] }]]));

test('cache verify rehashes the pool: a file that is not its sha256 is reported and removed (exit 1)', async (t) => {
  const rig = new ProjectRig({ 'Targetfile.ts': TARGETFILE });
  t.teardown(() => rig.dispose());
  const good = poolFile(rig.store, 'good');
  const bad = poolFile(rig.store, 'bad');
  writeFileSync(new PackagePool(join(rig.store, 'pool')).path(bad), 'rotten');
  const r = await rig.run(['cache', 'verify']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stdout, new RegExp(`^corrupt  pool/${bad}\\.deb: its content hashes to [0-9a-f]{16} \\(removed\\)$`, 'm'));
  t.regex(r.stdout, /0 entries and 2 pool files checked, 1 corrupt$/m);
  t.true(existsSync(new PackagePool(join(rig.store, 'pool')).path(good)));
  t.false(existsSync(new PackagePool(join(rig.store, 'pool')).path(bad)));
});

test('cache gc keeps the pool files the lock refers to and removes the rest; with no lock it keeps the pool', async (t) => {
  const rig = new ProjectRig({ 'Targetfile.ts': TARGETFILE });
  t.teardown(() => rig.dispose());
  const kept = poolFile(rig.store, 'kept');
  const stray = poolFile(rig.store, 'stray');
  const pool = new PackagePool(join(rig.store, 'pool'));
  const none = await rig.run(['cache', 'gc', '--max-size', '10G']);
  t.is(none.code, 0, none.stderr);
  t.regex(none.stdout, /^pool: kept whole \(no .*mkimage\.lock to tell what is locked/m);
  t.true(existsSync(pool.path(stray)));

  rig.write({ 'mkimage.lock': lockOf(kept) });
  const r = await rig.run(['cache', 'gc', '--max-size', '10G']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^pool: 1 file removed \(5B\), 4B kept for .*mkimage\.lock$/m);
  t.true(existsSync(pool.path(kept)));
  t.false(existsSync(pool.path(stray)));
  const all = await rig.run(['cache', 'gc', '--max-size', '10G', '--drop-locked']);
  t.is(all.code, 0);
  t.false(existsSync(pool.path(kept)));
});

test("cache gc keeps the files of the builds' sources: each .dsc the lock names, and what that .dsc names", async (t) => {
  const rig = new ProjectRig({ 'Targetfile.ts': TARGETFILE });
  t.teardown(() => rig.dispose());
  const tarball = 'the orig tarball';
  const tarSha = createHash('sha256').update(tarball).digest('hex');
  const dsc = `Format: 3.0 (native)\nSource: hello\nVersion: 1.0\nChecksums-Sha256:\n ${tarSha} ${tarball.length} hello_1.0.tar.xz\n`;
  const dscSha = createHash('sha256').update(dsc).digest('hex');
  const pool = new PackagePool(join(rig.store, 'pool'));
  for (const [sha, content] of [[dscSha, dsc], [tarSha, tarball]] as const) {
    mkdirSync(join(pool.root, sha.slice(0, 2)), { recursive: true });
    writeFileSync(pool.path(sha, 'x.dsc'), content);
  }
  const stray = poolFile(rig.store, 'stray');
  const source = { name: 'hello', version: '1.0', suite: 'bookworm', size: dsc.length, sha256: dscSha, mirror: 'http://127.0.0.1:9/', dsc: 'pool/main/h/hello/hello_1.0.dsc', binaries: ['hello'] };
  rig.write({ 'mkimage.lock': formatLock(new Map(), new Map([['hello', { inputs: '0123456789abcdef', sources: [source] }]])) });
  const r = await rig.run(['cache', 'gc', '--max-size', '10G']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^pool: 1 file removed \(5B\)/m);
  t.true(existsSync(pool.path(dscSha, source.dsc)), 'the .dsc');
  t.true(existsSync(pool.path(tarSha, 'hello_1.0.tar.xz')), 'the file it names');
  t.false(existsSync(pool.path(stray)));
});
