// The local content-addressed store: tree artifacts under their digest, the action cache,
// small engine state, and the scratch space and locks that keep it safe across processes.
//
//   <root>/VERSION
//   <root>/trees/<digest>/tree/           the artifact, exactly (owners, modes, xattrs, mtimes, links)
//   <root>/trees/<digest>/manifest.json   its TreeManifest + digest + createdAt
//   <root>/trees/<digest>/info.json       { digest, files, bytes, createdAt, base?, ownBytes? }:
//                                         list without parsing a manifest of 50k entries
//
// An entry put() from an overlay over another entry (its base) hardlinks the files it did not
// change to the base's: entries are never written, so sharing inodes is safe, and removing
// one leaves the other whole. gc counts each shared file once (disk-usage.ts).
//   <root>/trees/<digest>/used            empty; its mtime is the last use (LRU)
//   <root>/actions/<key>.json             action cache: fingerprint -> { digest, createdAt, durationMs, ... }
//   <root>/state/<name>.json              small documents of the engine
//   <root>/logs/
//   <root>/tmp/<pid>-<starttime>-<n>/     scratch of one live LocalStore (n: instance in the
//                                         process); same fs as trees/, so publishing is a rename
//   <root>/locks/                         see locks.ts
//
// Every change to trees/, actions/ and state/ is one rename() of something complete, so a
// process killed at any moment leaves either the old state or the new one, plus a tmp dir
// that the next open() removes once it sees its owner is dead.
//
// Callers hold acquireShared() for the length of a build: gc and an evicting verify take the
// exclusive side and so never remove an entry a running build has found or restored.

import { existsSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isDigest, type Digest } from '../core/ids.ts';
import { DiskUsage } from './disk-usage.ts';
import { errnoCode, StoreError } from './errors.ts';
import { once } from './once.ts';
import { Locks, type Release } from './locks.ts';
import { bindReadOnly, mountsUnder, unmountUnder } from './mounts.ts';
import { foldOverlay, overlayLayers, overlayOptionsProblem, type OverlayLayers } from './overlay-fold.ts';
import { isAlive, ownerTag, parseOwnerTag, self } from './process-identity.ts';
import { restoreTree, type Restored, type RestoreMethod } from './restore.ts';
import { runOrThrow } from './run.ts';
import { describeChanges, diffManifests } from './tree-diff.ts';
import { scanTree, treeDigest, type TreeManifest } from './tree.ts';

// Also importable from here (src/cli does); index.ts is the module's front door.
export { defaultStoreRoot } from './store-root.ts';
export { parseSize } from './size.ts';

/** Bumped when the layout changes incompatibly; open() refuses a store of another version. */
const LAYOUT_VERSION = '1';
const HEX64 = /^[0-9a-f]{64}$/;
const STATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Instances in this process, so two stores opened by one process get distinct tmp dirs. */
let instances = 0;

export interface StoreOptions {
  /**
   * syncfs(2) (`sync -f`) the new entry before publishing it, so a power cut cannot leave a
   * published entry with unwritten data. Off by default: it costs the whole writeback, and
   * verify() finds (and evicts) such entries. A killed process needs no sync at all.
   */
  readonly durable?: boolean;
}

/** manifest.json: the manifest with the digest it hashes to and when it was stored. */
export interface StoredManifest extends TreeManifest {
  readonly digest: Digest;
  /** ms since the epoch. */
  readonly createdAt: number;
}

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

/**
 * An action cache record: what an action with this fingerprint produced last time. These
 * are the fields the store relies on; callers add their own (getAction/putAction are
 * generic over the full record type).
 */
export interface ActionRecord {
  readonly digest: Digest;
  /** ms since the epoch; putAction fills it in if the caller does not. */
  readonly createdAt: number;
  /** How long the action took: lets a scheduler predict, and reports show savings. */
  readonly durationMs: number;
}

export interface ActionInput {
  readonly digest: Digest;
  readonly durationMs: number;
  readonly createdAt?: number;
}

export interface Scratch {
  /** A fresh empty directory on the store's filesystem. */
  readonly dir: string;
  /** Unmount anything mounted below dir, then remove it. */
  dispose(): Promise<void>;
}

