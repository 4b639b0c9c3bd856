// Cross-process locks from plain files, no native code: named mutexes, and the store-wide
// readers/writer scheme that keeps gc (writer) from deleting what a build (reader) uses.
//
// A mutex is a directory `<name>.lock/` holding one token file named after its owner
// (`<pid>-<starttime>-<n>`, content {pid, starttime, bootId}). It is taken by renaming a
// prepared directory, token inside, onto that name: rename() fails on a non-empty directory,
// so exactly one process wins. Why not a lock *file* made with O_EXCL: breaking a dead
// owner's file is unlink(path), which can delete a live lock taken by someone else between
// our read and our unlink. Here a breaker only ever unlinks the dead owner's own token (a
// name no live process can have) and then rmdir()s, which fails unless the directory is
// empty, so a lock taken meanwhile is never lost. An empty lock directory (an owner between
// releasing its token and rmdir, or one that died there) counts as free, and renaming onto
// an empty directory is allowed, so it never blocks anyone.
//
// Readers/writer: a reader (build) drops a token into `shared/`; the writer (gc, verify)
// takes the `_exclusive` mutex, which announces it, then waits until `shared/` holds no live
// token. A reader that finds the announcement after dropping its token withdraws it and
// waits. Both write before they read, so at least one of the two sees the other.

import { mkdir, readdir, readFile, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { errnoCode, ignoring, StoreError } from './errors.ts';
import { once } from './once.ts';
import { bootId, isAlive, ownerTag, parseOwnerTag, self } from './process-identity.ts';

/** Gives the lock back; calling it again does nothing. */
export type Release = () => Promise<void>;

/** How often a waiter looks again. */
const POLL_MS = 25;
const EXCLUSIVE = '_exclusive';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

let tokens = 0;
/** A name unique among all holders, past and present: owner tag plus a per-process counter. */
export const newToken = (): string => `${ownerTag(self)}-${++tokens}`;

export class Locks {
  readonly #dir: string;
  readonly #shared: string;
  readonly #staging: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.#shared = join(dir, 'shared');
    this.#staging = join(dir, '.tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.#shared, { recursive: true });
    await mkdir(this.#staging, { recursive: true });
  }

  /** Mutual exclusion between processes (and between callers in one process). */
  mutex(name: string, signal?: AbortSignal): Promise<Release> {
    if (!NAME.test(name)) throw new StoreError('invalid-argument', `invalid lock name: ${JSON.stringify(name)}`);
    return this.#mutex(name, signal);
  }

  /** Held by builds: gc and evicting verify wait until no live holder remains. */
  async shared(signal?: AbortSignal): Promise<Release> {
    const token = newToken();
    const path = join(this.#shared, token);
    for (;;) {
      signal?.throwIfAborted();
      if (!(await this.#heldByLiveOwner(this.#lockDir(EXCLUSIVE)))) {
        await writeFile(path, ownerRecord(), { flag: 'wx' });
        if (!(await this.#heldByLiveOwner(this.#lockDir(EXCLUSIVE)))) return once(() => unlinkQuiet(path));
        // A writer announced itself meanwhile: it goes first.
        await unlinkQuiet(path);
      }
      await sleep(POLL_MS, undefined, { signal });
    }
  }

  /** Held by gc: one at a time, and only once every live shared holder has released. */
  async exclusive(signal?: AbortSignal): Promise<Release> {
    const release = await this.#mutex(EXCLUSIVE, signal);
    try {
      while ((await this.#liveShared()) > 0) await sleep(POLL_MS, undefined, { signal });
      return release;
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** Remove what dead processes left: tokens, emptied lock dirs, staging dirs. */
  async cleanStale(): Promise<void> {
    for (const name of await readdir(this.#dir)) {
      if (name.endsWith('.lock')) await this.#heldByLiveOwner(join(this.#dir, name));
    }
    await this.#liveShared();
    for (const name of await readdir(this.#staging)) {
      if (!tagAlive(name)) await rm(join(this.#staging, name), { recursive: true, force: true });
    }
  }

  #lockDir(name: string): string {
    return join(this.#dir, `${name}.lock`);
  }

  async #mutex(name: string, signal: AbortSignal | undefined): Promise<Release> {
    const token = newToken();
    const stage = join(this.#staging, token);
    const lockDir = this.#lockDir(name);
    await mkdir(stage);
    await writeFile(join(stage, token), ownerRecord());
    try {
      for (;;) {
        signal?.throwIfAborted();
        try {
          await rename(stage, lockDir);
          break;
        } catch (err) {
          const code = errnoCode(err);
          if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
        }
        if (await this.#heldByLiveOwner(lockDir)) await sleep(POLL_MS, undefined, { signal });
      }
    } catch (err) {
      await rm(stage, { recursive: true, force: true });
      throw err;
    }
    return once(async () => {
      await unlinkQuiet(join(lockDir, token));
      await rmdirQuiet(lockDir);
    });
  }

  /** True if `lockDir` has a live owner; otherwise clears dead tokens and the empty dir. */
  async #heldByLiveOwner(lockDir: string): Promise<boolean> {
    let names: string[];
    try {
      names = await readdir(lockDir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    let live = false;
    for (const name of names) {
      if (await tokenAlive(join(lockDir, name), name)) live = true;
      else await unlinkQuiet(join(lockDir, name));
    }
    if (!live) await rmdirQuiet(lockDir);
    return live;
  }

  /** Number of live shared holders; dead ones are removed on the way. */
  async #liveShared(): Promise<number> {
    let live = 0;
    for (const name of await readdir(this.#shared)) {
      const path = join(this.#shared, name);
      if (await tokenAlive(path, name)) live++;
      else await unlinkQuiet(path);
    }
    return live;
  }
}

const ownerRecord = (): string => JSON.stringify({ ...self, bootId });

/** Whether the process named by a token is alive; the content only adds the boot id. */
async function tokenAlive(path: string, name: string): Promise<boolean> {
  const owner = parseOwnerTag(name);
  if (owner === undefined) return false;
  let ownerBoot: string | undefined;
  try {
    const rec: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof rec === 'object' && rec !== null && 'bootId' in rec && typeof rec.bootId === 'string') ownerBoot = rec.bootId;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    // Half-written (the owner is between open and write): judge by the name alone.
  }
  return isAlive(owner, ownerBoot);
}

const tagAlive = (name: string): boolean => {
  const owner = parseOwnerTag(name);
  return owner !== undefined && isAlive(owner);
};

const unlinkQuiet = (path: string) => ignoring(unlink(path));

/** rmdir that ignores "already gone" and "not empty" (someone took the lock meanwhile). */
const rmdirQuiet = (path: string) => ignoring(rmdir(path), ['ENOENT', 'ENOTEMPTY', 'EEXIST']);
