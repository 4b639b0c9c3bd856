// Content hashes of declared input files, with a stat cache so that a no-op build reads
// no file twice: like git's index, a file whose size, mtime, ctime and inode are unchanged
// since it was hashed keeps its hash.

import { createHash } from 'node:crypto';
import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

/** path -> [size, mtimeNs, ctimeNs, ino, sha256, hashedAtMs] */
export type StatCache = Record<string, [string, string, string, string, string, number]>;

/**
 * A file changed within this window before it was hashed may change again with the same
 * timestamp (ext4 stamps from a coarse clock), so its cached hash is not trusted.
 */
const RACY_WINDOW_MS = 2000;

export interface HashedFile {
  /** Relative to the project root (absolute if outside it). */
  readonly path: string;
  readonly abs: string;
  readonly sha256: string;
}

export class MissingInput extends Error {
  constructor(readonly path: string) {
    super(`declared input ${path} does not exist`);
  }
}

export class InputHasher {
  private readonly next: StatCache = {};
  /** Some file was read and hashed (not taken from the stat cache): the cache changed. */
  hashedAny = false;
  private readonly memo = new Map<string, HashedFile[]>();

  constructor(
    readonly root: string,
    private readonly previous: StatCache = {},
  ) {}

  /** Expands the patterns and hashes every file; throws MissingInput for a literal path that is absent. */
  hash(patterns: readonly string[]): HashedFile[] {
    const out = new Map<string, HashedFile>();
    for (const pattern of patterns) {
      for (const file of this.expand(pattern)) out.set(file.path, file);
    }
    return [...out.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** What to keep for the next build. */
  snapshot(): StatCache {
    return this.next;
  }

  /**
   * The first of `files` (absolute, hashed by this hasher) whose size, times or inode are not
   * what they were when it was hashed: it changed while a recipe read it.
   */
  changedSince(files: readonly string[]): string | undefined {
    for (const abs of files) {
      const was = this.next[abs];
      const st = statSync(abs, { bigint: true, throwIfNoEntry: false });
      if (!was || !st || !sameStat(was, statKey(st))) return relative(this.root, abs);
    }
    return undefined;
  }

  private expand(pattern: string): HashedFile[] {
    const known = this.memo.get(pattern);
    if (known) return known;
    let files: HashedFile[];
    if (isDynamicPattern(pattern)) {
      const matches = globSync(pattern, { cwd: this.root, absolute: true, onlyFiles: true, dot: true });
      files = matches.sort().map((abs) => this.file(abs));
    } else {
      files = [this.file(resolve(this.root, pattern))];
    }
    this.memo.set(pattern, files);
    return files;
  }

  private file(abs: string): HashedFile {
    const rel = relative(this.root, abs);
    const path = rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
    const st = statSync(abs, { bigint: true, throwIfNoEntry: false });
    if (!st || !st.isFile()) throw new MissingInput(path);
    const key = statKey(st);
    const cached = this.previous[abs] ?? this.next[abs];
    if (
      cached &&
      sameStat(cached, key) &&
      Number(st.mtimeNs / 1_000_000n) < cached[5] - RACY_WINDOW_MS
    ) {
      this.next[abs] = cached;
      return { path, abs, sha256: cached[4] };
    }
    const sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex');
    this.hashedAny = true;
    this.next[abs] = [...key, sha256, Date.now()];
    return { path, abs, sha256 };
  }
}

type StatKey = [size: string, mtimeNs: string, ctimeNs: string, ino: string];

/** What says a file is unchanged without reading it: size, both times, inode. */
const statKey = (st: BigIntStats): StatKey => [String(st.size), String(st.mtimeNs), String(st.ctimeNs), String(st.ino)];

const sameStat = (entry: readonly unknown[], key: StatKey): boolean => key.every((v, i) => entry[i] === v);
