import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../../src/core/ids.ts';
import { StoreError } from '../../src/cache/errors.ts';
import { LocalStore } from '../../src/cache/local-store.ts';
import { startChild } from './helpers/child.ts';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const KEY_C = 'c'.repeat(64);

/** A store in a fresh dir; disposed and removed after the test. */
async function openStore(t: ExecutionContext): Promise<LocalStore> {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-store-'));
  const store = await LocalStore.open(root);
  t.teardown(async () => {
    await store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  return store;
}

/** Put a tree with one file of `size` bytes of `fill`. */
async function putFile(store: LocalStore, name: string, size: number, fill = name): Promise<Digest> {
  const s = await store.scratch('t');
  writeFileSync(join(s.dir, name), Buffer.alloc(size, fill));
  return (await store.put(s.dir)).digest;
}

/** Pretend `digest` was last used at `seconds` since the epoch. */
const usedAt = (store: LocalStore, digest: Digest, seconds: number): void =>
  utimesSync(join(store.root, 'trees', digest, 'used'), seconds, seconds);

test('open creates the layout', async (t) => {
  const store = await openStore(t);
  for (const d of ['trees', 'actions', 'state', 'logs', 'tmp', 'locks']) t.true(existsSync(join(store.root, d)), d);
  t.true(existsSync(store.tmpDir));
  t.is(store.logsDir, join(store.root, 'logs'));
});

test('put publishes a tree under its digest and consumes the directory', async (t) => {
  const store = await openStore(t);
  const s = await store.scratch('build');
  mkdirSync(join(s.dir, 'etc'));
  writeFileSync(join(s.dir, 'etc/os-release'), 'ID=test\n');
  const r = await store.put(s.dir);
  t.false(r.existed);
  t.false(existsSync(s.dir));
  t.true(store.has(r.digest));
  t.is(store.treePath(r.digest), join(store.root, 'trees', r.digest, 'tree'));
  t.true(existsSync(join(store.treePath(r.digest), 'etc/os-release')));
  const m = await store.manifest(r.digest);
  t.is(m.digest, r.digest);
  t.deepEqual(m.entries, r.manifest.entries);
  t.is(m.files, 1);
  await s.dispose(); // harmless after put
  // Nothing left behind in tmp but the (empty) instance dir.
  t.deepEqual(readdirSync(store.tmpDir), []);
});

test('putting the same content twice keeps one entry', async (t) => {
  const store = await openStore(t);
  const a = await putFile(store, 'same', 10);
  const s = await store.scratch('again');
  writeFileSync(join(s.dir, 'same'), Buffer.alloc(10, 'same'));
  const r = await store.put(s.dir);
  t.is(r.digest, a);
  t.true(r.existed);
  t.is((await store.list()).length, 1);
});

test('put refuses a directory outside the store tmp', async (t) => {
  const store = await openStore(t);
  const outside = mkdtempSync(join(tmpdir(), 'mkimage-outside-'));
  t.teardown(() => rmSync(outside, { recursive: true, force: true }));
  const err = await t.throwsAsync(store.put(outside), { instanceOf: StoreError });
  t.is(err?.reason, 'outside-store');
  t.true(existsSync(outside));
  const notThere = await t.throwsAsync(store.put(join(store.tmpDir, 'nope')), { instanceOf: StoreError });
  t.is(notThere?.reason, 'not-a-directory');
});

test('action cache: put, get, and a record whose tree is gone reads as a miss', async (t) => {
  const store = await openStore(t);
  const d = await putFile(store, 'x', 100);
  t.is(store.getAction(KEY_A), undefined);
  const written = store.putAction(KEY_A, { digest: d, durationMs: 1234, target: 'hello' });
  t.is(typeof written.createdAt, 'number');
  const got = store.getAction<{ digest: Digest; createdAt: number; durationMs: number; target: string }>(KEY_A);
  t.deepEqual(got, written);
  t.is(got?.target, 'hello');
  store.putAction(KEY_B, { digest: 'f'.repeat(64) as Digest, durationMs: 1 });
  t.is(store.getAction(KEY_B), undefined);
  t.throws(() => store.getAction('not-a-key'), { instanceOf: StoreError });
});

test('state documents round-trip', async (t) => {
  const store = await openStore(t);
  t.is(store.readState('project-1'), undefined);
  store.writeState('project-1', { targets: { a: 1 } });
  t.deepEqual(store.readState('project-1'), { targets: { a: 1 } });
  t.throws(() => store.writeState('../escape', {}), { instanceOf: StoreError });
});

test('list reports size, files and times', async (t) => {
  const store = await openStore(t);
  const before = Date.now();
  const d = await putFile(store, 'listed', 1000);
  usedAt(store, d, 1_000_000);
  const [e, ...rest] = await store.list();
  t.deepEqual(rest, []);
  t.is(e?.digest, d);
  t.is(e?.bytes, 1000);
  t.is(e?.files, 1);
  t.true(e!.createdAt >= before - 1000 && e!.createdAt <= Date.now());
  t.is(e?.lastUsedAt, 1_000_000_000);
  t.true(store.touch(d));
  t.true((await store.list())[0]!.lastUsedAt >= before);
  t.false(store.touch('0'.repeat(64) as Digest));
});

test('gc evicts least recently used entries down to the limit, with their action records', async (t) => {
  const store = await openStore(t);
  const old = await putFile(store, 'old', 1000);
  const mid = await putFile(store, 'mid', 1000);
  const fresh = await putFile(store, 'new', 1000);
  usedAt(store, old, 1000);
  usedAt(store, mid, 2000);
  usedAt(store, fresh, 3000);
  store.putAction(KEY_A, { digest: old, durationMs: 1 });
  store.putAction(KEY_B, { digest: mid, durationMs: 1 });
  store.putAction(KEY_C, { digest: fresh, durationMs: 1 });
  const r = await store.gc({ maxBytes: 1500 });
  t.deepEqual(r.evicted.map((e) => e.digest), [old, mid]);
  t.deepEqual(r.evicted.map((e) => e.lastUsed), [1_000_000, 2_000_000]);
  t.is(r.keptBytes, 1000);
  t.false(store.has(old));
  t.false(store.has(mid));
  t.true(store.has(fresh));
  t.false(existsSync(join(store.root, 'actions', `${KEY_A}.json`)));
  t.false(existsSync(join(store.root, 'actions', `${KEY_B}.json`)));
  t.truthy(store.getAction(KEY_C));
  t.deepEqual((await store.gc({ maxBytes: 1000 })).evicted, []);
  // Evicted entries went through tmp and are gone from there too.
  t.deepEqual(readdirSync(store.tmpDir), []);
});

test('verify finds a modified entry, evicts it and its action records', async (t) => {
  const store = await openStore(t);
  const good = await putFile(store, 'good', 100);
  const bad = await putFile(store, 'bad', 100);
  store.putAction(KEY_A, { digest: bad, durationMs: 1 });
  store.putAction(KEY_B, { digest: good, durationMs: 1 });
  writeFileSync(join(store.treePath(bad), 'bad'), 'tampered');

  const reportOnly = await store.verify({ evict: false });
  t.is(reportOnly.checked, 2);
  t.deepEqual(reportOnly.corrupt.map((c) => [c.digest, c.reason]), [[bad, 'content-changed']]);
  t.regex(reportOnly.corrupt[0]!.detail, /bad: .*sha256/);
  t.true(store.has(bad));

  const r = await store.verify();
  t.deepEqual(r.corrupt.map((c) => c.digest), [bad]);
  t.false(store.has(bad));
  t.is(store.getAction(KEY_A), undefined);
  t.false(existsSync(join(store.root, 'actions', `${KEY_A}.json`)));
  t.truthy(store.getAction(KEY_B));
  t.deepEqual((await store.verify()).corrupt, []);
});

test('verify reports a missing manifest', async (t) => {
  const store = await openStore(t);
  const d = await putFile(store, 'm', 10);
  rmSync(join(store.root, 'trees', d, 'manifest.json'));
  const r = await store.verify();
  t.deepEqual(r.corrupt.map((c) => c.reason), ['manifest-missing']);
  t.false(store.has(d));
});

test('concurrent puts of the same tree from two processes: one entry, both succeed', async (t) => {
  const store = await openStore(t);
  const kids = [startChild('put', store.root, 'seed-1'), startChild('put', store.root, 'seed-1')];
  const results = await Promise.all(kids.map((k) => k.waitFor((m) => 'digest' in m)));
  t.deepEqual(await Promise.all(kids.map((k) => k.exited)), [0, 0]);
  t.is(results[0]!.digest, results[1]!.digest);
  t.deepEqual(results.map((r) => r.existed).sort(), [false, true]);
  t.deepEqual(readdirSync(join(store.root, 'trees')), [results[0]!.digest]);
  t.deepEqual((await store.verify()).corrupt, []);
});

test('locks: mutual exclusion within a process', async (t) => {
  const store = await openStore(t);
  const other = await LocalStore.open(store.root);
  t.teardown(() => other.dispose());
  const order: string[] = [];
  const first = await store.lock('build');
  const second = other.lock('build').then((release) => {
    order.push('second');
    return release;
  });
  await new Promise((r) => setTimeout(r, 150));
  order.push('first releases');
  await first();
  await (await second)();
  t.deepEqual(order, ['first releases', 'second']);
  await t.throwsAsync(store.lock('../x'), { instanceOf: StoreError });
});

test('locks: a live holder in another process blocks; its death breaks the lock', async (t) => {
  const store = await openStore(t);
  const child = startChild('lock', store.root, 'shared-thing');
  await child.waitFor((m) => m.locked === true);
  await t.throwsAsync(store.lock('shared-thing', AbortSignal.timeout(200)), { name: 'AbortError' });
  child.proc.kill('SIGKILL');
  await child.exited;
  const release = await store.lock('shared-thing', AbortSignal.timeout(2000));
  await release();
  t.deepEqual(readdirSync(join(store.root, 'locks')).filter((n) => n.endsWith('.lock')), []);
});

test('stale lock and shared tokens of dead owners are removed by open()', async (t) => {
  const store = await openStore(t);
  const locks = join(store.root, 'locks');
  const mutexes = () => readdirSync(locks).filter((n) => n.endsWith('.lock'));
  // One dead owner of each: a shared token, and a mutex (which only open() can clean, nobody asks for it again).
  const shared = startChild('shared', store.root);
  const mutex = startChild('lock', store.root, 'stale-thing');
  await shared.waitFor((m) => m.held === true);
  await mutex.waitFor((m) => m.locked === true);
  t.is(readdirSync(join(locks, 'shared')).length, 1);
  t.deepEqual(mutexes(), ['stale-thing.lock']);
  for (const child of [shared, mutex]) child.proc.kill('SIGKILL');
  await Promise.all([shared.exited, mutex.exited]);
  const again = await LocalStore.open(store.root);
  await again.dispose();
  t.deepEqual(readdirSync(join(locks, 'shared')), [], 'the shared token');
  t.deepEqual(mutexes(), [], 'the mutex');
});

test('exclusive waits for a live shared holder; shared waits while exclusive is held', async (t) => {
  const store = await openStore(t);
  const child = startChild('shared', store.root);
  await child.waitFor((m) => m.held === true);
  await t.throwsAsync(store.acquireExclusive(AbortSignal.timeout(200)), { name: 'AbortError' });
  // The aborted attempt withdrew its announcement: shared still works.
  const s = await store.acquireShared(AbortSignal.timeout(1000));
  await s();
  child.proc.kill('SIGKILL');
  await child.exited;
  const ex = await store.acquireExclusive(AbortSignal.timeout(2000));
  const other = await LocalStore.open(store.root);
  t.teardown(() => other.dispose());
  await t.throwsAsync(other.acquireShared(AbortSignal.timeout(200)), { name: 'AbortError' });
  await ex();
  await (await other.acquireShared(AbortSignal.timeout(1000)))();
});

test('gc refuses to run while the same instance holds the shared lock', async (t) => {
  const store = await openStore(t);
  const release = await store.acquireShared();
  await t.throwsAsync(store.gc({ maxBytes: 0 }), { message: /acquireShared/ });
  await release();
  t.deepEqual((await store.gc({ maxBytes: 0 })).evicted, []);
});

test('open() removes the tmp dirs of dead processes and keeps those of live ones', async (t) => {
  const store = await openStore(t);
  const dead = startChild('identity');
  const { tag } = await dead.waitFor((m) => 'tag' in m);
  await dead.exited;
  const deadDir = join(store.root, 'tmp', `${String(tag)}-1`);
  mkdirSync(join(deadDir, 'put-1/tree'), { recursive: true });
  writeFileSync(join(deadDir, 'put-1/tree/file'), 'half-written');
  const again = await LocalStore.open(store.root);
  t.deepEqual(again.warnings, []);
  t.false(existsSync(deadDir));
  t.true(existsSync(store.tmpDir)); // ours: this process is alive
  await again.dispose();
  t.false(existsSync(again.tmpDir));
});

test('scratch dirs are fresh and disposable', async (t) => {
  const store = await openStore(t);
  const a = await store.scratch('x/y');
  const b = await store.scratch('x/y');
  t.not(a.dir, b.dir);
  t.true(a.dir.startsWith(store.tmpDir));
  writeFileSync(join(a.dir, 'f'), '');
  await a.dispose();
  t.false(existsSync(a.dir));
  t.true(existsSync(b.dir));
});

test('a copy restore is independent of the entry', async (t) => {
  const store = await openStore(t);
  const d = await putFile(store, 'c', 10);
  const dest = join(store.tmpDir, 'restored');
  const r = await store.restore(d, dest, 'copy');
  writeFileSync(join(dest, 'c'), 'changed');
  await r.dispose();
  t.true(existsSync(dest)); // a copy is the caller's
  t.deepEqual((await store.verify()).corrupt, []);
  const err = await t.throwsAsync(store.restore(d, dest, 'copy'), { instanceOf: StoreError });
  t.is(err?.reason, 'dest-exists');
});

test.serial('a durable store syncs the staged entry before publishing it, and works the same', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-store-'));
  // A `sync` first on PATH that logs what it was asked to flush and how many entries were published then.
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'sync'), `#!/bin/sh\necho "$* $(ls ${root}/store/trees | wc -l)" >> ${root}/sync.log\nexec /bin/sync "$@"\n`, { mode: 0o755 });
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  const store = await LocalStore.open(join(root, 'store'), { durable: true });
  t.teardown(async () => {
    process.env.PATH = path;
    await store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  const d = await putFile(store, 'durable', 100);
  t.true(store.has(d));
  const log = join(root, 'sync.log');
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  t.is(calls.length, 1, 'sync ran once');
  t.regex(calls[0]!, /^-f \S+\/put-\S+ 0$/, 'the staging dir, synced while nothing was published yet');
});

test('open() refuses a store of another layout version', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-store-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'VERSION'), '99\n');
  const err = await t.throwsAsync(LocalStore.open(root), { instanceOf: StoreError });
  t.is(err?.reason, 'incompatible-store');
});
