// Needs root: a root stage works on an overlay of the previous root that the store folds (it
// keeps only the changes), never on the store's entry itself; a failed stage leaves nothing
// mounted once its scratch is gone.

import test, { type ExecutionContext } from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../src/cache/local-store.ts';
import { mountsUnder } from '../../src/cache/mounts.ts';
import { scanTree } from '../../src/cache/tree.ts';
import { targetId } from '../../src/core/ids.ts';
import type { RecipeContext } from '../../src/core/target.ts';
import { rootFrom } from '../../src/image/root-overlay.ts';

// The e2e suite runs as root (README): without root, every test here fails instead of passing having done nothing.
test.before(() => {
  if (process.getuid?.() !== 0) throw new Error('the e2e suite needs root (mounts, chown, mknod): run it as root');
});

async function storeWithRoot(t: ExecutionContext) {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-root-overlay-'));
  const store = await LocalStore.open(dir);
  const view = await store.readOnlyView();
  t.teardown(async () => {
    await view.dispose();
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const s = await store.scratch('bootstrap');
  for (const d of ['etc', 'usr/bin', 'var/log']) mkdirSync(join(s.dir, d), { recursive: true });
  writeFileSync(join(s.dir, 'etc/hostname'), 'bootstrap\n');
  writeFileSync(join(s.dir, 'var/log/dpkg.log'), 'installed\n');
  writeFileSync(join(s.dir, 'usr/bin/tool'), '#!/bin/sh\n');
  symlinkSync('usr/bin', join(s.dir, 'bin'));
  chmodSync(s.dir, 0o755);
  const { digest } = await store.put(s.dir);
  return { store, view, digest };
}

/** A recipe context as the engine makes one: out and tmp in a fresh store scratch. */
async function context(store: LocalStore, previous: string): Promise<{ ctx: RecipeContext; dispose(): Promise<void> }> {
  const s = await store.scratch('stage');
  const out = join(s.dir, 'out');
  const tmp = join(s.dir, 'tmp');
  mkdirSync(out);
  mkdirSync(tmp);
  const ctx: RecipeContext = {
    id: targetId('test/stage'),
    out,
    tmp,
    deps: { previous },
    files: [],
    values: {},
    env: {},
    root: '/',
    signal: new AbortController().signal,
    slots: 1,
    output: () => {},
    warn: () => {},
    progress: () => {},
  };
  return { ctx, dispose: () => s.dispose() };
}

test('a root stage edits an overlay of the previous root, and the store keeps only its changes', async (t) => {
  const { store, view, digest } = await storeWithRoot(t);
  const before = await scanTree(store.treePath(digest));
  const { ctx, dispose } = await context(store, view.treePath(digest));
  await rootFrom(ctx.deps.previous!, ctx);
  t.is(mountsUnder(ctx.out)[0]?.fstype, 'overlay');
  writeFileSync(join(ctx.out, 'etc/hostname'), 'edited\n');
  unlinkSync(join(ctx.out, 'var/log/dpkg.log'));
  const stored = await store.put(ctx.out);
  await dispose();
  t.is(stored.derivedFrom, digest, stored.copiedBecause);
  t.is(readFileSync(join(store.treePath(stored.digest), 'etc/hostname'), 'utf8'), 'edited\n');
  t.deepEqual((await scanTree(store.treePath(digest))).entries, before.entries, 'the previous root is untouched');
  t.deepEqual((await store.verify({ evict: false })).corrupt, []);
});

test('a stage that fails leaves its overlay to the scratch, which unmounts it', async (t) => {
  const { store, view, digest } = await storeWithRoot(t);
  const { ctx, dispose } = await context(store, view.treePath(digest));
  await rootFrom(ctx.deps.previous!, ctx);
  writeFileSync(join(ctx.out, 'etc/hostname'), 'half done\n');
  await dispose();
  t.deepEqual(mountsUnder(store.tmpDir).filter((m) => m.fstype === 'overlay'), []);
  t.is(readFileSync(join(store.treePath(digest), 'etc/hostname'), 'utf8'), 'bootstrap\n');
});
