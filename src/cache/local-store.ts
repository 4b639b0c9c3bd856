// The local content-addressed store: tree artifacts under their digest, the action cache,
// small engine state, and the scratch space and locks that keep it safe across processes.
// This class composes the parts, each in a file of its own: the layout and the recovery after
// dead processes (store-layout.ts), putting a tree (publish.ts), the read-only view
// (read-only-view.ts), the action cache and state (action-cache.ts), the listing
// (entries.ts), checking an entry (verify.ts), and locks (locks.ts).
//
// An entry put() from an overlay over another entry (its base) hardlinks the files it did not
// change to the base's: entries are never written, so sharing inodes is safe, and removing
// one leaves the other whole. gc counts each shared file once (disk-usage.ts).
//
// Callers hold acquireShared() for the length of a build: gc and an evicting verify take the
// exclusive side and so never remove an entry a running build has found or restored.

import { mkdir, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isDigest, type Digest } from '../core/ids.ts';
import { ActionCache, type ActionInput, type ActionRecord } from './action-cache.ts';
import { DiskUsage } from './disk-usage.ts';
import { listEntries, type EntryInfo } from './entries.ts';
import { StoreError } from './errors.ts';
import { Locks, type Release } from './locks.ts';
import { once } from './once.ts';
import { put, type PutResult } from './publish.ts';
import { SharedView, type ReadOnlyView } from './read-only-view.ts';
import { restoreTree, type Restored, type RestoreMethod } from './restore.ts';
import { StoreLayout, type StoredManifest } from './store-layout.ts';
import { checkEntry, exists, type Corruption, type VerifyResult } from './verify.ts';

// Also importable from here (src/cli does); index.ts is the module's front door.
export { defaultStoreRoot } from './store-root.ts';
export { parseSize } from './size.ts';
export type { ActionInput, ActionRecord } from './action-cache.ts';
export type { EntryInfo } from './entries.ts';
export type { PutResult } from './publish.ts';
export type { ReadOnlyView } from './read-only-view.ts';
export type { StoredManifest } from './store-layout.ts';
export type { CorruptReason, Corruption, VerifyResult } from './verify.ts';

export interface StoreOptions {
  /**
   * syncfs(2) (`sync -f`) the new entry before publishing it, so a power cut cannot leave a
   * published entry with unwritten data. Off by default: it costs the whole writeback, and
   * verify() finds (and evicts) such entries. A killed process needs no sync at all.
   */
  readonly durable?: boolean;
}

export interface Scratch {
  /** A fresh empty directory on the store's filesystem. */
  readonly dir: string;
  /** Unmount anything mounted below dir, then remove it. */
  dispose(): Promise<void>;
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
  readonly #layout: StoreLayout;
  readonly #actions: ActionCache;
  readonly #view: SharedView;
  readonly #locks: Locks;
  readonly #options: StoreOptions;
  readonly #held = new Set<Release>();
  #sharedHolds = 0;

  private constructor(layout: StoreLayout, locks: Locks, options: StoreOptions, warnings: readonly string[]) {
    this.root = layout.root;
    this.tmpDir = layout.tmpDir;
    this.logsDir = layout.logs;
    this.warnings = warnings;
    this.#layout = layout;
    this.#actions = new ActionCache(layout);
    this.#view = new SharedView(layout);
    this.#locks = locks;
    this.#options = options;
  }

  /** Create or open the store at `root`, removing what dead processes left behind. */
  static async open(root: string, options: StoreOptions = {}): Promise<LocalStore> {
    const layout = await StoreLayout.open(root);
    const locks = new Locks(join(layout.root, 'locks'));
    await locks.init();
    const warnings = await layout.reapDead();
    await locks.cleanStale();
    return new LocalStore(layout, locks, options, warnings);
  }

  // --- scratch ---------------------------------------------------------------------------