export interface ReadOnlyView {
  /** False when the view is the store's own trees/ dir (not root, or mounting failed). */
  readonly protected: boolean;
  /** Why the view is not protected. */
  readonly reason?: string;
  /** The directory whose children are the entries (`<root>/<digest>/tree`). */
  readonly root: string;
  treePath(digest: Digest): string;
  dispose(): Promise<void>;
}

export interface EntryInfo {
  readonly digest: Digest;
  /** Regular-file bytes, hardlinks counted once (the manifest's `bytes`). */
  readonly bytes: number;
  /** Stored from an overlay over this entry: the files it did not change are that entry's. */
  readonly base?: Digest;
  /** With base: bytes of the files it has of its own. */
  readonly ownBytes?: number;
  readonly files: number;
  /** ms since the epoch. */
  readonly createdAt: number;
  /** ms since the epoch: the mtime of the entry's `used` file. */
  readonly lastUsedAt: number;
}

export type CorruptReason =
  /** manifest.json is gone: the entry cannot be checked nor restored faithfully. */
  | 'manifest-missing'
  /** manifest.json is not valid JSON of a manifest. */
  | 'manifest-unreadable'
  /** The entry has no tree/ dir. */
  | 'tree-missing'
  /** The stored manifest does not hash to the entry's name. */
  | 'manifest-mismatch'
  /** The tree on disk no longer hashes to the entry's name. */
  | 'content-changed';

export interface Corruption {
  readonly digest: Digest;
  readonly reason: CorruptReason;
  /** Human detail: the first paths that changed, the error met. */
  readonly detail: string;
}

export interface VerifyResult {
  readonly checked: number;
  readonly corrupt: readonly Corruption[];
}

export interface GcResult {
  /** bytes: what evicting it freed (its files no entry kept links); lastUsed: ms since the epoch. */
  readonly evicted: readonly { readonly digest: Digest; readonly bytes: number; readonly lastUsed: number }[];
  /** What the kept entries take, shared files counted once. */
  readonly keptBytes: number;
}

export class LocalStore {
  /** Canonical (realpath) root. */
  readonly root: string;
  /** This instance's scratch space. */
  readonly tmpDir: string;
  readonly logsDir: string;
  /** Problems open() met cleaning up after dead processes (not fatal). */
  readonly warnings: readonly string[];
  readonly #trees: string;
  readonly #actions: string;
  readonly #state: string;
  readonly #tmpRoot: string;
  readonly #locks: Locks;
  readonly #options: StoreOptions;
  readonly #held = new Set<Release>();
  #sharedHolds = 0;
  #names = 0;
  #view: { view: Promise<ReadOnlyView>; users: number } | undefined;

