// Storing the tree an overlay mount shows when its lower layer is a store entry: what the
// upper layer did not touch is hardlinked from that entry (entries never change, so they may
// share inodes), the upper layer's entries are moved in, and the manifest is the entry's with
// only the upper layer's paths described anew. A stage that changes a few files of a root then
// costs what it changed, not the size of the root.
//
// The result must be exactly the tree the mount showed (what `cp -a` of it gives and scanTree
// describes): owners, modes, xattrs without overlayfs's own, mtimes to the nanosecond,
// hardlinks, devices. Whatever this cannot be sure to reproduce, foldOverlay() reports before
// it changes anything, and the caller copies the mount instead.
//
// The mount must have index=on (a changed file with other links in the tree changes under
// every name, as on a plain directory), redirect_dir=off and metacopy=off (a copied-up file
// carries its data; a renamed directory is copied). overlayOptionsProblem() checks that.

import { chmodSync, lchownSync, lstatSync, readdirSync, readlinkSync, renameSync, rmSync, unlinkSync, type BigIntStats } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getAttributeSync, listAttributesSync, removeAttributeSync, setAttributeSync } from 'fs-xattr';
import { errnoCode, StoreError } from './errors.ts';
import { HashPool } from './hash-pool.ts';
import { hostCommand } from './host-command.ts';
import { touchDate } from './dir-attributes.ts';
import { assemble, entryType, statEntry, type Described, type TreeEntry, type TreeManifest } from './tree.ts';

export interface OverlayLayers {
  /** The mount point; still mounted when foldOverlay() starts. */
  readonly merged: string;
  readonly lower: string;
  readonly upper: string;
  readonly work: string;
}

export interface FoldInput {
  readonly layers: OverlayLayers;
  /** The lower layer's tree where the store keeps it: on dest's mount, so it can be linked. */
  readonly base: string;
  readonly baseManifest: TreeManifest;
  /** Where the tree is built: must not exist; its parent must, on base's mount. */
  readonly dest: string;
  /** An empty directory on dest's mount for copies made through the mount. */
  readonly scratch: string;
  /** Unmounts the overlay: called once everything read through the mount has been read. */
  unmount(): Promise<void>;
}

export type FoldResult =
  | {
      readonly folded: true;
      readonly manifest: TreeManifest;
      /** Bytes of the regular files the upper layer brought; the rest are the base's inodes. */
      readonly ownBytes: number;
    }
  /** Nothing was changed and the overlay is still mounted: copy it instead. */
  | { readonly folded: false; readonly reason: string };

const OVERLAY_XATTR = 'trusted.overlay.';
const OPAQUE = 'trusted.overlay.opaque';
/**
 * overlayfs's own xattrs that a fold understands and drops: where an entry was copied up from,
 * a directory that holds such entries, link counts of the index, the layer's uuid, and opaque
 * directories. Any other (redirect, metacopy, xwhiteouts, protattr) stops the fold.
 */
const UNDERSTOOD = new Set(['origin', 'impure', 'nlink', 'uuid', 'opaque'].map((n) => OVERLAY_XATTR + n));

/** Why an overlay mount's options do not allow folding (see the file's head), or undefined. */
export function overlayOptionsProblem(superOptions: readonly string[]): string | undefined {
  let index = false;
  for (const o of superOptions) {
    const [key, value] = splitOption(o);
    if (key === 'index') index = value === 'on';
    else if (key === 'redirect_dir' || key === 'metacopy' || key === 'nfs_export') {
      if (value !== 'off') return `${o}`;
    } else if (key === 'lowerdir') {
      if (value.includes(':')) return 'more than one lower layer';
    } else if (!['rw', 'upperdir', 'workdir', 'uuid', 'xino', 'volatile', 'fsync', 'default_permissions'].includes(key)) {
      return `option ${o}`;
    }
  }
  return index ? undefined : 'index is off';
}

/** The layers named by an overlay mount's options. */
export function overlayLayers(merged: string, superOptions: readonly string[]): OverlayLayers | undefined {
  const get = (k: string) => superOptions.map(splitOption).find(([key]) => key === k)?.[1];
  const [lower, upper, work] = [get('lowerdir'), get('upperdir'), get('workdir')];
  return lower && upper && work ? { merged, lower, upper, work } : undefined;
}

