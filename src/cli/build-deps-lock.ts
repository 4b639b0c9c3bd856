// The lock of the package builds' build dependencies (mkimage.lock's `build-deps` lines): for
// each source, in the builds' order, its current set (resolved for its Build-Depends as our
// patches leave them, its profiles, the chroot and the builds it is built against), or (mode
// build) one resolved now. Resolving one needs the chroot and the builds it is built against
// made first, so that apt sees their repositories, and its Build-Depends read: steps of the
// builds the engine runs before the lock is written (`PackageRunner`, local-prebuild.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LockedBuildDeps } from '../archive/lock-build-deps.ts';
import { LOCK_FILE, type LockedPackage } from '../archive/lock-file.ts';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { withoutLine } from '../image/locked-install.ts';
import type { StepIo } from '../image/step-io.ts';
import { APT_KEYRING } from '../image/tools/mmdebstrap.ts';
import type { PackageBuildConfig } from '../package/config.ts';
import { packagesIndex, type IndexCache } from '../package/lock-build.ts';
import { buildDepsInputs, resolveBuildDeps } from '../package/lock-build-deps.ts';
import { readBuildDepends } from '../package/stages/build-deps.ts';
import { builddId, packageStepId } from '../package/step.ts';
import { describeChanges, type LockMode } from './lock-terms.ts';

/** What the engine made of some steps of package builds: each goal's output, by id, while `use` runs. */
export interface PackageRun {
  readonly dirs: ReadonlyMap<string, string>;
  /** Steps that ran, of all the goals needed. */
  readonly ran: number;
  readonly total: number;
}

/** Runs steps of package builds in the engine (the same targets and state as a build) and hands their outputs to `use`. */
export type PackageRunner = <R>(configs: readonly PackageBuildConfig[], goals: readonly string[], signal: AbortSignal, use: (run: PackageRun) => Promise<Result<R>>) => Promise<Result<R>>;

/** The lock's sets (changed in place), what it records as changed, its file, and the indexes fetched in this run. */
export interface BuildDepsBook {
  readonly entries: Map<string, LockedBuildDeps>;
  readonly changed: Set<string>;
  readonly file: string;
  readonly indexes: IndexCache;
}

export interface BuildDepsRequest {
  readonly mode: LockMode;
  readonly offline: boolean;
  readonly signal: AbortSignal;
  readonly say: (d: Diagnostic) => void;
  readonly run: PackageRunner;
  /** The configs are all the project's: sets of sources not among them leave the lock. */
  readonly prune: boolean;
}

/**
 * The configs with their build dependencies as the lock pins them (archive packages only: our
 * builds' come from their repositories). In read mode nothing is built: each source takes the
 * set the lock has, unchecked. --locked and --offline refuse a set that is not current.
 */
export async function lockBuildDeps(book: BuildDepsBook, configs: readonly PackageBuildConfig[], r: BuildDepsRequest): Promise<Result<PackageBuildConfig[]>> {
  const pinnable = configs.filter((c) => c.chroot);
  const pinned = new Map<string, readonly LockedPackage[]>();
  const withPins = () => configs.map((c) => (pinned.has(c.name) ? { ...c, buildDeps: pinned.get(c.name)!.map(withoutLine) } : c));
  if (r.mode === 'read') {
    for (const c of pinnable) if (book.entries.has(c.name)) pinned.set(c.name, book.entries.get(c.name)!.packages);
    return ok(withPins());
  }
  if (pinnable.length > 0) {
    // The Build-Depends as our patches leave them: the first, cheap steps of each build.
    const relations = await r.run(configs, pinnable.map((c) => packageStepId(c.name, 'build-depends')), r.signal, async ({ dirs }) => {
      const out = new Map<string, string>();
      for (const c of pinnable) out.set(c.name, await readBuildDepends(dirs.get(packageStepId(c.name, 'build-depends'))!));
      return ok(out);
    });
    if (!relations.ok) return relations;
    for (const c of pinnable) {
      const inputs = buildDepsInputs(c, relations.value.get(c.name)!);
      const entry = book.entries.get(c.name);
      if (entry?.inputs === inputs) {
        pinned.set(c.name, entry.packages);
        continue;
      }
      if (r.mode === 'locked' || r.offline) {
        const flag = r.mode === 'locked' ? '--locked' : '--offline';
        return fail({ message: `${flag}: the build dependencies of ${c.name} are ${entry ? 'locked for another Build-Depends, chroot or profiles' : `not in ${book.file}`}`, ...(c.at && { at: c.at }), hint: `mkimage lock updates the lock${r.offline ? ' while the network is there' : ''}` });
      }
      const resolved = await resolveOne(book, withPins(), c, relations.value.get(c.name)!, r);
      if (!resolved.ok) return fail({ ...resolved.error, ...(c.at && !resolved.error.at && { at: c.at }) });
      const packages = resolved.value;
      const moved = entry ? describeChanges(entry, { packages }) : '';
      book.entries.set(c.name, { inputs, packages });
      book.changed.add(`build-deps ${c.name}`);
      pinned.set(c.name, packages);
      r.say({ message: `${LOCK_FILE}: the build dependencies of ${c.name} ${entry ? `re-locked: ${moved || 'no package moved'}` : `locked: ${packages.length} packages`}` });
    }
  }
  if (r.prune) {
    for (const name of [...book.entries.keys()]) {
      if (configs.some((c) => c.name === name)) continue;
      book.entries.delete(name);
      book.changed.add(`build-deps ${name}`);
    }
  }
  return ok(withPins());
}

/** One source's set: apt on the host, on the locked chroot's status, with the repositories of the builds it is built against. */
async function resolveOne(book: BuildDepsBook, configs: readonly PackageBuildConfig[], c: PackageBuildConfig, relations: string, r: BuildDepsRequest): Promise<Result<LockedPackage[]>> {
  const chroot = builddId(c.suite, c.architecture);
  const goals = [chroot, ...c.after.map((a) => packageStepId(a))];
  const ours = new Set(configs.filter((x) => c.after.includes(x.name)).flatMap((x) => x.source.binaries));
  const components = c.chroot!.components.length > 0 ? c.chroot!.components : ['main'];
  const index = await packagesIndex({ url: c.mirror, suite: c.suite, components, keyring: APT_KEYRING.path }, c.architecture, book.indexes, r.signal);
  if (!index.ok) return index;
  return r.run(configs, goals, r.signal, async ({ dirs }) => {
    const tmp = await mkdtemp(join(tmpdir(), 'mkimage-build-deps-'));
    try {
      const io: StepIo = { signal: r.signal, tmp, output: () => undefined };
      const question = { config: c, relations, status: join(dirs.get(chroot)!, 'var/lib/dpkg/status'), index: index.value, repos: c.after.map((a) => dirs.get(packageStepId(a))!), ours };
      return await resolveBuildDeps(question, io).catch((e: unknown) => {
        if (r.signal.aborted) return fail<Diagnostic>({ message: `interrupted while locking the build dependencies of ${c.name}; ${book.file} is as it was` });
        throw e;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
}
