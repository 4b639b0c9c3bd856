// Whether mkimage can write where it must (the store, the out dir, the records beside an
// image), and, when it cannot, why in one line naming the place: a full disk, a read-only
// mount, a missing permission, a file where a directory should be. These are expected
// failures of the machine, not bugs, so they become Diagnostics; any other error stays an
// exception.

import { constants, renameSync, rmSync, writeFileSync } from 'node:fs';
import { access, mkdir, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Diagnostic } from '../core/diagnostic.ts';
import { ERRNO_WORDS, NO_SPACE, StoreError, errnoCode, errnoFailure } from '../cache/errors.ts';
import { formatBytes } from '../ui/format.ts';

const STORE_HINT = 'point --store (or $MKIMAGE_STORE) at a writable directory';

/** Why the store at `root` cannot be used (created if missing); undefined when it can. */
export async function storeProblem(root: string): Promise<Diagnostic | undefined> {
  const why = await directoryProblem(root);
  return why === undefined ? undefined : { message: `cannot use the store ${root}: ${why}`, hint: STORE_HINT };
}

/** Below this much free, a build cannot even keep its logs and state: it is refused before it starts. */
const STORE_FLOOR = 1 << 20;

/** Why the store at `root` has no room for a build; undefined when it has. */
export async function storeSpaceProblem(root: string): Promise<Diagnostic | undefined> {
  // A store not made yet is made on the file system of its nearest existing parent.
  let existing = root;
  while (!(await stat(existing).then(() => true, () => false)) && dirname(existing) !== existing) existing = dirname(existing);
  const free = await freeSpace(existing);
  if (free.bytes >= STORE_FLOOR && free.inodes !== 0) return undefined;
  return {
    message: `cannot build in the store ${root}: its file system is full (${free.inodes === 0 ? 'no inodes' : formatBytes(free.bytes)} free)`,
    hint: 'mkimage cache gc --max-size SIZE, or free space',
  };
}

/** Why `dir` cannot be created (if missing) and written; undefined when it can. */
export async function directoryProblem(dir: string): Promise<string | undefined> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    // A recursive mkdir says ENOENT under a read-only mount: the nearest existing parent tells why.
    return (await ancestorProblem(dir)) ?? wordsOrThrow(err);
  }
  // Root passes any permission check, but not a read-only mount: access() says EROFS.
  return access(dir, constants.W_OK).then(() => undefined, wordsOrThrow);
}

/** What stops creating `dir`, found at its nearest existing ancestor: a file, or one that cannot be written. */
async function ancestorProblem(dir: string): Promise<string | undefined> {
  for (let p = dir; ; p = dirname(p)) {
    const s = await stat(p).catch(() => undefined);
    if (s && !s.isDirectory()) return p === dir ? 'it is a file, not a directory' : `${p} is a file, not a directory`;
    if (s) return access(p, constants.W_OK).then(() => undefined, wordsOrThrow);
    if (dirname(p) === p) return undefined;
  }
}

const wordsOrThrow = (err: unknown): string => {
  const words = ERRNO_WORDS[errnoCode(err) ?? ''];
  if (words === undefined) throw err;
  return words;
};

/** Bytes and inodes: what some files take, or what a file system has free. */
export interface Footprint {
  readonly bytes: number;
  /** Undefined when the file system does not count them (btrfs). */
  readonly inodes?: number;
}

/** What the file system of `dir` has free for the calling user. */
export async function freeSpace(dir: string): Promise<Footprint> {
  const s = await statfs(dir);
  // Root may use the blocks ext4 reserves for it; others only the available ones.
  const blocks = process.getuid?.() === 0 ? s.bfree : s.bavail;
  return { bytes: blocks * s.bsize, ...(s.files > 0 && { inodes: s.ffree }) };
}

/**
 * The file systems where `cp --reflink=auto` shares blocks with the store instead of copying
 * them (btrfs, xfs, bcachefs): there, outputs beside the store cost next to nothing.
 */
const REFLINK_FS = new Set([0x9123683e, 0x58465342, 0xca451a4e]);

/** Whether a copy from `from` to `to` may share blocks rather than take free space. */
export async function mayShareBlocks(from: string, to: string): Promise<boolean> {
  const [a, b, fs] = await Promise.all([stat(from), stat(to), statfs(to)]);
  return a.dev === b.dev && REFLINK_FS.has(fs.type);
}

/** "812MiB needed, 120MiB free", or in files when inodes are what is short. */
export function neededVsFree(needed: Footprint, free: Footprint): string {
  if (needed.bytes <= free.bytes && needed.inodes !== undefined && free.inodes !== undefined && needed.inodes > free.inodes) {
    return `${needed.inodes} files needed, room for ${free.inodes} more`;
  }
  return `${formatBytes(needed.bytes)} needed, ${formatBytes(free.bytes)} free`;
}

/**
 * Why a write failed, in a few words, when it is the machine's doing (a full disk, a read-only
 * mount...); undefined for anything else. Reads errno codes, and the stderr of the store's
 * `cp`, which is all a failed copy tells.
 */
export function writeFailure(err: unknown): { readonly words: string; readonly noSpace: boolean } | undefined {
  const code = errnoCode(err);
  if (code !== undefined) {
    return errnoFailure(err);
  }
  if (err instanceof StoreError && err.reason === 'command-failed') {
    for (const [text, c] of CP_MESSAGES) if (err.message.includes(text)) return { words: ERRNO_WORDS[c]!, noSpace: NO_SPACE.has(c) };
    // Some other complaint of cp (xattrs the out dir's file system cannot keep): its own line.
    const line = err.message.split('\n').find((l) => l.includes(': cp: ')) ?? err.message.split('\n')[0]!;
    return { words: line.slice(line.indexOf(': cp: ') + 2), noSpace: false };
  }
  return undefined;
}



/** cp's strerror texts for the codes above that a copy meets. */
const CP_MESSAGES: ReadonlyArray<readonly [string, string]> = [
  ['No space left on device', 'ENOSPC'],
  ['Disk quota exceeded', 'EDQUOT'],
  ['Read-only file system', 'EROFS'],
  ['Permission denied', 'EACCES'],
];

/** Writes `path` whole or not at all (a temporary name, then a rename); a failure leaves no temporary behind. */
export function writeFileAtomically(path: string, text: string): void {
  try {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  } catch (err) {
    rmSync(`${path}.tmp`, { force: true });
    throw err;
  }
}