function splitOption(o: string): [string, string] {
  const eq = o.indexOf('=');
  return eq < 0 ? [o, ''] : [o.slice(0, eq), o.slice(eq + 1)];
}

/**
 * How an upper-layer path relates to the base:
 * - `merge`: a directory of the base that the upper layer merges into; its attributes are
 *   the upper one's, its entries those of both.
 * - `replace`: takes the place of what the base has at its path, subtree and all (a changed
 *   file, a whiteout, a new or opaque directory).
 * - `inside`: in a replacing directory; comes along with it.
 */
type Role = 'merge' | 'replace' | 'inside';

interface UpperPath {
  readonly role: Role;
  readonly whiteout: boolean;
  /** Described as scanTree would, overlayfs's xattrs left out; sha256 is set once hashed. */
  readonly entry: Described['entry'];
  readonly ino: bigint;
  /** overlayfs's xattrs on it, to remove (never read on symlinks). */
  readonly overlayXattrs: readonly string[];
  /** Regular files: index of the content hash in the pool. */
  readonly hash?: number;
  /**
   * Symlinks copied up from the base carry overlayfs's xattrs, which cannot be read nor
   * removed on a symlink from here: such a symlink is copied through the mount instead (which
   * hides those xattrs), to this path in scratch.
   */
  copy?: string;
}

/**
 * Build at `dest` the tree the overlay shows, from the base entry and the upper layer, and
 * its manifest. Returns `folded: false` (and leaves the overlay mounted, nothing changed) for
 * what it cannot reproduce exactly; throws only on errors after it has unmounted.
 */
