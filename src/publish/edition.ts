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
import type { Diagnostic } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
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

/** The folders under `dir` (distros of a publish root, editions of a distro), sorted; none when it is missing. */
export const publishedFolders = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort() : [];

/** Why `name` is no edition of `distro` in the publish root (what it has, the closest), or undefined when it is one. */
export function unknownEdition(root: string, distro: string, name: string): Diagnostic | undefined {
  const known = publishedFolders(join(root, distro));
  if (known.includes(name)) return undefined;
  return missing(`${distro} has no edition ${name} in ${root}`, name, known, 'it has');
}

/** Why `distro` has nothing published in the root, or undefined when it has. */
export function unknownDistro(root: string, distro: string): Diagnostic | undefined {
  const known = publishedFolders(root);
  return known.includes(distro) ? undefined : missing(`no releases of ${distro} in ${root}`, distro, known, 'it has');
}

/** Why no distro of the root has the edition `name` (the editions there are), or undefined when one has. */
export function unservedEdition(root: string, name: string): Diagnostic | undefined {
  const distros = publishedFolders(root);
  if (distros.some((d) => existsSync(join(root, d, name)))) return undefined;
  const known = [...new Set(distros.flatMap((d) => publishedFolders(join(root, d))))].sort();
  return missing(`no distro of ${root} has an edition ${name}`, name, known, 'there are');
}

function missing(what: string, name: string, known: readonly string[], has: string): Diagnostic {
  const guess = closest(name, known);
  return { message: `${what}${known.length > 0 ? ` (${has} ${known.join(', ')})` : ''}`, ...(guess && { hint: `did you mean ${guess}?` }) };
}