  /** A fresh directory under this instance's tmp dir; put() accepts trees built in it. */
  async scratch(label: string): Promise<Scratch> {
    const dir = this.#layout.tmpName(label);
    await mkdir(dir);
    return { dir, dispose: () => this.#layout.removeTree(dir) };
  }

  /** Release held locks, unmount and remove this instance's tmp dir. */
  async dispose(): Promise<void> {
    for (const release of [...this.#held]) await release();
    this.#view.forget();
    await this.#layout.removeTree(this.tmpDir);
  }

  // --- trees -----------------------------------------------------------------------------

  /** Store the tree at `treeDir` (in this store's tmp/; moved, not copied) under its digest: see publish.ts. */
  put(treeDir: string): Promise<PutResult> {
    return put(this.#layout, treeDir, { durable: this.#options.durable ?? false });
  }

  has(digest: Digest): boolean {
    return this.#layout.has(digest);
  }

  /** Path of the entry's tree. Writable by root: prefer readOnlyView() or restore(). */
  treePath(digest: Digest): string {
    return this.#layout.treePath(digest);
  }

  manifest(digest: Digest): Promise<StoredManifest> {
    return this.#layout.manifest(digest);
  }

  /** Mark the entry used now (LRU for gc). False if there is no such entry. */
  touch(digest: Digest): boolean {
    return this.#layout.touch(digest);
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
    return restoreTree(this.treePath(digest), target, method, (label) => this.scratch(label), (p) => this.#layout.removeTree(p));
  }

  /** The read-only view of trees/ that dependents read through (read-only-view.ts). */
  readOnlyView(): Promise<ReadOnlyView> {
    return this.#view.get();
  }

  list(): Promise<EntryInfo[]> {
    return listEntries(this.#layout);
  }

  /** Bytes the entries take on disk, each file shared between entries counted once. */
  async diskBytes(entries: readonly EntryInfo[], signal?: AbortSignal): Promise<number> {
    return (await DiskUsage.of(new Map(entries.map((e) => [e.digest, this.treePath(e.digest)])), signal)).total;
  }

  /**
   * Evict least-recently-used entries until the store holds at most `maxBytes` (regular-file
   * bytes, each inode counted once however many entries share it: see DiskUsage), and the
   * action records that point at them. Waits for the exclusive lock, i.e. until no build
   * holds the store. Entries share only files, never write them, so evicting one never
   * changes another.
   */
  async gc(options: { readonly maxBytes: number; readonly signal?: AbortSignal }): Promise<GcResult> {
    return this.#evicting(options.signal, async (graves) => {
      const entries = await this.list();
      const usage = await DiskUsage.of(new Map(entries.map((e) => [e.digest, this.treePath(e.digest)])), options.signal);
      const evicted: { digest: Digest; bytes: number; lastUsed: number }[] = [];
      const oldestFirst = [...entries].sort((a, b) => a.lastUsedAt - b.lastUsedAt || (a.digest < b.digest ? -1 : 1));
      for (const e of oldestFirst) {
        if (usage.total <= options.maxBytes) break;
        graves.push(...(await this.#layout.moveOut(e.digest)));
        evicted.push({ digest: e.digest, bytes: usage.evict(e.digest), lastUsed: e.lastUsedAt });
      }
      await this.#actions.drop(new Set(evicted.map((e) => e.digest)));
      return { evicted, keptBytes: usage.total };
    });
  }

  /**
   * Rehash every entry and compare with its name. Corrupt entries are evicted (with their
   * action records) so the next build rebuilds them, unless `evict: false`. Evicting waits
   * for the exclusive lock; checking only takes a shared one.
   */
  async verify(options: { readonly evict?: boolean; readonly signal?: AbortSignal } = {}): Promise<VerifyResult> {
    const evict = options.evict ?? true;
    const check = async (graves: string[]): Promise<VerifyResult> => {
      let checked = 0;
      const corrupt: Corruption[] = [];
      for (const name of (await readdir(this.#layout.trees)).sort()) {
        if (!isDigest(name)) continue;
        options.signal?.throwIfAborted();
        checked++;
        const problem = await checkEntry(this.#layout, name);
        if (problem !== undefined) corrupt.push({ digest: name, ...problem });
      }
      if (evict && corrupt.length > 0) {
        for (const c of corrupt) graves.push(...(await this.#layout.moveOut(c.digest)));
        await this.#actions.drop(new Set(corrupt.map((c) => c.digest)));
      }
      return { checked, corrupt };
    };
    if (evict) return this.#evicting(options.signal, check);
    const release = await this.acquireShared(options.signal);
    try {
      return await check([]);
    } finally {
      await release();
    }
  }

  /** Runs `f` under the exclusive lock; what it moved out (its graves) is deleted after, unlocked. */
  async #evicting<T>(signal: AbortSignal | undefined, f: (graves: string[]) => Promise<T>): Promise<T> {
    const graves: string[] = [];
    const release = await this.acquireExclusive(signal);
    try {
      return await f(graves);
    } finally {
      await release();
      // Deleting takes long; builds need not wait for it.
      for (const g of graves) await this.#layout.removeTree(g);
    }
  }

  // --- action cache and state ------------------------------------------------------------

  /** The record for `key` if there is one and its tree is still stored (action-cache.ts). */
  getAction<R extends ActionRecord = ActionRecord>(key: string): R | undefined {
    return this.#actions.get<R>(key);
  }

  /** Record what `key` produced (replacing any older record). */
  putAction<R extends ActionInput>(key: string, record: R): R & { readonly createdAt: number } {
    return this.#actions.put(key, record);
  }

  /** For each entry, the targets it was stored for, as the action records name them. */
  targetsByDigest(): Promise<Map<string, string[]>> {
    return this.#actions.targetsByDigest();
  }

  /** A state document, or undefined if there is none (or it is not JSON). */
  readState(name: string): unknown {
    return this.#actions.readState(name);
  }

  /** Replace a state document atomically. */
  writeState(name: string, value: unknown): void {
    this.#actions.writeState(name, value);
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

  #track(release: Release, after?: () => void): Release {
    const tracked = once(async () => {
      this.#held.delete(tracked);
      after?.();
      await release();
    });
    this.#held.add(tracked);
    return tracked;
  }
}
