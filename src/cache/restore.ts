// The ways to make a stored tree appear at another path. They differ in cost and in what
// the result allows; bench/ measures them, so each does exactly what its name says.

import { mkdir, rmdir } from 'node:fs/promises';
import { copyDirAttributes } from './dir-attributes.ts';
import { ignoring } from './errors.ts';
import { once } from './once.ts';
import { bindReadOnly, mountOverlay, unmountUnder } from './mounts.ts';
import { hostCommandOrThrow } from './host-command.ts';

/**
 * - `copy`: `cp -a --reflink=auto`. An independent, writable copy; shares blocks on
 *   filesystems with reflinks (btrfs, xfs), a full copy elsewhere. Keeps everything,
 *   mtimes included.
 * - `hardlink`: `cp -a --link`. Directories are re-created with their owner, mode, xattrs
 *   and mtime; every other inode (files, symlinks, devices, fifos) is hardlinked to the
 *   store's. Fast and cheap, but ONLY safe if nothing rewrites a file in place or changes
 *   its owner/mode/xattrs/mtime: that would change the store entry, for every later user.
 *   Replacing files (write new + rename, as package managers do) and unlinking are safe.
 * - `overlay`: overlayfs with the entry's tree as the (never written) lower layer and an
 *   upper/work dir in scratch, mounted at dest. Writable, zero-copy; a write copies the one
 *   file up. Needs root.
 * - `bind-ro`: a read-only bind mount of the entry's tree. Zero-copy; writes fail with EROFS.
 *   Needs root.
 */
export type RestoreMethod = 'copy' | 'hardlink' | 'overlay' | 'bind-ro';

export const RESTORE_METHODS: readonly RestoreMethod[] = ['copy', 'hardlink', 'overlay', 'bind-ro'];

export interface Restored {
  /** Where the tree now is (the dest given). */
  readonly path: string;
  /**
   * For the mount methods: unmount, remove the mount point and the overlay's upper/work
   * dirs (an overlay's writes go with them). For copy and hardlink: nothing; the tree at
   * `path` is the caller's to keep or delete.
   */
  dispose(): Promise<void>;
}

/** Scratch space on the store's filesystem, for an overlay's upper and work dirs. */
export type MakeScratch = (label: string) => Promise<{ dir: string; dispose(): Promise<void> }>;

/** Remove a directory tree after unmounting anything below it. */
export type RemoveTree = (path: string) => Promise<void>;

/** Restore `tree` at `dest` (which must not exist; its parent must, given canonical). */
export async function restoreTree(
  tree: string,
  dest: string,
  method: RestoreMethod,
  scratch: MakeScratch,
  removeTree: RemoveTree,
): Promise<Restored> {
  switch (method) {
    case 'copy':
    case 'hardlink': {
      const flag = method === 'copy' ? '--reflink=auto' : '--link';
      try {
        await hostCommandOrThrow('cp', ['-a', flag, '--no-target-directory', tree, dest]);
      } catch (err) {
        await removeTree(dest);
        throw err;
      }
      return { path: dest, dispose: async () => undefined };
    }
    case 'overlay': {
      const s = await scratch('overlay');
      const upper = `${s.dir}/upper`;
      const work = `${s.dir}/work`;
      const undo = once(async () => {
        await unmountUnder(dest);
        await ignoring(rmdir(dest));
        await s.dispose();
      });
      try {
        await mkdir(upper);
        await mkdir(work);
        // The merged root shows the upper dir's owner, mode, xattrs and mtime: give it the
        // lower root's.
        await copyDirAttributes(tree, upper);
        await mkdir(dest);
        await mountOverlay(tree, upper, work, dest);
      } catch (err) {
        await undo();
        throw err;
      }
      return { path: dest, dispose: undo };
    }
    case 'bind-ro': {
      const undo = once(async () => {
        await unmountUnder(dest);
        await ignoring(rmdir(dest));
      });
      try {
        await mkdir(dest);
        await bindReadOnly(tree, dest);
      } catch (err) {
        await undo();
        throw err;
      }
      return { path: dest, dispose: undo };
    }
  }
}
