// Needs root: a tree with every file type and attribute goes into the store and comes back
// out by every restore method, bit for bit; then a process putting a large tree is killed
// at random moments and the store must stay whole.

import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, lchownSync, linkSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setAttributeSync } from 'fs-xattr';
import { isDigest } from '../../src/core/ids.ts';
import { LocalStore } from '../../src/cache/local-store.ts';
import { mountsUnder } from '../../src/cache/mounts.ts';
import { RESTORE_METHODS } from '../../src/cache/restore.ts';
import { describeChanges, diffManifests } from '../../src/cache/tree-diff.ts';
import { scanTree } from '../../src/cache/tree.ts';
import { startChild } from './helpers/child.ts';

const isRoot = process.getuid?.() === 0;

function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

async function openStore(t: ExecutionContext): Promise<LocalStore> {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-e2e-'));
  const store = await LocalStore.open(root);
  t.teardown(async () => {
    await store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  return store;
}

/** A POSIX ACL in the kernel's xattr format (what setfacl writes): version 2, then entries. */
function aclXattr(entries: [tag: number, perm: number, id?: number][]): Buffer {
  const buf = Buffer.alloc(4 + entries.length * 8);
  buf.writeUInt32LE(2, 0);
  entries.forEach(([tag, perm, id], i) => {
    buf.writeUInt16LE(tag, 4 + i * 8);
    buf.writeUInt16LE(perm, 6 + i * 8);
    buf.writeUInt32LE(id ?? 0xffffffff, 8 + i * 8);
  });
  return buf;
}
const [USER_OBJ, USER, GROUP_OBJ, MASK, OTHER] = [0x01, 0x02, 0x04, 0x10, 0x20];

/** Every type and attribute a root filesystem has. */
async function buildRichTree(t: ExecutionContext, dir: string): Promise<void> {
  const p = (rel: string) => join(dir, rel);
  mkdirSync(p('usr/bin'), { recursive: true });
  mkdirSync(p('dev'));
  mkdirSync(p('tmp'));
  mkdirSync(p('srv/shared'), { recursive: true });
  mkdirSync(p('run'));
  writeFileSync(p('usr/bin/ping'), 'ELF pretend\n'.repeat(100));
  writeFileSync(p('usr/bin/sudo'), 'setuid root\n');
  writeFileSync(p('usr/bin/wall'), 'setgid tty\n');
  writeFileSync(p('srv/shared/doc'), 'acl\n');
  writeFileSync(p('empty'), '');
  writeFileSync(p('usr/bin/python3.11'), 'interpreter');
  linkSync(p('usr/bin/python3.11'), p('usr/bin/python3'));
  linkSync(p('usr/bin/python3.11'), p('python-too'));
  symlinkSync('python3', p('usr/bin/python'));
  symlinkSync('/nonexistent/absolute', p('dangling'));
  execFileSync('mknod', [p('dev/null'), 'c', '1', '3']);
  execFileSync('mknod', [p('dev/loop0'), 'b', '7', '0']);
  execFileSync('mkfifo', [p('run/initctl')]);
  // Node removes a socket it created when the server closes; moved away first, it stays.
  const sockTmp = join(dir, '..', 'sock-tmp');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sockTmp, resolve));
  renameSync(sockTmp, p('run/socket'));
  await new Promise<void>((resolve) => server.close(() => resolve()));

  // Owners first: chown clears setuid/setgid and file capabilities.
  chownSync(p('srv/shared'), 1001, 1002);
  chownSync(p('srv/shared/doc'), 1001, 1002);
  chownSync(p('usr/bin/wall'), 0, 5);
  lchownSync(p('usr/bin/python'), 1003, 1004);
  chownSync(p('run/initctl'), 42, 43);
  chmodSync(p('usr/bin/sudo'), 0o4755);
  chmodSync(p('usr/bin/wall'), 0o2755);
  chmodSync(p('tmp'), 0o1777);
  chmodSync(p('srv/shared'), 0o2770);
  chmodSync(p('usr/bin/ping'), 0o755);

  const setcap = findTool('setcap');
  const setfattr = findTool('setfattr');
  if (setcap) execFileSync(setcap, ['cap_net_raw+ep', p('usr/bin/ping')]);
  else if (setfattr) execFileSync(setfattr, ['-n', 'security.capability', '-v', '0x0100000200200000000000000000000000000000', p('usr/bin/ping')]);
  else t.log('neither setcap (libcap2-bin) nor setfattr (attr): no security.capability in the tree');

  const setfacl = findTool('setfacl');
  if (setfacl) {
    execFileSync(setfacl, ['-m', 'u:1234:rw', p('srv/shared/doc')]);
    execFileSync(setfacl, ['-d', '-m', 'u:1234:rwx', p('srv/shared')]);
  } else {
    // What setfacl would write, set directly: the kernel stores and checks it the same way.
    t.log('setfacl (acl) missing: ACLs written as raw system.posix_acl_* xattrs');
    setAttributeSync(p('srv/shared/doc'), 'system.posix_acl_access', aclXattr([[USER_OBJ, 6], [USER, 6, 1234], [GROUP_OBJ, 4], [MASK, 6], [OTHER, 0]]));
    setAttributeSync(p('srv/shared'), 'system.posix_acl_default', aclXattr([[USER_OBJ, 7], [USER, 7, 1234], [GROUP_OBJ, 7], [MASK, 7], [OTHER, 0]]));
  }
  setAttributeSync(p('usr/bin/ping'), 'user.mkimage.origin', 'iputils');
  setAttributeSync(p('srv/shared'), 'trusted.mkimage.note', Buffer.from([0, 1, 2, 255]));

  // mtimes last, children before parents (creating an entry changes its dir's mtime).
  const stamp = (rel: string, ns: string) => execFileSync('touch', ['-h', '-d', `@${ns}`, p(rel)]);
  let n = 0;
  for (const rel of ['usr/bin/ping', 'usr/bin/python', 'dangling', 'dev/null', 'dev/loop0', 'run/initctl', 'run/socket', 'usr/bin/python3.11', 'empty', 'srv/shared/doc', 'usr/bin/sudo', 'usr/bin/wall']) {
    stamp(rel, `1700000000.${String(123456789 + n++ * 1111).padStart(9, '0')}`);
  }
  for (const rel of ['usr/bin', 'srv/shared', 'usr', 'dev', 'tmp', 'srv', 'run', '.']) stamp(rel, `1600000000.${String(987654321 - n++).padStart(9, '0')}`);
}

test('every file type and attribute survives put and each restore method', async (t) => {
  if (!isRoot) return t.pass('needs root; skipped');
  const store = await openStore(t);
  const s = await store.scratch('rich');
  await buildRichTree(t, s.dir);
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
  if (!isRoot) return t.pass('needs root; skipped');
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
  if (!isRoot) return t.pass('needs root; skipped');
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
  if (!isRoot) return t.pass('needs root; skipped');
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
