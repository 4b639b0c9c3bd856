// What a set of entries takes on disk, each inode counted once however many entries link it:
// an entry stored from an overlay shares every file it did not change with its base entry,
// so the sum of the manifests' sizes overstates the store, and evicting an entry frees only
// the files no other entry links.

import { lstatSync, readdirSync } from 'node:fs';
import type { Digest } from '../core/ids.ts';
import { errnoCode } from './errors.ts';

export class DiskUsage {
  /** Bytes of each entry's files that have no other link anywhere. */
  readonly #sole = new Map<Digest, number>();
  /** The other files of each entry, by `dev:ino`, each once per entry. */
  readonly #shared = new Map<Digest, string[]>();
  /** Size of each such file and how many entries link it. */
  readonly #inodes = new Map<string, { readonly size: number; refs: number }>();
  #total = 0;

  /** Walks each entry's tree (lstat only; contents are not read). */
  static async of(trees: ReadonlyMap<Digest, string>, signal?: AbortSignal): Promise<DiskUsage> {
    const u = new DiskUsage();
    for (const [digest, tree] of trees) {
      signal?.throwIfAborted();
      u.#add(digest, tree);
      // Let a Ctrl-C in between entries.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return u;
  }

  /** Bytes all entries not yet evicted take. */
  get total(): number {
    return this.#total;
  }

  /** Forget an entry; returns the bytes that frees (its files no remaining entry links). */
  evict(digest: Digest): number {
    let freed = this.#sole.get(digest) ?? 0;
    for (const key of this.#shared.get(digest) ?? []) {
      const inode = this.#inodes.get(key)!;
      if (--inode.refs === 0) freed += inode.size;
    }
    this.#sole.delete(digest);
    this.#shared.delete(digest);
    this.#total -= freed;
    return freed;
  }

  #add(digest: Digest, tree: string): void {
    let sole = 0;
    const shared = new Set<string>();
    const dirs = [tree];
    for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue;
        throw err;
      }
      for (const name of names) {
        const path = `${dir}/${name}`;
        const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
        if (st === undefined) continue;
        if (st.isDirectory()) dirs.push(path);
        else if (!st.isFile()) continue;
        else if (st.nlink === 1n) sole += Number(st.size);
        else {
          const key = `${st.dev}:${st.ino}`;
          if (shared.has(key)) continue;
          shared.add(key);
          const inode = this.#inodes.get(key);
          if (inode) inode.refs++;
          else {
            this.#inodes.set(key, { size: Number(st.size), refs: 1 });
            this.#total += Number(st.size);
          }
        }
      }
    }
    this.#sole.set(digest, sole);
    this.#shared.set(digest, [...shared]);
    this.#total += sole;
  }
}
