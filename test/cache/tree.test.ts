import test from 'ava';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setAttributeSync } from 'fs-xattr';
import { StoreError } from '../../src/cache/errors.ts';
import { diffManifests } from '../../src/cache/tree-diff.ts';
import { canonicalJson } from '../../src/core/canonical.ts';
import { scanTree, treeDigest, type TreeManifest } from '../../src/cache/tree.ts';

const isRoot = process.getuid?.() === 0;
/** Tests that need root: skipped, and shown as skipped, otherwise. */
const asRoot = isRoot ? test : test.skip;

/** A fresh dir, removed after the test. */
function tempDir(t: { teardown(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-tree-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small tree; `tweak` runs on it before it is returned. */
function makeSample(root: string, tweak: (dir: string) => void = () => undefined): string {
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  writeFileSync(join(root, 'etc/hostname'), 'box\n');
  writeFileSync(join(root, 'usr/bin/tool'), 'binary');
  chmodSync(join(root, 'usr/bin/tool'), 0o755);
  symlinkSync('../usr/bin/tool', join(root, 'etc/tool'));
  tweak(root);
  return root;
}

const digestOf = async (dir: string): Promise<string> => treeDigest(await scanTree(dir));

test('same content gives the same digest, whatever the mtimes and creation order', async (t) => {
  const a = makeSample(join(tempDir(t), 'a'));
  const b = join(tempDir(t), 'b');
  // Created in another order, later.
  mkdirSync(join(b, 'usr/bin'), { recursive: true });
  writeFileSync(join(b, 'usr/bin/tool'), 'binary');
  chmodSync(join(b, 'usr/bin/tool'), 0o755);
  mkdirSync(join(b, 'etc'));
  symlinkSync('../usr/bin/tool', join(b, 'etc/tool'));
  writeFileSync(join(b, 'etc/hostname'), 'box\n');
  utimesSync(join(b, 'etc/hostname'), 1000, 1000);
  const [ma, mb] = [await scanTree(a), await scanTree(b)];
  t.is(treeDigest(ma), treeDigest(mb));
  t.notDeepEqual(diffManifests(ma, mb, { mtimes: true }), []);
  t.deepEqual(diffManifests(ma, mb), []);
});

test('mtime changes do not change the digest', async (t) => {
  const dir = makeSample(tempDir(t));
  const before = await digestOf(dir);
  utimesSync(join(dir, 'etc/hostname'), 12345, 12345);
  utimesSync(join(dir, 'etc'), 12345, 12345);
  t.is(await digestOf(dir), before);
});

const changes: [string, (dir: string) => void][] = [
  ['changing the content', (d) => writeFileSync(join(d, 'etc/hostname'), 'other\n')],
  ['changing the mode', (d) => chmodSync(join(d, 'usr/bin/tool'), 0o700)],
  ['setting the setuid bit', (d) => chmodSync(join(d, 'usr/bin/tool'), 0o4755)],
  ['changing a directory mode', (d) => chmodSync(join(d, 'etc'), 0o700)],
  ['changing a symlink target', (d) => {
    rmSync(join(d, 'etc/tool'));
    symlinkSync('/usr/bin/tool', join(d, 'etc/tool'));
  }],
  ['adding an xattr', (d) => setAttributeSync(join(d, 'etc/hostname'), 'user.mkimage.test', 'x')],
  ['adding an empty file', (d) => writeFileSync(join(d, 'etc/empty'), '')],
  ['replacing a file by a directory', (d) => {
    rmSync(join(d, 'etc/hostname'));
    mkdirSync(join(d, 'etc/hostname'));
  }],
  ['renaming a file', (d) => {
    rmSync(join(d, 'etc/hostname'));
    writeFileSync(join(d, 'etc/hostnam'), 'box\n');
  }],
];

for (const [what, tweak] of changes) {
  test(`${what} changes the digest`, async (t) => {
    const base = await digestOf(makeSample(join(tempDir(t), 'base')));
    t.not(await digestOf(makeSample(join(tempDir(t), 'changed'), tweak)), base);
  });
}

asRoot('changing the owner or group changes the digest (needs root to chown)', async (t) => {
  const base = await digestOf(makeSample(join(tempDir(t), 'base')));
  const other = await digestOf(makeSample(join(tempDir(t), 'changed'), (d) => chownSync(join(d, 'etc/hostname'), 1000, 0)));
  const group = await digestOf(makeSample(join(tempDir(t), 'group'), (d) => chownSync(join(d, 'etc/hostname'), 0, 1000)));
  t.not(other, base);
  t.not(group, base);
  t.not(group, other);
});

test('hardlink structure is part of the digest; the later path links to the first', async (t) => {
  const copies = makeSample(join(tempDir(t), 'copies'), (d) => writeFileSync(join(d, 'usr/bin/tool2'), 'binary'));
  const linked = makeSample(join(tempDir(t), 'linked'), (d) => linkSync(join(d, 'usr/bin/tool'), join(d, 'usr/bin/tool2')));
  const [mc, ml] = [await scanTree(copies), await scanTree(linked)];
  t.not(treeDigest(mc), treeDigest(ml));
  const e = ml.entries.find((x) => x.path === 'usr/bin/tool2')!;
  t.is(e.link, 'usr/bin/tool');
  t.is(e.sha256, ml.entries.find((x) => x.path === 'usr/bin/tool')!.sha256);
  t.is(ml.entries.find((x) => x.path === 'usr/bin/tool')!.link, undefined);
  // Hardlinked content is counted once.
  t.is(mc.bytes - ml.bytes, 'binary'.length);
  t.is(mc.files, ml.files);
});

test('entries: root first, then byte order of the path; fields as documented', async (t) => {
  const dir = tempDir(t);
  for (const name of ['b', 'a.b', 'B', 'é', '-x']) writeFileSync(join(dir, name), name);
  mkdirSync(join(dir, 'a'));
  writeFileSync(join(dir, 'a/b'), 'ab');
  const m = await scanTree(dir);
  t.deepEqual(
    m.entries.map((e) => e.path),
    ['.', '-x', 'B', 'a', 'a.b', 'a/b', 'b', 'é'],
  );
  const ab = m.entries.find((e) => e.path === 'a/b')!;
  t.is(ab.type, 'file');
  t.is(ab.size, 2);
  t.is(ab.sha256, createHash('sha256').update('ab').digest('hex'));
  t.regex(ab.mtimeNs, /^\d+$/);
  t.is(m.entries[0]!.type, 'dir');
  t.is(m.files, 6);
});

test('names beyond the BMP sort in UTF-8 byte order too', async (t) => {
  const dir = tempDir(t);
  for (const name of ['a\u{1F600}', 'a\uE000', 'ab', 'a\u00E9']) writeFileSync(join(dir, name), name);
  const paths = (await scanTree(dir)).entries.map((e) => e.path);
  t.deepEqual(paths, ['.', 'ab', 'a\u00E9', 'a\uE000', 'a\u{1F600}']);
  t.deepEqual(paths.slice(1), [...paths.slice(1)].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
});

asRoot('fifos and devices are described (needs root for mknod)', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const dir = tempDir(t);
  execFileSync('mkfifo', [join(dir, 'pipe')]);
  execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
  execFileSync('mknod', [join(dir, 'big'), 'b', '259', '1048575']);
  const m = await scanTree(dir);
  const by = (p: string) => m.entries.find((e) => e.path === p)!;
  t.is(by('pipe').type, 'fifo');
  t.deepEqual([by('null').type, by('null').rdev], ['char', [1, 3]]);
  t.deepEqual([by('big').type, by('big').rdev], ['block', [259, 1048575]]);
});

test('many files go through the worker pool and hash the same as inline', async (t) => {
  const dir = tempDir(t);
  const expected = new Map<string, string>();
  for (let i = 0; i < 700; i++) {
    const sub = join(dir, `d${i % 7}`);
    mkdirSync(sub, { recursive: true });
    const data = `file ${i}\n`.repeat(i);
    writeFileSync(join(sub, `f${i}`), data);
    expected.set(`d${i % 7}/f${i}`, createHash('sha256').update(data).digest('hex'));
  }
  writeFileSync(join(dir, 'large'), Buffer.alloc(9 << 20, 1)); // streamed, above the whole-file limit
  expected.set('large', createHash('sha256').update(Buffer.alloc(9 << 20, 1)).digest('hex'));
  const m = await scanTree(dir);
  for (const e of m.entries) if (e.type === 'file') t.is(e.sha256, expected.get(e.path), e.path);
  t.is(m.files, 701);
});

test('the digest is the canonical JSON of the manifest without mtimes', (t) => {
  const m: TreeManifest = {
    files: 0,
    bytes: 0,
    entries: [{ path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: '1' }],
  };
  const reordered: TreeManifest = {
    ...m,
    entries: [{ mtimeNs: '2', gid: 0, uid: 0, mode: 0o755, type: 'dir', path: '.' }],
  };
  t.is(treeDigest(m), treeDigest(reordered));
  t.is<string, string>(
    treeDigest(m),
    createHash('sha256')
      .update(canonicalJson({ format: 'mkimage-tree/1', entries: [{ path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0 }] }))
      .digest('hex'),
  );
});

test('the digest of a manifest with every field is its canonical JSON', (t) => {
  const entries = [
    { path: '.', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: '1', xattrs: { 'user.b': 'Yg==', 'user.a': 'YQ==' } },
    { path: 'a', type: 'file', mode: 0o4755, uid: 1, gid: 2, size: 3, sha256: 'f'.repeat(64), mtimeNs: '2' },
    { path: 'b', type: 'file', mode: 0o644, uid: 1, gid: 2, size: 3, sha256: 'f'.repeat(64), link: 'a', mtimeNs: '2' },
    { path: 'c', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'a "quoted" \\ target\n', mtimeNs: '3' },
    { path: 'd', type: 'block', mode: 0o660, uid: 0, gid: 6, rdev: [7, 0], mtimeNs: '4' },
    { path: 'é', type: 'fifo', mode: 0o600, uid: 0, gid: 0, mtimeNs: '5' },
  ] as const;
  const m: TreeManifest = { files: 2, bytes: 3, entries };
  const normalised = entries.map(({ mtimeNs: _, ...rest }) => rest);
  t.is<string, string>(treeDigest(m), createHash('sha256').update(canonicalJson({ entries: normalised, format: 'mkimage-tree/1' })).digest('hex'));
});

test('scanTree of something that is not a directory is a StoreError', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'f'), '');
  const err = await t.throwsAsync(scanTree(join(dir, 'f')), { instanceOf: StoreError });
  t.is(err?.reason, 'not-a-directory');
  const missing = await t.throwsAsync(scanTree(join(dir, 'nope')), { instanceOf: StoreError });
  t.is(missing?.reason, 'unreadable-tree');
});
