// Content hashes of declared input files and trees, with a stat cache so that a no-op build
// reads no file twice: like git's index, a file whose size, mtime, ctime and inode are
// unchanged since it was hashed keeps its hash.

import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type BigIntStats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
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
  constructor(
    readonly path: string,
    what = 'input',
  ) {
    super(`declared ${what} ${path} does not exist`);
  }
}

/** What a recipe read, to check after it ran that none of it changed meanwhile. */
export interface ReadInputs {
  readonly files: readonly string[];
  /** Absolute tree paths and their listing's stat signature when hashed. */
  readonly trees: ReadonlyArray<readonly [abs: string, signature: string]>;
}

export class InputHasher {
  private readonly next: StatCache = {};
  /** Some file was read and hashed (not taken from the stat cache): the cache changed. */
  hashedAny = false;
  private readonly memo = new Map<string, HashedFile[]>();
  private readonly treeMemo = new Map<string, HashedTree>();

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

  /**
   * A directory as a recipe that copies it sees it: the sha256 of every entry's relative path,
   * type, permission bits, and link target or content hash, in name order. Links are not
   * followed (a link that dangles on the host is an entry like any other); empty directories
   * count. Throws MissingInput when the directory is absent.
   */
  tree(dir: string): HashedTree {
    const known = this.treeMemo.get(dir);
    if (known) return known;
    const abs = resolve(this.root, dir);
    const path = this.display(abs);
    const top = lstatSync(abs, { throwIfNoEntry: false });
    if (!top?.isDirectory()) throw new MissingInput(path, 'input tree');
    // Taken first: an entry changed during the listing then shows when the recipe has run.
    const signature = treeSignature(abs);
    const listing = createHash('sha256');
    for (const { rel, st } of walk(abs)) {
      const full = join(abs, rel);
      const kind = typeOf(st);
      const what = kind === 'file' ? this.file(full).sha256 : kind === 'symlink' ? readlinkSync(full) : '';
      listing.update(`${rel}\0${kind}\0${(Number(st.mode) & 0o7777).toString(8)}\0${what}\n`);
    }
    const hashed = { path, abs, sha256: listing.digest('hex'), signature };
    this.treeMemo.set(dir, hashed);
    return hashed;
  }

  /** What to keep for the next build. */
  snapshot(): StatCache {
    return this.next;
  }

  /**
   * The first input read by a recipe (hashed by this hasher) whose size, times or inode are not
   * what they were when it was hashed, or a tree with an entry added, removed or changed: it
   * changed while the recipe read it.
   */
  changedSince(read: ReadInputs): string | undefined {
    for (const abs of read.files) {
      const was = this.next[abs];
      const st = statSync(abs, { bigint: true, throwIfNoEntry: false });
      if (!was || !st || !sameStat(was, statKey(st))) return this.display(abs);
    }
    for (const [abs, was] of read.trees) {
      if (!lstatSync(abs, { throwIfNoEntry: false })?.isDirectory() || treeSignature(abs) !== was) return this.display(abs);
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

  private display(abs: string): string {
    const rel = relative(this.root, abs);
    return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  }

  private file(abs: string): HashedFile {
    const path = this.display(abs);
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

export interface HashedTree extends HashedFile {
  /** Stat fields and link targets of every entry: what changedSince() compares, without reading content. */
  readonly signature: string;
}

type StatKey = [size: string, mtimeNs: string, ctimeNs: string, ino: string];

/** What says a file is unchanged without reading it: size, both times, inode. */
const statKey = (st: BigIntStats): StatKey => [String(st.size), String(st.mtimeNs), String(st.ctimeNs), String(st.ino)];

const sameStat = (entry: readonly unknown[], key: StatKey): boolean => key.every((v, i) => entry[i] === v);

type EntryKind = 'dir' | 'file' | 'symlink' | 'other';

function typeOf(st: BigIntStats): EntryKind {
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
}

/** Every entry under dir (not dir itself), parents before children, names in byte order. */
function* walk(dir: string, rel = ''): Generator<{ rel: string; st: BigIntStats }> {
  const names = readdirSync(join(dir, rel)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, r), { bigint: true });
    yield { rel: r, st };
    if (st.isDirectory()) yield* walk(dir, r);
  }
}

function treeSignature(abs: string): string {
  const signature = createHash('sha256');
  for (const { rel, st } of walk(abs)) {
    const link = st.isSymbolicLink() ? readlinkSync(join(abs, rel)) : '';
    signature.update(`${rel}\0${statKey(st).join(':')}\0${link}\n`);
  }
  return signature.digest('hex');
}
