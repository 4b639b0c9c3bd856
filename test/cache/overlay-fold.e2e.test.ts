// Needs root: put() of an overlay mount over an entry stores exactly the tree the mount shows
// (compared with a `cp -a` of the mount, mtimes included), shares the untouched files with
// the entry without ever changing it, copies instead when it cannot be sure, and gc counts
// shared files once.

import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, lchownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAttributeSync, listAttributesSync, removeAttributeSync, setAttributeSync } from 'fs-xattr';
import type { Digest } from '../../src/core/ids.ts';
import { LocalStore, type PutResult } from '../../src/cache/local-store.ts';
import { mountsUnder } from '../../src/cache/mounts.ts';
import { describeChanges, diffManifests } from '../../src/cache/tree-diff.ts';
import { scanTree, type TreeManifest } from '../../src/cache/tree.ts';
import { buildRichTree, findTool } from './helpers/rich-tree.ts';

// The e2e suite runs as root (README): without root, every test here fails instead of passing having done nothing.
test.before(() => {
  if (process.getuid?.() !== 0) throw new Error('the e2e suite needs root (mounts, chown, mknod): run it as root');
});
/** What src/image/root-overlay.ts mounts with. */
const OPTIONS = ['index=on', 'redirect_dir=off', 'metacopy=off', 'volatile'];

