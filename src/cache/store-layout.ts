// Where everything of a local store lives, and the few operations every part of the store
// does with those places: name a scratch path, write a small file atomically, remove a tree
// (never through a live mount), and clean up what dead processes left.
//
//   <root>/VERSION
//   <root>/trees/<digest>/tree/           the artifact, exactly (owners, modes, xattrs, mtimes, links)
//   <root>/trees/<digest>/manifest.json   its TreeManifest + digest + createdAt
//   <root>/trees/<digest>/info.json       { digest, files, bytes, createdAt, base?, ownBytes? }:
//                                         list without parsing a manifest of 50k entries
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

import { existsSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Digest } from '../core/ids.ts';
import { errnoCode, StoreError } from './errors.ts';
import { unmountUnder } from './mounts.ts';
import { isAlive, ownerTag, parseOwnerTag, self } from './process-identity.ts';
import type { TreeManifest } from './tree.ts';

/** Bumped when the layout changes incompatibly; open() refuses a store of another version. */
const LAYOUT_VERSION = '1';
const STATE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Instances in this process, so two stores opened by one process get distinct tmp dirs. */
let instances = 0;

/** manifest.json: the manifest with the digest it hashes to and when it was stored. */
export interface StoredManifest extends TreeManifest {
  readonly digest: Digest;
  /** ms since the epoch. */
  readonly createdAt: number;
}

export class StoreLayout {
  readonly trees: string;
  readonly actions: string;
  readonly state: string;
  readonly logs: string;
  readonly tmpRoot: string;
  /** This instance's scratch space. */
  readonly tmpDir: string;
  #names = 0;

  private constructor(readonly root: string) {
    this.trees = join(root, 'trees');
    this.actions = join(root, 'actions');
    this.state = join(root, 'state');
    this.logs = join(root, 'logs');
    this.tmpRoot = join(root, 'tmp');
    this.tmpDir = join(this.tmpRoot, `${ownerTag(self)}-${++instances}`);
  }

  /** Creates or opens the layout at `root` (canonicalised) with this instance's tmp dir. */
  static async open(root: string): Promise<StoreLayout> {
    await mkdir(root, { recursive: true });
    const real = await realpath(root);
    await checkVersion(real);
    for (const d of ['trees', 'actions', 'state', 'logs', 'tmp', 'locks']) await mkdir(join(real, d), { recursive: true });
    const layout = new StoreLayout(real);
    await mkdir(layout.tmpDir);
    return layout;
  }

  entryDir(digest: string): string {
    return join(this.trees, digest);
  }

  treePath(digest: Digest): string {
    return join(this.entryDir(digest), 'tree');
  }

  has(digest: Digest): boolean {
    return existsSync(this.entryDir(digest));
  }

  async manifest(digest: Digest): Promise<StoredManifest> {
    try {
      return JSON.parse(await readFile(join(this.entryDir(digest), 'manifest.json'), 'utf8')) as StoredManifest;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new StoreError('not-found', `no entry ${digest} in ${this.root}`);
      throw err;
    }
  }

  /** Mark the entry used now (LRU for gc). False if there is no such entry. */
  touch(digest: Digest): boolean {
    const used = join(this.entryDir(digest), 'used');
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

  actionPath(key: string): string {
    if (!HEX64.test(key)) throw new StoreError('invalid-argument', `action key must be 64 hex digits: ${JSON.stringify(key)}`);
    return join(this.actions, `${key}.json`);
  }

  statePath(name: string): string {
    if (!STATE_NAME.test(name)) throw new StoreError('invalid-argument', `invalid state name: ${JSON.stringify(name)}`);
    return join(this.state, `${name}.json`);
  }

  /** A fresh name in this instance's tmp dir. */
  tmpName(label: string): string {
    return join(this.tmpDir, `${label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}-${++this.#names}`);
  }

  writeAtomic(path: string, data: string): void {
    const tmp = this.tmpName('write');
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  }

  /** Unmount everything below `path`, then delete it: never rm through a live mount. */
  async removeTree(path: string): Promise<void> {
    await unmountUnder(path);
    await rm(path, { recursive: true, force: true });
  }

  /** Canonical path of `dir`, which must lie in some process's dir under tmp/. */
  async insideTmp(dir: string): Promise<string> {
    let abs: string;
    try {
      abs = await realpath(dir);
    } catch (err) {
      throw new StoreError('not-a-directory', `${dir}: ${errnoCode(err) ?? String(err)}`);
    }
    const rel = relative(this.tmpRoot, abs);
    if (rel.startsWith('..') || rel.split(sep).length < 2) {
      throw new StoreError('outside-store', `${dir} is not inside ${this.tmpRoot}/<owner>/; build trees in a scratch() dir`);
    }
    if (!(await lstat(abs)).isDirectory()) throw new StoreError('not-a-directory', `${dir} is not a directory`);
    return abs;
  }

  /** Why the dirs cannot take part in a rename into trees/ (not in tmp/), or undefined. */
  async outsideTmp(...dirs: string[]): Promise<string | undefined> {
    for (const d of dirs) {
      const rel = relative(this.tmpRoot, await realpath(d));
      if (rel.startsWith('..') || rel === '') return `${d} is not inside ${this.tmpRoot}`;
    }
    return undefined;
  }

  /**
   * Evicting is two steps: this one moves the entry out of trees/ into our tmp (one atomic
   * rename, so no half-deleted entry is ever visible), the caller then deletes what it
   * returns. A crash in between leaves it to the next open()'s cleanup.
   */
  async moveOut(digest: Digest): Promise<string[]> {
    const grave = this.tmpName(`evict-${digest.slice(0, 12)}`);
    try {
      await rename(this.entryDir(digest), grave);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    return [grave];
  }

  /** Remove tmp dirs of dead processes: unmount what they left mounted, then delete. Returns what it could not remove. */
  async reapDead(): Promise<string[]> {
    const warnings: string[] = [];
    for (const name of await readdir(this.tmpRoot)) {
      const owner = parseOwnerTag(name);
      if (owner === undefined || isAlive(owner)) continue;
      const dir = join(this.tmpRoot, name);
      try {
        await unmountUnder(dir);
        // Claim it first: of several processes opening the store, one deletes it.
        const grave = this.tmpName(`reap-${name}`);
        try {
          await rename(dir, grave);
        } catch (err) {
          if (errnoCode(err) === 'ENOENT') continue;
          throw err;
        }
        await this.removeTree(grave);
      } catch (err) {
        warnings.push(`could not remove ${dir} of dead process ${owner.pid}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return warnings;
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

export async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readJsonSync(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
