// One distro's edition in a publish root: DISTRO/EDITION/releases/ID/ (each written beside the
// others under a temporary name, then renamed), and `current`, a symlink to one of them that
// is replaced by renaming a new symlink over it: a reader sees the old release or the new one,
// never half of one. Writers of an edition take its mutex; what a killed writer left (a
// temporary release, a temporary link) is removed by the next.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Locks, type Release } from '../cache/locks.ts';
import { isAlive, ownerTag, parseOwnerTag, self } from '../cache/process-identity.ts';
import { RELEASE_ID, type ReleaseRecord } from './release-record.ts';

export const RELEASES = 'releases';
export const CURRENT = 'current';
export const RECORD = 'release.json';
/** A release being written (`.tmp-PID-STARTTIME-N` under releases/), or a link (`.current.tmp-PID-STARTTIME`). */
const TMP = /^\.(?:current\.)?tmp-(\d+-\d+)/;
const deadWriter = (name: string): boolean => {
  const owner = parseOwnerTag(TMP.exec(name)?.[1] ?? '');
  return owner !== undefined && !isAlive(owner);
};

export class Edition {
  readonly dir: string;

  constructor(readonly root: string, readonly distro: string, readonly name: string) {
    this.dir = join(root, distro, name);
  }

  get releasesDir(): string {
    return join(this.dir, RELEASES);
  }

  releaseDir(id: string): string {
    return join(this.releasesDir, id);
  }

  /** The edition's mutex, held while its releases or current link change. */
  async lock(signal: AbortSignal): Promise<Release> {
    const locks = new Locks(join(this.dir, '.locks'));
    await locks.init();
    return locks.mutex('edition', signal);
  }

  /** The releases, oldest first (by id: date, then digest), each with its record. */
  releases(): ReleaseRecord[] {
    if (!existsSync(this.releasesDir)) return [];
    const out: ReleaseRecord[] = [];
    for (const id of readdirSync(this.releasesDir).sort()) {
      if (!RELEASE_ID.test(id)) continue;
      const file = join(this.releaseDir(id), RECORD);
      if (existsSync(file)) out.push(JSON.parse(readFileSync(file, 'utf8')) as ReleaseRecord);
    }
    return out.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1));
  }

  /** The id `current` points at, if any. */
  async current(): Promise<string | undefined> {
    const target = await readlink(join(this.dir, CURRENT)).catch(() => undefined);
    const id = target?.split('/').at(-1);
    return id && RELEASE_ID.test(id) ? id : undefined;
  }

  /** `current` -> releases/ID, in one rename. */
  async makeCurrent(id: string): Promise<void> {
    const tmp = join(this.dir, `.${CURRENT}.tmp-${ownerTag(self)}`);
    await rm(tmp, { force: true });
    await symlink(`${RELEASES}/${id}`, tmp);
    await rename(tmp, join(this.dir, CURRENT));
  }

  /** A temporary directory for a release being written, and the removal of those dead writers left. */
  async newTemporary(): Promise<string> {
    for (const dir of [this.releasesDir, this.dir]) {
      for (const name of existsSync(dir) ? await readdir(dir) : []) if (deadWriter(name)) await rm(join(dir, name), { recursive: true, force: true });
    }
    return join(this.releasesDir, `.tmp-${ownerTag(self)}-${++temporaries}`);
  }
}

let temporaries = 0;