async function openStore(t: ExecutionContext): Promise<LocalStore> {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-fold-'));
  const store = await LocalStore.open(root);
  t.teardown(async () => {
    await store.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  return store;
}

async function putRich(t: ExecutionContext, store: LocalStore): Promise<PutResult> {
  const s = await store.scratch('rich');
  await buildRichTree(s.dir, (m) => t.log(m));
  writeFileSync(join(s.dir, 'usr/bin/big'), Buffer.alloc(1 << 20, 7));
  return store.put(s.dir);
}

interface Derived {
  readonly result: PutResult;
  /** scanTree of a `cp -a` of the mount, taken just before put(). */
  readonly reference: TreeManifest;
  readonly referenceDir: string;
}

/** Mounts an overlay over the entry as the image stages do, lets `change` edit it, and puts it. */
async function derive(store: LocalStore, base: Digest, change: (root: string) => void): Promise<Derived> {
  const view = await store.readOnlyView();
  try {
    const s = await store.scratch('derive');
    const [out, upper, work] = [join(s.dir, 'out'), join(s.dir, 'upper'), join(s.dir, 'work')] as const;
    for (const d of [out, upper, work]) mkdirSync(d);
    const lower = view.treePath(base);
    execFileSync('sh', ['-ec', 'chown --reference="$1" "$2"; chmod --reference="$1" "$2"; touch -m -r "$1" "$2"', 'sh', lower, upper]);
    for (const name of listAttributesSync(lower)) setAttributeSync(upper, name, getAttributeSync(lower, name));
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', [`lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`, ...OPTIONS].join(','), out]);
    change(out);
    const referenceDir = join(s.dir, 'reference');
    execFileSync('cp', ['-a', '--no-target-directory', out, referenceDir]);
    const reference = await scanTree(referenceDir);
    const result = await store.put(out);
    return { result, reference, referenceDir };
  } finally {
    await view.dispose();
  }
}

/** `getfattr -R -h -d` of a tree, paths relative, or undefined without the attr package. */
function xattrDump(dir: string): string | undefined {
  const getfattr = findTool('getfattr');
  if (!getfattr) return undefined;
  return execFileSync(getfattr, ['-R', '-h', '-d', '-m', '-', '--absolute-names', '.'], { cwd: dir, encoding: 'utf8' });
}

function sameAsReference(t: ExecutionContext, store: LocalStore, d: Derived): void {
  const stored = store.treePath(d.result.digest);
  t.deepEqual(diffManifests(d.reference, d.result.manifest, { mtimes: true }), [], describeChanges(diffManifests(d.reference, d.result.manifest, { mtimes: true })));
  const dump = xattrDump(stored);
  if (dump !== undefined) {
    t.false(dump.includes('trusted.overlay.'), 'no overlayfs xattrs in the entry');
    // Symlinks' xattrs are not in manifests: compare them (and all others) directly.
    t.is(dump, xattrDump(d.referenceDir) ?? '');
  }
}

/** Everything a stage may do to a root, none of it to a file with other names in the tree. */
function manyChanges(m: string): void {
  const p = (rel: string) => join(m, rel);
  writeFileSync(p('usr/bin/sudo'), 'rewritten in place');
  appendFileSync(p('empty'), 'no longer empty');
  chmodSync(p('usr/bin/wall'), 0o755);
  lchownSync(p('usr/bin/python'), 7, 8);
  execFileSync('touch', ['-h', '-d', '@1650000000.000000123', p('usr/bin/python')]);
  unlinkSync(p('dangling'));
  rmSync(p('dev'), { recursive: true });
  mkdirSync(p('dev'));
  execFileSync('mknod', [p('dev/zero'), 'c', '1', '5']);
  renameSync(p('usr/bin/ping'), p('usr/bin/ping2'));
  mkdirSync(p('opt/app/lib'), { recursive: true });
  writeFileSync(p('opt/app/a'), 'a');
  linkSync(p('opt/app/a'), p('opt/app/lib/a-too'));
  symlinkSync('../a', p('opt/app/lib/link'));
  execFileSync('mkfifo', [p('opt/app/fifo')]);
  rmSync(p('tmp'), { recursive: true });
  writeFileSync(p('tmp'), 'a file where a directory was');
  unlinkSync(p('run/initctl'));
  mkdirSync(p('run/initctl'));
  setAttributeSync(p('srv/shared'), 'user.added', 'yes');
  removeAttributeSync(p('srv/shared'), 'trusted.mkimage.note');
  execFileSync('mv', [p('srv'), p('srv2')]);
  linkSync(p('usr/bin/sudo'), p('sudo-too'));
  linkSync(p('usr/bin/big'), p('big-too'));
  chmodSync(m, 0o700);
  execFileSync('touch', ['-d', '@1500000000.5', p('usr')]);
}

test('an overlay over an entry is stored as the mount shows it, sharing what it did not change', async (t) => {
  const store = await openStore(t);
  const base = await putRich(t, store);
  const d = await derive(store, base.digest, manyChanges);
  t.is(d.result.copiedBecause, undefined);
  t.is(d.result.derivedFrom, base.digest);
  sameAsReference(t, store, d);
  t.deepEqual(diffManifests(d.result.manifest, await scanTree(store.treePath(d.result.digest)), { mtimes: true }), [], 'the manifest describes the tree');

  // Untouched files are the base's inodes; changed ones are not.
  const ino = (digest: Digest, rel: string) => lstatSync(join(store.treePath(digest), rel)).ino;
  t.is(ino(d.result.digest, 'usr/bin/python3.11'), ino(base.digest, 'usr/bin/python3.11'));
  t.is(ino(d.result.digest, 'run/socket'), ino(base.digest, 'run/socket'));
  t.not(ino(d.result.digest, 'usr/bin/sudo'), ino(base.digest, 'usr/bin/sudo'));
  // Linking a name to a base file copied it up first: both names are the copy, as in the mount.
  t.is(ino(d.result.digest, 'big-too'), ino(d.result.digest, 'usr/bin/big'));
  t.not(ino(d.result.digest, 'big-too'), ino(base.digest, 'usr/bin/big'));

  const info = (await store.list()).find((e) => e.digest === d.result.digest);
  t.is(info?.base, base.digest);
  // The big file (copied up to be linked), ping (renamed) and a few small ones.
  t.true(info!.ownBytes! > 1 << 20 && info!.ownBytes! < (1 << 20) + 2000);
  t.deepEqual((await store.verify({ evict: false })).corrupt, [], 'the base entry is unchanged');
  t.deepEqual(mountsUnder(store.tmpDir).filter((mp) => mp.fstype === 'overlay'), []);
});

test('an entry derived from a derived one (every lower file has other links) folds too', async (t) => {
  const store = await openStore(t);
  const base = await putRich(t, store);
  const first = await derive(store, base.digest, (m) => writeFileSync(join(m, 'first'), '1'));
  const second = await derive(store, first.result.digest, (m) => {
    appendFileSync(join(m, 'first'), 'appended in place');
    writeFileSync(join(m, 'usr/bin/wall'), 'rewritten');
    lchownSync(join(m, 'usr/bin/python'), 9, 9);
    execFileSync('chown', ['-h', '5:5', join(m, 'dev/null')]);
  });
  t.is(second.result.copiedBecause, undefined);
  t.is(second.result.derivedFrom, first.result.digest);
  sameAsReference(t, store, second);
  t.is(readFileSync(join(store.treePath(first.result.digest), 'first'), 'utf8'), '1', 'the first entry is unchanged');
  t.deepEqual((await store.verify({ evict: false })).corrupt, []);
});

test('a change to a file with other names in the tree is copied, not folded, and still exact', async (t) => {
  const store = await openStore(t);
  const base = await putRich(t, store);
  const d = await derive(store, base.digest, (m) => appendFileSync(join(m, 'usr/bin/python3'), ' and more'));
  t.regex(d.result.copiedBecause ?? '', /hardlinked to a file the stage changed/);
  t.is(d.result.derivedFrom, undefined);
  sameAsReference(t, store, d);
  // Every name shows the change, as on a plain directory.
  for (const rel of ['usr/bin/python3', 'usr/bin/python3.11', 'python-too']) {
    t.is(readFileSync(join(store.treePath(d.result.digest), rel), 'utf8'), 'interpreter and more', rel);
  }
  t.deepEqual((await store.verify({ evict: false })).corrupt, []);
});

test('a stage that changes nothing gives the base entry back', async (t) => {
  const store = await openStore(t);
  const base = await putRich(t, store);
  const d = await derive(store, base.digest, () => {});
  t.is(d.result.digest, base.digest);
  t.true(d.result.existed);
});

test('gc counts files shared between entries once, and evicting the base leaves the derived entry whole', async (t) => {
  const store = await openStore(t);
  const base = await putRich(t, store);
  const d = await derive(store, base.digest, (m) => writeFileSync(join(m, 'usr/bin/sudo'), 'x'.repeat(100)));
  const baseSudo = base.manifest.entries.find((e) => e.path === 'usr/bin/sudo')!.size!;
  const both = base.manifest.bytes + 100;
  t.is((await store.gc({ maxBytes: both })).keptBytes, both);

  // The base was used least recently: it goes, and frees only the file the derived entry changed.
  const used = join(store.root, 'trees', base.digest, 'used');
  execFileSync('touch', ['-d', '@1000000000', used]);
  const r = await store.gc({ maxBytes: both - 1 });
  t.deepEqual(r.evicted.map((e) => [e.digest, e.bytes]), [[base.digest, baseSudo]]);
  t.is(r.keptBytes, d.result.manifest.bytes);
  t.false(store.has(base.digest));
  t.deepEqual((await store.verify({ evict: false })).corrupt, []);
  t.is(readFileSync(join(store.treePath(d.result.digest), 'usr/bin/big')).length, 1 << 20);
});

test('a stage that changes files in thousands of directories gets every directory time back', async (t) => {
  const store = await openStore(t);
  const s = await store.scratch('wide');
  const dirs = Array.from({ length: 1500 }, (_, i) => `a-rather-long-directory-name-to-fill-the-script-${i}/and-a-nested-one-${i}`);
  for (const d of dirs) {
    mkdirSync(join(s.dir, d), { recursive: true });
    writeFileSync(join(s.dir, d, 'f'), d);
  }
  const base = await store.put(s.dir);
  const d = await derive(store, base.digest, (m) => {
    for (const dir of dirs) writeFileSync(join(m, dir, 'g'), 'new');
  });
  t.is(d.result.derivedFrom, base.digest, d.result.copiedBecause);
  sameAsReference(t, store, d);
});
