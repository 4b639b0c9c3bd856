// The expected failures of the store, as one Error subclass tagged by a kebab-case reason,
// so callers can switch on `reason` instead of parsing messages.

export type StoreErrorReason =
  /** put() was given a directory that is not inside the store's tmp/ (so no atomic rename). */
  | 'outside-store'
  /** A path that must be a directory is missing or is something else. */
  | 'not-a-directory'
  /** scanTree() could not read part of a tree (permissions, vanished file, odd name). */
  | 'unreadable-tree'
  /** The store root holds a layout of another, incompatible version. */
  | 'incompatible-store'
  /** The digest asked for has no entry in the store. */
  | 'not-found'
  /** restore() was given a destination that already exists. */
  | 'dest-exists'
  /** mount/umount/cp failed; the message carries the tool's stderr. */
  | 'command-failed'
  /** A tree handed to put() or removed by the store still has something mounted in it. */
  | 'busy'
  /** An argument the caller controls is malformed (lock name, state name, size, key). */
  | 'invalid-argument';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** The errno code of a Node system error, or undefined for anything else. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

/** Awaits `op`, taking the errno codes listed (default: the path is already gone) as success. */
export async function ignoring(op: Promise<unknown>, codes: readonly string[] = ['ENOENT']): Promise<void> {
  try {
    await op;
  } catch (err) {
    if (!codes.includes(errnoCode(err) ?? '')) throw err;
  }
}

export const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOENT: 'a directory on the way vanished',
  ENAMETOOLONG: 'file name too long',
  EISDIR: 'a directory is in the way',
};
export const NO_SPACE: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/** Why a write failed, in a few words, when its errno is the machine's doing (a full disk, a read-only mount...). */
export function errnoFailure(err: unknown): { readonly words: string; readonly noSpace: boolean } | undefined {
  const code = errnoCode(err);
  const words = code === undefined ? undefined : ERRNO_WORDS[code];
  return words === undefined ? undefined : { words, noSpace: NO_SPACE.has(code!) };
}
