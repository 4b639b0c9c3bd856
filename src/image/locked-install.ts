// Installing what the lock holds, for the bootstrap and packages stages: the pool filled with
// the stage's locked files (or, offline, found there: what is missing is listed), a flat
// repository made of them (each file hashed again on the way in), and afterwards the check
// that what dpkg says is installed is the lock: nothing more, nothing less, every version the
// locked one.

import { flatRepoSource, writeFlatRepo } from '../archive/flat-repo.ts';
import type { LockedPackage } from '../archive/lock-file.ts';
import { PackagePool } from '../archive/pool.ts';
import { RecipeFailure } from '../core/target.ts';
import { installedPackages } from './manifest.ts';
import type { StepIo } from './step-io.ts';

/** Where the pool is, and whether the network may fill it. */
export interface PoolAccess {
  readonly dir: string;
  /** --offline: every file must be in the pool already. */
  readonly offline: boolean;
  /** `--mirror`: fetch from this mirror (the locked paths under it) instead of the one each package was locked from. */
  readonly mirror?: string;
}

/** A locked package as a stage's input: where it stands in the lock file is no part of what is installed. */
export function withoutLine(p: LockedPackage): LockedPackage {
  const { line: _, ...rest } = p;
  return rest;
}

/** Downloads at once: the archive serves many small files; more connections than this gain nothing. */
const FETCHES = 8;

/** Every package in the pool, fetched where missing unless offline; a failure names each package. */
export async function fillPool(packages: readonly LockedPackage[], access: PoolAccess, signal: AbortSignal): Promise<PackagePool> {
  const pool = new PackagePool(access.dir);
  const missing = packages.filter((p) => !pool.has(p));
  if (missing.length > 0 && access.offline) {
    throw new RecipeFailure(`--offline, and the pool lacks ${missing.length} locked package${missing.length === 1 ? '' : 's'}: ${missing.map((p) => `${p.name} ${p.version}`).join(', ')}`, {
      hint: 'mkimage fetch fills the pool while the network is there',
    });
  }
  const queue = [...missing];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: Math.min(FETCHES, queue.length) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const got = await pool.fetch(p, access.mirror ?? p.mirror, signal);
        if (!got.ok) failures.push(got.error.message);
      }
    }),
  );
  if (failures.length > 0) {
    const some = failures.slice(0, 3).join('; ') + (failures.length > 3 ? `; and ${failures.length - 3} more` : '');
    throw new RecipeFailure(failures.length === 1 ? failures[0]! : `${failures.length} locked packages could not be fetched: ${some}`, {
      hint: failures.some((f) => f.includes('HTTP 404'))
        ? 'a version the archive no longer has: fill the pool where it still is (mkimage fetch), or move the lock on (mkimage lock --update)'
        : 'is the mirror reachable? what was fetched stays in the pool: mkimage fetch goes on from there',
    });
  }
  return pool;
}

/** The stage's locked packages as a flat repository in `dir`; returns apt's sources line for it. */
export async function lockedRepository(dir: string, packages: readonly LockedPackage[], suite: string, access: PoolAccess, io: StepIo): Promise<string> {
  const pool = await fillPool(packages, access, io.signal);
  const written = await writeFlatRepo(dir, packages, pool, suite);
  if (!written.ok) throw new RecipeFailure(written.error.message, written.error.hint ? { hint: written.error.hint } : {});
  return flatRepoSource(dir);
}

/** Packages dpkg dropped while installing (`Noting disappearance of lsb-base, ...`): locked, rightly, and gone. */
export function disappeared(output: string): string[] {
  return [...output.matchAll(/Noting disappearance of ([^\s,]+)/g)].map((m) => m[1]!);
}

/** The packages dpkg says it removed (`Removing libodbc2:amd64 (2.3.11-2+deb12u1) ...`), by name. */
export function removedPackages(output: string): string[] {
  return [...output.matchAll(/^Removing ([^\s:]+)(?::\S+)? \(/gm)].map((m) => m[1]!);
}

/**
 * What dpkg says is installed in the root must be exactly `locked`, but for the packages dpkg
 * dropped as disappeared. A difference is the failure of the stage, naming each package.
 */
export function checkInstalledIsLocked(
  root: string,
  locked: ReadonlyArray<{ readonly name: string; readonly version: string; readonly architecture: string }>,
  gone: readonly string[],
  /** The project's builds' binaries and their version: apt may pull one the lock does not name (a renamed library). */
  ours: ReadonlyMap<string, string> = new Map(),
): void {
  const key = (p: { name: string; architecture: string }) => `${p.name}:${p.architecture}`;
  const want = new Map(locked.map((p) => [key(p), p.version]));
  const have = new Map(installedPackages(root).map((p) => [key(p), p.version]));
  const problems: string[] = [];
  for (const [k, version] of have) {
    const locked = want.get(k);
    if (locked === undefined && ours.get(k.split(':')[0]!) === version) continue;
    if (locked === undefined) problems.push(`${k} ${version} is installed and not locked`);
    else if (locked !== version) problems.push(`${k} is ${version}, locked ${locked}`);
  }
  for (const [k, version] of want) if (!have.has(k) && !gone.includes(k.split(':')[0]!)) problems.push(`${k} ${version} is locked and not installed`);
  if (problems.length > 0) {
    throw new RecipeFailure(`the root is not what the lock says: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}`, {
      hint: 'a maintainer script or hook installed or removed packages; mkimage lock again if the profile changed',
    });
  }
}
