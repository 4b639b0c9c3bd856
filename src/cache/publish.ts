// Putting a tree into the store: it is scanned, named by its digest, and published by one
// rename, so readers never see a partial entry; if the same content is there already, ours is
// dropped. A tree shown by an overlay mount over another entry is folded onto that entry:
// the files it did not change become hardlinks of the entry's (overlay-fold.ts).

import { lstat, mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest, type Digest } from '../core/ids.ts';
import { errnoCode, StoreError } from './errors.ts';
import { hostCommandOrThrow } from './host-command.ts';
import { mountsUnder, unmountUnder } from './mounts.ts';
import { foldOverlay, overlayLayers, overlayOptionsProblem, type OverlayLayers } from './overlay-fold.ts';
import type { StoredManifest, StoreLayout } from './store-layout.ts';
import { scanTree, treeDigest, type TreeManifest } from './tree.ts';

export interface PutResult {
  readonly digest: Digest;
  readonly manifest: TreeManifest;
  /** The entry was there already (same content stored before, perhaps by another process). */
  readonly existed: boolean;
  /** put() of an overlay mount folded onto its lower entry (see put()): that entry. */
  readonly derivedFrom?: Digest;
  /** put() of an overlay mount that was copied instead: why it could not be folded. */
  readonly copiedBecause?: string;
}

export interface PublishOptions {
  /** syncfs(2) the new entry before publishing it (StoreOptions.durable). */
  readonly durable: boolean;
}

/**
 * Store the tree at `treeDir` (a directory inside this store's tmp/, e.g. a scratch dir; it is
 * moved, not copied) under its digest.
 *
 * `treeDir` may also be an overlay mount (index=on, redirect_dir=off, metacopy=off) whose
 * lower layer is an entry of this store and whose upper and work dirs are in tmp/: the tree it
 * shows is stored, the untouched files as hardlinks of that entry's, and the mount is
 * consumed. Any other overlay mount is copied, then unmounted.
 */
export async function put(layout: StoreLayout, treeDir: string, o: PublishOptions): Promise<PutResult> {
  const abs = await layout.insideTmp(treeDir);
  const mounts = mountsUnder(abs);
  if (mounts.length === 1 && mounts[0]!.path === abs && mounts[0]!.fstype === 'overlay') return putOverlay(layout, abs, mounts[0]!.superOptions, o);
  if (mounts.length > 0) throw new StoreError('busy', `${treeDir} has mounts inside it; unmount them before put()`);
  const stage = layout.tmpName('put');
  await mkdir(stage);
  const staged = join(stage, 'tree');
  await rename(abs, staged);
  let manifest: TreeManifest;
  try {
    manifest = await scanTree(staged);
  } catch (err) {
    // Give the tree back, so a caller can look at what could not be read.
    await rename(staged, abs).catch(() => undefined);
    await layout.removeTree(stage);
    throw err;
  }
  return publish(layout, stage, manifest, {}, o);
}

/** put() of an overlay mount at `merged`: folded onto its lower entry if it can be, else copied. */
async function putOverlay(layout: StoreLayout, merged: string, superOptions: readonly string[], o: PublishOptions): Promise<PutResult> {
  const stage = layout.tmpName('put');
  await mkdir(stage);
  const staged = join(stage, 'tree');
  try {
    const foldable = await foldableOnto(layout, merged, superOptions);
    let problem = 'problem' in foldable ? foldable.problem : undefined;
    if (!('problem' in foldable)) {
      const through = join(stage, 'through');
      await mkdir(through);
      const folded = await foldOverlay({
        layers: foldable.layers,
        base: layout.treePath(foldable.base),
        baseManifest: await layout.manifest(foldable.base),
        dest: staged,
        scratch: through,
        unmount: () => unmountUnder(merged),
      });
      await rm(through, { recursive: true, force: true });
      if (folded.folded) {
        await rmdir(merged);
        const published = await publish(layout, stage, folded.manifest, { base: foldable.base, ownBytes: folded.ownBytes }, o);
        return { ...published, derivedFrom: foldable.base };
      }
      problem = folded.reason;
    }
    await hostCommandOrThrow('cp', ['-a', '--reflink=auto', '--no-target-directory', merged, staged]);
    await unmountUnder(merged);
    await rmdir(merged);
    return { ...(await publish(layout, stage, await scanTree(staged), {}, o)), ...(problem !== undefined && { copiedBecause: problem }) };
  } catch (err) {
    await layout.removeTree(stage);
    throw err;
  }
}

/** The mount's layers and the entry its lower layer is, or why it cannot be folded. */
async function foldableOnto(layout: StoreLayout, merged: string, superOptions: readonly string[]): Promise<{ layers: OverlayLayers; base: Digest } | { problem: string }> {
  const layers = overlayLayers(merged, superOptions);
  if (!layers) return { problem: 'no layers in its options' };
  const problem = overlayOptionsProblem(superOptions) ?? (await layout.outsideTmp(layers.upper, layers.work));
  if (problem !== undefined) return { problem };
  const base = await entryOf(layout, layers.lower);
  return base ? { layers, base } : { problem: `its lower layer ${layers.lower} is no entry of this store` };
}

/** The entry whose tree `path` is (through trees/ or a read-only view of it), if any. */
async function entryOf(layout: StoreLayout, path: string): Promise<Digest | undefined> {
  const m = /\/([0-9a-f]{64})\/tree\/?$/.exec(path);
  const digest = m?.[1];
  if (digest === undefined || !isDigest(digest) || !layout.has(digest)) return undefined;
  const [a, b] = await Promise.all([lstat(path, { bigint: true }), lstat(layout.treePath(digest), { bigint: true })]).catch(() => []);
  return a && b && a.dev === b.dev && a.ino === b.ino ? digest : undefined;
}

/** Names `stage/tree` by its manifest and moves the entry into trees/ (or drops it if there). */
async function publish(layout: StoreLayout, stage: string, manifest: TreeManifest, derived: { base?: Digest; ownBytes?: number }, o: PublishOptions): Promise<PutResult> {
  const digest = treeDigest(manifest);
  const existing = async (): Promise<PutResult> => {
    await layout.removeTree(stage);
    layout.touch(digest);
    return { digest, manifest, existed: true };
  };
  if (layout.has(digest)) return existing();
  const createdAt = Date.now();
  const stored: StoredManifest = { digest, createdAt, files: manifest.files, bytes: manifest.bytes, entries: manifest.entries };
  await writeFile(join(stage, 'manifest.json'), JSON.stringify(stored));
  await writeFile(join(stage, 'info.json'), JSON.stringify({ digest, files: manifest.files, bytes: manifest.bytes, createdAt, ...derived }));
  await writeFile(join(stage, 'used'), '');
  if (o.durable) await hostCommandOrThrow('sync', ['-f', stage]);
  try {
    await rename(stage, layout.entryDir(digest));
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    // Another process published the same content first: theirs is as good as ours.
    return existing();
  }
  return { digest, manifest, existed: false };
}