  private constructor(root: string, locks: Locks, options: StoreOptions, warnings: string[]) {
    this.root = root;
    this.#trees = join(root, 'trees');
    this.#actions = join(root, 'actions');
    this.#state = join(root, 'state');
    this.#tmpRoot = join(root, 'tmp');
    this.logsDir = join(root, 'logs');
    this.tmpDir = join(this.#tmpRoot, `${ownerTag(self)}-${++instances}`);
    this.#locks = locks;
    this.#options = options;
    this.warnings = warnings;
  }

  /** Create or open the store at `root`, removing what dead processes left behind. */
  static async open(root: string, options: StoreOptions = {}): Promise<LocalStore> {
    await mkdir(root, { recursive: true });
    const real = await realpath(root);
    await checkVersion(real);
    for (const d of ['trees', 'actions', 'state', 'logs', 'tmp', 'locks']) await mkdir(join(real, d), { recursive: true });
    const locks = new Locks(join(real, 'locks'));
    await locks.init();
    const warnings: string[] = [];
    const store = new LocalStore(real, locks, options, warnings);
    await mkdir(store.tmpDir);
    await store.#reapDead(warnings);
    await locks.cleanStale();
    return store;
  }

  // --- scratch ---------------------------------------------------------------------------

  /** A fresh directory under this instance's tmp dir; put() accepts trees built in it. */
  async scratch(label: string): Promise<Scratch> {
    const dir = this.#tmpName(label);
    await mkdir(dir);
    return { dir, dispose: () => this.#removeTree(dir) };
  }

  /** Release held locks, unmount and remove this instance's tmp dir. */
  async dispose(): Promise<void> {
    for (const release of [...this.#held]) await release();
    this.#view = undefined;
    await this.#removeTree(this.tmpDir);
  }

  // --- trees -----------------------------------------------------------------------------

  /**
   * Store the tree at `treeDir` (a directory inside this store's tmp/, e.g. a scratch dir;
   * it is moved, not copied) under its digest. Publishing is one rename, so readers never
   * see a partial entry; if the same content is already there, ours is discarded.
   *
   * `treeDir` may also be an overlay mount (index=on, redirect_dir=off, metacopy=off) whose
   * lower layer is an entry of this store and whose upper and work dirs are in tmp/: the tree
   * it shows is stored, the untouched files as hardlinks of that entry's (overlay-fold.ts),
   * and the mount is consumed. Any other overlay mount is copied, then unmounted.
   */
  async put(treeDir: string): Promise<PutResult> {
    const abs = await this.#insideTmp(treeDir);
    const mounts = mountsUnder(abs);
    if (mounts.length === 1 && mounts[0]!.path === abs && mounts[0]!.fstype === 'overlay') return this.#putOverlay(abs, mounts[0]!.superOptions);
    if (mounts.length > 0) throw new StoreError('busy', `${treeDir} has mounts inside it; unmount them before put()`);
    const stage = this.#tmpName('put');
    await mkdir(stage);
    const staged = join(stage, 'tree');
    await rename(abs, staged);
    let manifest: TreeManifest;
    try {
      manifest = await scanTree(staged);
    } catch (err) {
      // Give the tree back, so a caller can look at what could not be read.
      await rename(staged, abs).catch(() => undefined);
      await this.#removeTree(stage);
      throw err;
    }
    return this.#publish(stage, manifest, {});
  }

  /** put() of an overlay mount at `merged`: folded onto its lower entry if it can be, else copied. */
  async #putOverlay(merged: string, superOptions: readonly string[]): Promise<PutResult> {
    const stage = this.#tmpName('put');
    await mkdir(stage);
    const staged = join(stage, 'tree');
    try {
      const foldable = await this.#foldable(merged, superOptions);
      let problem = 'problem' in foldable ? foldable.problem : undefined;
      if (!('problem' in foldable)) {
        const through = join(stage, 'through');
        await mkdir(through);
        const folded = await foldOverlay({
          layers: foldable.layers,
          base: this.treePath(foldable.base),
          baseManifest: await this.manifest(foldable.base),
          dest: staged,
          scratch: through,
          unmount: () => unmountUnder(merged),
        });
        await rm(through, { recursive: true, force: true });
        if (folded.folded) {
          await rmdir(merged);
          const published = await this.#publish(stage, folded.manifest, { base: foldable.base, ownBytes: folded.ownBytes });
          return { ...published, derivedFrom: foldable.base };
        }
        problem = folded.reason;
      }
      await runOrThrow('cp', ['-a', '--reflink=auto', '--no-target-directory', merged, staged]);
      await unmountUnder(merged);
      await rmdir(merged);
      return { ...(await this.#publish(stage, await scanTree(staged), {})), ...(problem !== undefined && { copiedBecause: problem }) };
    } catch (err) {
      await this.#removeTree(stage);
      throw err;
    }
  }

  /** The mount's layers and the entry its lower layer is, or why it cannot be folded. */
  async #foldable(merged: string, superOptions: readonly string[]): Promise<{ layers: OverlayLayers; base: Digest } | { problem: string }> {
    const layers = overlayLayers(merged, superOptions);
    if (!layers) return { problem: 'no layers in its options' };
    const problem = overlayOptionsProblem(superOptions) ?? (await this.#outsideTmp(layers.upper, layers.work));
    if (problem !== undefined) return { problem };
    const base = await this.#entryOf(layers.lower);
    return base ? { layers, base } : { problem: `its lower layer ${layers.lower} is no entry of this store` };
  }

  /** The entry whose tree `path` is (through trees/ or a read-only view of it), if any. */
  async #entryOf(path: string): Promise<Digest | undefined> {
    const m = /\/([0-9a-f]{64})\/tree\/?$/.exec(path);
    const digest = m?.[1];
    if (digest === undefined || !isDigest(digest) || !this.has(digest)) return undefined;
    const [a, b] = await Promise.all([lstat(path, { bigint: true }), lstat(this.treePath(digest), { bigint: true })]).catch(() => []);
    return a && b && a.dev === b.dev && a.ino === b.ino ? digest : undefined;
  }

  /** Why the dirs cannot take part in a rename into trees/ (not in tmp/), or undefined. */
  async #outsideTmp(...dirs: string[]): Promise<string | undefined> {
    for (const d of dirs) {
      const rel = relative(this.#tmpRoot, await realpath(d));
      if (rel.startsWith('..') || rel === '') return `${d} is not inside ${this.#tmpRoot}`;
    }
    return undefined;
  }

  /** Names `stage/tree` by its manifest and moves the entry into trees/ (or drops it if there). */
  async #publish(stage: string, manifest: TreeManifest, derived: { base?: Digest; ownBytes?: number }): Promise<PutResult> {
    const digest = treeDigest(manifest);
    if (this.has(digest)) {
      await this.#removeTree(stage);
      this.touch(digest);
      return { digest, manifest, existed: true };
    }
    const createdAt = Date.now();
    const stored: StoredManifest = { digest, createdAt, files: manifest.files, bytes: manifest.bytes, entries: manifest.entries };
    await writeFile(join(stage, 'manifest.json'), JSON.stringify(stored));
    await writeFile(join(stage, 'info.json'), JSON.stringify({ digest, files: manifest.files, bytes: manifest.bytes, createdAt, ...derived }));
    await writeFile(join(stage, 'used'), '');
    if (this.#options.durable) await runOrThrow('sync', ['-f', stage]);
    try {
      await rename(stage, this.#entryDir(digest));
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Another process published the same content first: theirs is as good as ours.
      await this.#removeTree(stage);
      this.touch(digest);
      return { digest, manifest, existed: true };
    }
    return { digest, manifest, existed: false };
  }

  has(digest: Digest): boolean {
    return existsSync(this.#entryDir(digest));
  }

  /** Path of the entry's tree. Writable by root: prefer readOnlyView() or restore(). */
  treePath(digest: Digest): string {
    return join(this.#entryDir(digest), 'tree');
  }

  async manifest(digest: Digest): Promise<StoredManifest> {
    try {
      return JSON.parse(await readFile(join(this.#entryDir(digest), 'manifest.json'), 'utf8')) as StoredManifest;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new StoreError('not-found', `no entry ${digest} in ${this.root}`);
      throw err;
    }
  }

  /** Mark the entry used now (LRU for gc). False if there is no such entry. */
  touch(digest: Digest): boolean {
    const used = join(this.#entryDir(digest), 'used');
    const now = new Date();
    try {
      utimesSync(used, now, now);
      return true;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || !this.has(digest)) return false;
      writeFileSync(used, '');
      return true;
    }
  }

  /**
   * Make the entry appear at `dest` (must not exist; its parent must). See RestoreMethod
   * for what each method costs and allows. Marks the entry used.
   */
  async restore(digest: Digest, dest: string, method: RestoreMethod): Promise<Restored> {
    if (!this.has(digest)) throw new StoreError('not-found', `no entry ${digest} in ${this.root}`);
    const target = join(await realpath(dirname(resolve(dest))), basename(dest));
    if (await exists(target)) throw new StoreError('dest-exists', `${dest} exists already`);
    this.touch(digest);
    return restoreTree(this.treePath(digest), target, method, (label) => this.scratch(label), (p) => this.#removeTree(p));
  }

  /**
   * One read-only bind mount of trees/ for this instance, through which later targets read
   * the outputs of earlier ones with no way to change the store (writes fail with EROFS).
   * Calls share the mount; it goes when the last one disposes. Without root, or if mounting
   * fails, the view is trees/ itself and `protected` is false.
   */
  readOnlyView(): Promise<ReadOnlyView> {
    if (this.#view === undefined) {
      const created: { view: Promise<ReadOnlyView>; users: number } = { view: this.#mountView(), users: 0 };
      // A failure must not be remembered: the next call tries again.
      created.view.catch(() => {
        if (this.#view === created) this.#view = undefined;
      });
      this.#view = created;
    }
    const shared = this.#view;
    shared.users++;
    return shared.view.then((v) => ({
      ...v,
      dispose: once(async () => {
        if (--shared.users === 0 && this.#view === shared) {
          this.#view = undefined;
          await v.dispose();
        }
      }),
    }));
  }

  async list(): Promise<EntryInfo[]> {
    const out: EntryInfo[] = [];
    for (const name of (await readdir(this.#trees)).sort()) {
      if (!isDigest(name)) continue;
      const dir = this.#entryDir(name);
      const info = (await readJson(join(dir, 'info.json'))) ?? (await readJson(join(dir, 'manifest.json')));
      const rec = typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : {};
      const created = typeof rec.createdAt === 'number' ? rec.createdAt : mtimeOf(dir);
      if (created === undefined) continue; // evicted meanwhile
      out.push({
        digest: name,
        bytes: typeof rec.bytes === 'number' ? rec.bytes : 0,
        files: typeof rec.files === 'number' ? rec.files : 0,
        createdAt: created,
        lastUsedAt: (mtimeOf(join(dir, 'used'))) ?? created,
        ...(typeof rec.base === 'string' && isDigest(rec.base) && { base: rec.base }),
        ...(typeof rec.ownBytes === 'number' && { ownBytes: rec.ownBytes }),
      });
    }
    return out;
  }

  /**
   * Evict least-recently-used entries until the store holds at most `maxBytes` (regular-file
   * bytes, each inode counted once however many entries share it: see DiskUsage), and the
   * action records that point at them. Waits for the exclusive lock, i.e. until no build
   * holds the store. Entries share only files, never write them, so evicting one never
   * changes another.
   */
  /** Bytes the entries take on disk, each file shared between entries counted once. */
  async diskBytes(entries: readonly EntryInfo[], signal?: AbortSignal): Promise<number> {
    return (await DiskUsage.of(new Map(entries.map((e) => [e.digest, this.treePath(e.digest)])), signal)).total;
  }

  async gc(options: { readonly maxBytes: number; readonly signal?: AbortSignal }): Promise<GcResult> {
    const graves: string[] = [];
    const release = await this.acquireExclusive(options.signal);
    try {
      const entries = await this.list();
      const usage = await DiskUsage.of(new Map(entries.map((e) => [e.digest, this.treePath(e.digest)])), options.signal);
      const evicted: { digest: Digest; bytes: number; lastUsed: number }[] = [];
      const oldestFirst = [...entries].sort((a, b) => a.lastUsedAt - b.lastUsedAt || (a.digest < b.digest ? -1 : 1));
      for (const e of oldestFirst) {
        if (usage.total <= options.maxBytes) break;
        graves.push(...(await this.#moveOut(e.digest)));
        evicted.push({ digest: e.digest, bytes: usage.evict(e.digest), lastUsed: e.lastUsedAt });
      }
      await this.#dropActions(new Set(evicted.map((e) => e.digest)));
      return { evicted, keptBytes: usage.total };
    } finally {
      await release();
      // Deleting takes long; builds need not wait for it.
      for (const g of graves) await this.#removeTree(g);
    }
  }

  /**
   * Rehash every entry and compare with its name. Corrupt entries are evicted (with their
   * action records) so the next build rebuilds them, unless `evict: false`. Evicting waits
   * for the exclusive lock; checking only takes a shared one.
   */
  async verify(options: { readonly evict?: boolean; readonly signal?: AbortSignal } = {}): Promise<VerifyResult> {
    const evict = options.evict ?? true;
    const graves: string[] = [];
    const release = evict ? await this.acquireExclusive(options.signal) : await this.acquireShared(options.signal);
    try {
      let checked = 0;
      const corrupt: Corruption[] = [];
      for (const name of (await readdir(this.#trees)).sort()) {
        if (!isDigest(name)) continue;
        options.signal?.throwIfAborted();
        checked++;
        const problem = await this.#check(name);
        if (problem !== undefined) corrupt.push({ digest: name, ...problem });
      }
      if (evict && corrupt.length > 0) {
        for (const c of corrupt) graves.push(...(await this.#moveOut(c.digest)));
        await this.#dropActions(new Set(corrupt.map((c) => c.digest)));
      }
      return { checked, corrupt };
    } finally {
      await release();
      for (const g of graves) await this.#removeTree(g);
    }
  }

  // --- action cache and state ------------------------------------------------------------

  /**
   * The record for `key` if there is one and its tree is still stored. `R` is the record
   * type the caller wrote with putAction; it is not checked beyond the ActionRecord fields.
   */
  getAction<R extends ActionRecord = ActionRecord>(key: string): R | undefined {
    const path = this.#actionPath(key);
    let rec: unknown;
    try {
      rec = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
    if (typeof rec !== 'object' || rec === null || !('digest' in rec) || typeof rec.digest !== 'string') return undefined;
    if (!isDigest(rec.digest) || !this.has(rec.digest)) return undefined;
    return rec as R;
  }

  /** Record what `key` produced (replacing any older record). Sync: one small write + rename. */
  putAction<R extends ActionInput>(key: string, record: R): R & { readonly createdAt: number } {
    const full = { createdAt: Date.now(), ...record };
    this.#writeAtomic(this.#actionPath(key), JSON.stringify(full));
    return full;
  }

  /** A state document, or undefined if there is none (or it is not JSON). */
  readState(name: string): unknown {
    try {
      return JSON.parse(readFileSync(this.#statePath(name), 'utf8'));
    } catch (err) {
      if (err instanceof StoreError) throw err;
      return undefined;
    }
  }

  /** Replace a state document atomically. */
  writeState(name: string, value: unknown): void {
    this.#writeAtomic(this.#statePath(name), JSON.stringify(value));
  }

  // --- locks -----------------------------------------------------------------------------

  /** A named cross-process mutex (`[A-Za-z0-9][A-Za-z0-9._-]*`); not reentrant. */
  async lock(name: string, signal?: AbortSignal): Promise<Release> {
    return this.#track(await this.#locks.mutex(name, signal));
  }

  /** Held for the length of a build, so that gc waits. */
  async acquireShared(signal?: AbortSignal): Promise<Release> {
    const release = await this.#locks.shared(signal);
    this.#sharedHolds++;
    return this.#track(release, () => this.#sharedHolds--);
  }

  /** Held by gc (and evicting verify): waits until no live process holds the shared lock. */
  async acquireExclusive(signal?: AbortSignal): Promise<Release> {
    if (this.#sharedHolds > 0) {
      // It would wait for itself forever.
      throw new Error('acquireExclusive() called while this store instance holds acquireShared()');
    }
    return this.#track(await this.#locks.exclusive(signal));
  }

  // --- internals -------------------------------------------------------------------------

  #entryDir(digest: string): string {
    return join(this.#trees, digest);
  }

  #actionPath(key: string): string {
    if (!HEX64.test(key)) throw new StoreError('invalid-argument', `action key must be 64 hex digits: ${JSON.stringify(key)}`);
    return join(this.#actions, `${key}.json`);
  }

  #statePath(name: string): string {
    if (!STATE_NAME.test(name)) throw new StoreError('invalid-argument', `invalid state name: ${JSON.stringify(name)}`);
    return join(this.#state, `${name}.json`);
  }

  #tmpName(label: string): string {
    return join(this.tmpDir, `${label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}-${++this.#names}`);
  }

  #track(release: Release, after?: () => void): Release {
    const tracked = once(async () => {
      this.#held.delete(tracked);
      after?.();
      await release();
    });
    this.#held.add(tracked);
    return tracked;
  }

  #writeAtomic(path: string, data: string): void {
    const tmp = this.#tmpName('write');
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  }

  /** Canonical path of `dir`, which must lie in some process's dir under tmp/. */
  async #insideTmp(dir: string): Promise<string> {
    let abs: string;
    try {
      abs = await realpath(dir);
    } catch (err) {
      throw new StoreError('not-a-directory', `${dir}: ${errnoCode(err) ?? String(err)}`);
    }
    const rel = relative(this.#tmpRoot, abs);
    if (rel.startsWith('..') || rel.split(sep).length < 2) {
      throw new StoreError('outside-store', `${dir} is not inside ${this.#tmpRoot}/<owner>/; build trees in a scratch() dir`);
    }
    if (!(await lstat(abs)).isDirectory()) throw new StoreError('not-a-directory', `${dir} is not a directory`);
    return abs;
  }

  /** Unmount everything below `path`, then delete it: never rm through a live mount. */
  async #removeTree(path: string): Promise<void> {
    await unmountUnder(path);
    await rm(path, { recursive: true, force: true });
  }

  /**
   * Evicting is two steps: this one moves the entry out of trees/ into our tmp (one atomic
   * rename, so no half-deleted entry is ever visible), the caller then deletes what it
   * returns. A crash in between leaves it to the next open()'s cleanup.
   */
  async #moveOut(digest: Digest): Promise<string[]> {
    const grave = this.#tmpName(`evict-${digest.slice(0, 12)}`);
    try {
      await rename(this.#entryDir(digest), grave);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    return [grave];
  }

  async #dropActions(digests: ReadonlySet<string>): Promise<void> {
    if (digests.size === 0) return;
    for (const name of await readdir(this.#actions)) {
      const path = join(this.#actions, name);
      const rec = await readJson(path);
      const d = typeof rec === 'object' && rec !== null && 'digest' in rec ? rec.digest : undefined;
      if (typeof d === 'string' && digests.has(d)) await rm(path, { force: true });
    }
  }

  async #check(digest: Digest): Promise<Omit<Corruption, 'digest'> | undefined> {
    const dir = this.#entryDir(digest);
    let stored: StoredManifest;
    try {
      stored = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as StoredManifest;
      if (!Array.isArray(stored.entries)) throw new Error('no entries');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return { reason: 'manifest-missing', detail: 'manifest.json is missing' };
      return { reason: 'manifest-unreadable', detail: `manifest.json: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (treeDigest(stored) !== digest) return { reason: 'manifest-mismatch', detail: `manifest.json hashes to ${treeDigest(stored)}` };
    if (!(await exists(join(dir, 'tree')))) return { reason: 'tree-missing', detail: 'tree/ is missing' };
    let actual: TreeManifest;
    try {
      actual = await scanTree(join(dir, 'tree'));
    } catch (err) {
      return { reason: 'content-changed', detail: err instanceof Error ? err.message : String(err) };
    }
    if (treeDigest(actual) === digest) return undefined;
    return { reason: 'content-changed', detail: describeChanges(diffManifests(stored, actual)) };
  }

  async #mountView(): Promise<ReadOnlyView> {
    const direct = (reason: string): ReadOnlyView => ({
      protected: false,
      reason,
      root: this.#trees,
      treePath: (d) => join(this.#trees, d, 'tree'),
      dispose: async () => undefined,
    });
    if (process.getuid?.() !== 0) return direct('not running as root');
    const mountPoint = join(this.tmpDir, 'ro-trees');
    await mkdir(mountPoint, { recursive: true });
    try {
      await bindReadOnly(this.#trees, mountPoint);
    } catch (err) {
      await rm(mountPoint, { recursive: true, force: true });
      return direct(err instanceof Error ? err.message : String(err));
    }
    return {
      protected: true,
      root: mountPoint,
      treePath: (d) => join(mountPoint, d, 'tree'),
      dispose: () => this.#removeTree(mountPoint),
    };
  }

  /** Remove tmp dirs of dead processes: unmount what they left mounted, then delete. */
  async #reapDead(warnings: string[]): Promise<void> {
    for (const name of await readdir(this.#tmpRoot)) {
      const owner = parseOwnerTag(name);
      if (owner === undefined || isAlive(owner)) continue;
      const dir = join(this.#tmpRoot, name);
      try {
        await unmountUnder(dir);
        // Claim it first: of several processes opening the store, one deletes it.
        const grave = this.#tmpName(`reap-${name}`);
        try {
          await rename(dir, grave);
        } catch (err) {
          if (errnoCode(err) === 'ENOENT') continue;
          throw err;
        }
        await this.#removeTree(grave);
      } catch (err) {
        warnings.push(`could not remove ${dir} of dead process ${owner.pid}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}

async function checkVersion(root: string): Promise<void> {
  const path = join(root, 'VERSION');
  try {
    await writeFile(path, `${LAYOUT_VERSION}\n`, { flag: 'wx' });
    return;
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
  // Another process may be between creating and writing it.
  for (let i = 0; i < 50; i++) {
    const v = (await readFile(path, 'utf8')).trim();
    if (v === LAYOUT_VERSION) return;
    if (v !== '') throw new StoreError('incompatible-store', `${root} is a store of layout version ${v}; this mkimage uses ${LAYOUT_VERSION}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new StoreError('incompatible-store', `${path} is empty`);
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}


