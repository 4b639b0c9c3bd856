// Needs root: a tree with every file type and attribute goes into the store and comes back
// out by every restore method, bit for bit; then a process putting a large tree is killed
// at random moments and the store must stay whole.

import test, { type ExecutionContext } from 'ava';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDigest } from '../../src/core/ids.ts';
import { LocalStore } from '../../src/cache/local-store.ts';
import { mountsUnder } from '../../src/cache/mounts.ts';
import { RESTORE_METHODS } from '../../src/cache/restore.ts';
import { describeChanges, diffManifests } from '../../src/cache/tree-diff.ts';
import { scanTree } from '../../src/cache/tree.ts';
import { startChild } from './helpers/child.ts';
import { buildRichTree } from './helpers/rich-tree.ts';

// The e2e suite runs as root (README): without root, every test here fails instead of passing having done nothing.
test.before(() => {
  if (process.getuid?.() !== 0) throw new Error('the e2e suite needs root (mounts, chown, mknod): run it as root');
});

async function openStore(t: ExecutionContext): Promise<LocalStore> {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-e2e-'));
  const store = await LocalStore.open(root);
  t.teardown(async () => {
    await store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  return store;
}

test('every file type and attribute survives put and each restore method', async (t) => {
  const store = await openStore(t);
  const s = await store.scratch('rich');
  await buildRichTree(s.dir, (m) => t.log(m));
  const before = await scanTree(s.dir);
  const types = new Set(before.entries.map((e) => e.type));
  t.deepEqual([...types].sort(), ['block', 'char', 'dir', 'fifo', 'file', 'socket', 'symlink']);
  t.truthy(before.entries.find((e) => e.path === 'usr/bin/ping')?.xattrs?.['security.capability']);
  t.truthy(before.entries.find((e) => e.path === 'srv/shared/doc')?.xattrs?.['system.posix_acl_access']);
  t.is(before.entries.find((e) => e.path === 'usr/bin/python3')?.link, 'python-too');

  const { digest, manifest } = await store.put(s.dir);
  t.deepEqual(diffManifests(before, manifest, { mtimes: true }), [], 'put keeps everything, mtimes too');
  t.deepEqual(diffManifests(before, await scanTree(store.treePath(digest)), { mtimes: true }), []);

  for (const method of RESTORE_METHODS) {
    const dest = join(store.tmpDir, `restored-${method}`);
    const r = await store.restore(digest, dest, method);
    const after = await scanTree(r.path);
    // Every method keeps mtimes exactly, so the comparison includes them.
    t.deepEqual(diffManifests(before, after, { mtimes: true }), [], `${method}: ${describeChanges(diffManifests(before, after, { mtimes: true }))}`);
    await r.dispose();
    if (method === 'overlay' || method === 'bind-ro') {
      t.deepEqual(mountsUnder(dest), [], `${method} unmounted`);
      t.false(existsSync(dest), `${method} mount point removed`);
    } else {
      rmSync(dest, { recursive: true });
    }
  }
  t.deepEqual((await store.verify({ evict: false })).corrupt, []);
});

test('bind-ro restore and the read-only view refuse writes with EROFS', async (t) => {
  const store = await openStore(t);
  const s = await store.scratch('t');
  writeFileSync(join(s.dir, 'file'), 'content');
  const { digest } = await store.put(s.dir);

  const r = await store.restore(digest, join(store.tmpDir, 'ro'), 'bind-ro');
  t.throws(() => writeFileSync(join(r.path, 'file'), 'x'), { code: 'EROFS' });
  t.throws(() => writeFileSync(join(r.path, 'new'), 'x'), { code: 'EROFS' });
  t.throws(() => unlinkSync(join(r.path, 'file')), { code: 'EROFS' });
  await r.dispose();

  const view = await store.readOnlyView();
  t.true(view.protected);
  t.throws(() => writeFileSync(join(view.treePath(digest), 'file'), 'x'), { code: 'EROFS' });
  t.throws(() => chmodSync(join(view.treePath(digest), 'file'), 0o777), { code: 'EROFS' });
  // Entries published after the view was made are visible through it.
  const s2 = await store.scratch('t2');
  writeFileSync(join(s2.dir, 'later'), 'later');
  const later = await store.put(s2.dir);
  t.true(existsSync(join(view.treePath(later.digest), 'later')));
  const second = await store.readOnlyView();
  await view.dispose();
  t.is(mountsUnder(second.root).length, 1, 'still mounted while a user remains');
  await second.dispose();
  t.deepEqual(mountsUnder(second.root), []);
  t.deepEqual((await store.verify()).corrupt, []);
});

test('overlay restore is writable and its writes never reach the entry', async (t) => {
  const store = await openStore(t);
  const s = await store.scratch('t');
  mkdirSync(join(s.dir, 'etc'));
  writeFileSync(join(s.dir, 'etc/passwd'), 'root:x:0:0\n');
  writeFileSync(join(s.dir, 'etc/group'), 'root:x:0:\n');
  const { digest, manifest } = await store.put(s.dir);

  const r = await store.restore(digest, join(store.tmpDir, 'ov'), 'overlay');
  writeFileSync(join(r.path, 'etc/passwd'), 'root:x:0:0\nuser:x:1000:1000\n');
  writeFileSync(join(r.path, 'etc/new'), 'new');
  unlinkSync(join(r.path, 'etc/group'));
  chmodSync(join(r.path, 'etc'), 0o700);
  chownSync(join(r.path, 'etc/passwd'), 5, 5);
  t.deepEqual(diffManifests(manifest, await scanTree(store.treePath(digest)), { mtimes: true }), []);
  await r.dispose();
  t.deepEqual((await store.verify()).corrupt, []);
  t.true(store.has(digest));
});

test('a process killed at random moments while putting leaves the store whole', async (t) => {
  const store = await openStore(t);
  const shape = ['20000', '6000']; // 20k small files (~120 MB) plus 2 x 16 MB
  // A first run to completion: it leaves an entry the next children restore by overlay,
  // and tells how long a run takes.
  const started = Date.now();
  const first = startChild('put-large', store.root, ...shape);
  t.is(await first.exited, 0, first.stderr());
  const runMs = Date.now() - started;
  t.log(`an uninterrupted run takes ${runMs} ms`);

  for (let i = 0; i < 10; i++) {
    const child = startChild('put-large', store.root, ...shape);
    const delay = Math.floor(300 + Math.random() * (runMs - 300));
    await new Promise((r) => setTimeout(r, delay));
    child.proc.kill('SIGKILL');
    await child.exited;
    const last = child.messages.at(-1);
    t.log(`run ${i}: killed after ${delay} ms, last milestone ${JSON.stringify(last ?? null)}`);

    const fresh = await LocalStore.open(store.root);
    t.deepEqual(fresh.warnings, []);
    for (const name of readdirSync(join(store.root, 'trees'))) {
      t.true(isDigest(name), `stray ${name} in trees/`);
      t.deepEqual(readdirSync(join(store.root, 'trees', name)).sort(), ['info.json', 'manifest.json', 'tree', 'used']);
    }
    const v = await fresh.verify({ evict: false });
    t.deepEqual(v.corrupt, [], `run ${i}`);
    // Only live processes (this one) keep tmp dirs and mounts.
    const tag = `${process.pid}-`;
    t.deepEqual(readdirSync(join(store.root, 'tmp')).filter((n) => !n.startsWith(tag)), [], `run ${i}: tmp dirs of the dead`);
    t.deepEqual(mountsUnder(store.root), [], `run ${i}: mounts`);
    t.deepEqual(readdirSync(join(store.root, 'locks/shared')), []);
    await fresh.dispose();
    // Keep the store small: the newest entry stays for the next overlay restore.
    await store.gc({ maxBytes: 200 << 20 });
  }
});