export async function foldOverlay(input: FoldInput): Promise<FoldResult> {
  const { layers, base, dest } = input;
  const baseEntries = new Map<string, TreeEntry>();
  for (const e of input.baseManifest.entries) baseEntries.set(e.path, e);

  const pool = new HashPool();
  let upper: Map<string, UpperPath>;
  let hashes: string[];
  try {
    const read = readUpper(layers.upper, baseEntries, pool);
    if (typeof read === 'string') return { folded: false, reason: read };
    upper = read;
    const alias = changedAlias(input.baseManifest, hider(upper), layers.merged, base);
    if (alias !== undefined) return { folded: false, reason: `${alias}: hardlinked to a file the stage changed` };
    const copied = await copySymlinksThrough(upper, layers, input.scratch);
    if (copied !== undefined) return { folded: false, reason: copied };
    // Linking the base (the bulk of the time) while the workers hash the upper layer.
    const [linked, hashed] = await Promise.all([hostCommand('cp', ['-a', '--link', '--no-target-directory', base, dest]), pool.finish()]);
    if (!linked.ok) {
      rmSync(dest, { recursive: true, force: true });
      return { folded: false, reason: `cp -al: ${linked.stderr}` };
    }
    hashes = hashed;
  } catch (err) {
    // Unreadable upper layer, a vanished path: the copy will say more.
    rmSync(dest, { recursive: true, force: true });
    return { folded: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    await pool.close();
  }

  await input.unmount();
  try {
    apply(upper, layers.upper, dest);
    await restoreDirTimes(upper, dest);
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError('command-failed', `folding the overlay at ${layers.merged}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The index holds a second link to each indexed file just moved in; the entry's files are
  // linked from the store alone.
  rmSync(join(layers.work, 'index'), { recursive: true, force: true });
  return { folded: true, ...(await describeResult(input.baseManifest, upper, hashes)) };
}

/** Walks the upper layer (pre-order), or says why it cannot be folded. */
function readUpper(upperRoot: string, base: ReadonlyMap<string, TreeEntry>, pool: HashPool): Map<string, UpperPath> | string {
  const out = new Map<string, UpperPath>();
  const visit = (abs: string, path: string, parent: Role | undefined): string | undefined => {
    const st = lstatSync(abs, { bigint: true });
    const type = entryType(st);
    const names = type === 'symlink' ? [] : listXattrs(abs);
    const overlayXattrs = names.filter((n) => n.startsWith(OVERLAY_XATTR));
    const unknown = overlayXattrs.find((n) => !UNDERSTOOD.has(n));
    if (unknown !== undefined) return `${path}: ${unknown}`;
    const opaque = overlayXattrs.includes(OPAQUE) ? getAttributeSync(abs, OPAQUE).toString() : undefined;
    if (opaque !== undefined && opaque !== 'y') return `${path}: ${OPAQUE}=${opaque}`;
    const whiteout = type === 'char' && st.rdev === 0n;
    let role: Role;
    if (parent === undefined) {
      if (type !== 'dir' || opaque !== undefined) return 'the upper root is not a plain directory';
      role = 'merge';
    } else if (parent !== 'merge') {
      if (whiteout) return `${path}: a whiteout inside a new directory`;
      role = 'inside';
    } else {
      role = type === 'dir' && opaque === undefined && base.get(path)?.type === 'dir' ? 'merge' : 'replace';
    }
    const entry = describe(path, abs, st, type, names.filter((n) => !n.startsWith(OVERLAY_XATTR)));
    const hash = type === 'file' ? pool.add(abs, Number(st.size)) : undefined;
    out.set(path, { role, whiteout, entry, ino: st.ino, overlayXattrs, ...(hash !== undefined && { hash }) });
    if (type !== 'dir') return undefined;
    for (const name of readdirSync(abs)) {
      const problem = visit(`${abs}/${name}`, path === '.' ? name : `${path}/${name}`, role);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  return visit(upperRoot, '.', undefined) ?? out;
}

function describe(path: string, abs: string, st: BigIntStats, type: TreeEntry['type'], xattrNames: string[]): Described['entry'] {
  const entry: Described['entry'] = statEntry(path, st, type, () => readlinkSync(abs));
  if (xattrNames.length > 0) {
    const xattrs: Record<string, string> = {};
    for (const name of xattrNames.sort()) xattrs[name] = getAttributeSync(abs, name).toString('base64');
    entry.xattrs = xattrs;
  }
  return entry;
}

/** Whether the merged tree no longer shows a base path as the base has it. */
function hider(upper: ReadonlyMap<string, UpperPath>): (path: string) => boolean {
  const cut = new Set<string>();
  for (const [path, u] of upper) if (u.role === 'replace') cut.add(path);
  return (path) => {
    if (upper.has(path)) return true;
    for (let p = parentOf(path); p !== '.'; p = parentOf(p)) if (cut.has(p)) return true;
    return false;
  };
}

const parentOf = (path: string): string => {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : path.slice(0, slash);
};

/**
 * A base file with other names in the tree that the merged tree shows changed although the
 * upper layer does not have it: a copy-up through another of its names (which the index makes
 * every name show). The fold would keep the old inode there; the first such path, if any.
 */
function changedAlias(m: TreeManifest, hidden: (path: string) => boolean, merged: string, base: string): string | undefined {
  const names = new Set<string>();
  for (const e of m.entries) {
    if (e.link === undefined) continue;
    names.add(e.link);
    names.add(e.path);
  }
  for (const path of names) {
    if (hidden(path)) continue;
    const a = lstatSync(`${merged}/${path}`, { bigint: true });
    const b = lstatSync(`${base}/${path}`, { bigint: true });
    const same =
      a.ino === b.ino && a.size === b.size && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
    if (!same) return path;
  }
  return undefined;
}

/**
 * Copies symlinks that were copied up (the mount shows them under their lower inode number,
 * a new one under its own) through the mount into scratch: one cp per directory.
 */
async function copySymlinksThrough(upper: Map<string, UpperPath>, layers: OverlayLayers, scratch: string): Promise<string | undefined> {
  const byDir = new Map<string, string[]>();
  for (const [path, u] of upper) {
    if (u.entry.type !== 'symlink') continue;
    if (lstatSync(`${layers.merged}/${path}`, { bigint: true }).ino === u.ino) continue;
    const dir = parentOf(path);
    byDir.set(dir, [...(byDir.get(dir) ?? []), path]);
  }
  let n = 0;
  for (const paths of byDir.values()) {
    const into = join(scratch, String(n++));
    await mkdir(into);
    const r = await hostCommand('cp', ['-a', '-t', into, '--', ...paths.map((p) => `${layers.merged}/${p}`)]);
    if (!r.ok) return `copying symlinks out of the mount: ${r.stderr}`;
    for (const p of paths) upper.get(p)!.copy = join(into, p.slice(p.lastIndexOf('/') + 1));
  }
  return undefined;
}

/** Makes dest (a link farm of the base) show what the upper layer changed. */
function apply(upper: ReadonlyMap<string, UpperPath>, upperRoot: string, dest: string): void {
  for (const [path, u] of upper) {
    const at = `${dest}/${path}`;
    if (u.role === 'merge') {
      setDirAttributes(at, u.entry);
      continue;
    }
    if (u.role === 'replace') {
      rmSync(at, { recursive: true, force: true });
      if (u.whiteout) continue;
      renameSync(u.copy ?? `${upperRoot}/${path}`, at);
    } else if (u.copy !== undefined) {
      unlinkSync(at);
      renameSync(u.copy, at);
    }
    if (u.entry.type !== 'symlink') for (const name of u.overlayXattrs) removeXattr(at, name);
  }
}

/** Gone already when another name of the same inode came first. */
function removeXattr(at: string, name: string): void {
  try {
    removeAttributeSync(at, name);
  } catch (err) {
    if (errnoCode(err) !== 'ENODATA') throw err;
  }
}

/** Owner, then xattrs (an ACL sets mode bits), then mode; the mtime comes last, in restoreDirTimes. */
function setDirAttributes(at: string, e: Described['entry']): void {
  lchownSync(at, e.uid, e.gid);
  const wanted = e.xattrs ?? {};
  for (const name of listXattrs(at)) if (!(name in wanted)) removeAttributeSync(at, name);
  for (const [name, value] of Object.entries(wanted)) setAttributeSync(at, name, Buffer.from(value, 'base64'));
  chmodSync(at, e.mode);
}

/**
 * Every directory of the upper layer gets its mtime back, exactly: the fold changed the
 * entries of most. Node sets times through a double (~240 ns steps), touch to the ns.
 */
async function restoreDirTimes(upper: ReadonlyMap<string, UpperPath>, dest: string): Promise<void> {
  const lines: string[] = [];
  for (const [path, u] of upper) {
    if (u.entry.type !== 'dir') continue;
    const at = `${dest}/${path}`;
    if (lstatSync(at, { bigint: true }).mtimeNs.toString() === u.entry.mtimeNs) continue;
    lines.push(`touch -h -m -d ${touchDate(BigInt(u.entry.mtimeNs))} -- ${shellQuote(at)}`);
  }
  // In scripts under the kernel's limit for one argument (128 KiB).
  while (lines.length > 0) {
    let size = 0;
    const n = lines.findIndex((l) => (size += l.length + 1) > 100_000);
    const script = lines.splice(0, n < 0 ? lines.length : Math.max(n, 1)).join('\n');
    const r = await hostCommand('sh', ['-ec', script]);
    if (!r.ok) throw new StoreError('command-failed', `setting directory times in ${dest}: ${r.stderr}`);
  }
}

/** The manifest: the base's entries the upper layer left alone, and the upper layer's own. */
async function describeResult(
  baseManifest: TreeManifest,
  upper: ReadonlyMap<string, UpperPath>,
  hashes: readonly string[],
): Promise<{ manifest: TreeManifest; ownBytes: number }> {
  const hidden = hider(upper);
  const paths: Described[] = [];
  for (const e of baseManifest.entries) {
    if (e.path === '.' || hidden(e.path)) continue;
    const { link, ...entry } = e;
    // An inode of the base is named by its first path there, which the later ones link to.
    paths.push({ entry, inode: e.type === 'file' ? `base:${link ?? e.path}` : undefined });
  }
  let root: Described | undefined;
  const own = new Map<bigint, number>();
  for (const [path, u] of upper) {
    if (u.whiteout) continue;
    if (u.entry.type === 'file') {
      u.entry.sha256 = hashes[u.hash!];
      own.set(u.ino, u.entry.size!);
    }
    const d: Described = { entry: u.entry, inode: u.entry.type === 'file' ? `upper:${u.ino}` : undefined };
    if (path === '.') root = d;
    else paths.push(d);
  }
  const manifest = await assemble(root!, paths);
  return { manifest, ownBytes: [...own.values()].reduce((a, b) => a + b, 0) };
}

function listXattrs(abs: string): string[] {
  try {
    return listAttributesSync(abs);
  } catch (err) {
    if (errnoCode(err) === 'ENOTSUP') return [];
    throw err;
  }
}

const shellQuote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
