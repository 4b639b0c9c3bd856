// The project's mkimage.lock as builds and commands use it: read once (an error at file:line
// when it does not parse), each distro's entry checked against the config it must pin (the
// inputs digest), and, for a build, a missing or stale entry resolved again: the packages the
// lock held stay pinned where the archive still has them, so only what the edit needs moves,
// and the build says what moved. With --locked a missing or stale entry is an error naming
// what the profile asks for that the lock lacks, and where; with --offline it cannot be
// resolved (no network) and is an error too. The file is written once, whole, at the end.

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLock, LOCK_FILE, parseLockFile, type Lock, type LockedDistro, type LockedPackage } from '../archive/lock-file.ts';
import type { LockedBuild, LockedBuilds } from '../archive/lock-builds.ts';
import type { LockedBuildDeps, LockedBuildDepsMap } from '../archive/lock-build-deps.ts';
import { buildInputs, newIndexCache, resolveBuild, type BuildTarget } from '../package/lock-build.ts';
import { lockBuildDeps, type PackageRunner } from './build-deps-lock.ts';
import { describeChanges, type LockMode } from './lock-terms.ts';
import type { PackageBuildConfig } from '../package/config.ts';
import type { PackageBuild } from '../profile/package-decls.ts';
import { packageName } from '../archive/package-name.ts';
import { PackagePool } from '../archive/pool.ts';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { RecipeFailure } from '../core/target.ts';
import type { ImageConfig } from '../image/config.ts';
import { firstMirror, lockInputs, resolveDistroLock, type LocalRepo, type LockConfig, type ResolveOptions } from '../image/lock-resolve.ts';
import type { SuiteIndex } from '../archive/suite-index.ts';
import type { StepIo } from '../image/step-io.ts';
import type { LockedChroot } from '../package/stages/buildd.ts';
import { writeFailure, writeFileAtomically } from './writable.ts';

const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/** What a build chroot is made for: a suite and architecture, from a mirror. */
export interface ChrootTarget {
  readonly suite: string;
  readonly architecture: string;
  readonly mirror: string;
  readonly components: readonly string[];
}

export const chrootKey = (t: Pick<ChrootTarget, 'suite' | 'architecture'>): string => `${t.suite}-${t.architecture}`;

/** mmdebstrap --variant=buildd as a lock resolves it: the variant's set, nothing added. */
const chrootLockConfig = (t: ChrootTarget): LockConfig => ({
  suite: t.suite,
  variant: 'buildd',
  architecture: t.architecture as LockConfig['architecture'],
  components: t.components,
  basePackages: [],
  packages: [],
  mirrors: [t.mirror],
  sourceDateEpoch: 0,
});

/**
 * Builds the local sources an image installs, before its lock is resolved (what their binaries
 * depend on is known once they are built), and gives their repositories' indexes; `pin` locks
 * their build dependencies first.
 */
export type LocalPrebuild = (
  builds: readonly PackageBuild[],
  target: { readonly suite: string; readonly mirror: string; readonly chroot: LockedChroot },
  signal: AbortSignal,
  pin: (configs: readonly PackageBuildConfig[]) => Promise<Result<PackageBuildConfig[]>>,
) => Promise<Result<LocalRepo[]>>;

export { describeChanges, packageChanges, type LockMode, type PackageChange } from './lock-terms.ts';

export class ProjectLock {
  #entries: Map<string, LockedDistro>;
  #builds: Map<string, LockedBuild>;
  #chroots: Map<string, LockedDistro>;
  #buildDeps: Map<string, LockedBuildDeps>;
  #changed = new Set<string>();
  readonly #local = new Map<string, PackageBuild>();
  #prebuild: LocalPrebuild | undefined;
  #run: PackageRunner | undefined;
  #say: (d: Diagnostic) => void = () => undefined;
  readonly #indexCache = new Map<string, Promise<Result<SuiteIndex>>>();
  readonly #buildIndexes = newIndexCache();

  private constructor(
    /** The lock file's path (beside the Targetfile), whether or not it exists. */
    readonly file: string,
    lock: Lock,
    builds: LockedBuilds,
    chroots: Lock,
    buildDeps: LockedBuildDepsMap,
    readonly exists: boolean,
    /** `--mirror`: resolve against this mirror (the entry still records the profile's inputs). */
    readonly mirror?: string,
  ) {
    this.#entries = new Map(lock);
    this.#builds = new Map(builds);
    this.#chroots = new Map(chroots);
    this.#buildDeps = new Map(buildDeps);
  }

  static read(projectRoot: string, mirror?: string): Result<ProjectLock> {
    const file = join(projectRoot, LOCK_FILE);
    if (!existsSync(file)) return ok(new ProjectLock(file, new Map(), new Map(), new Map(), new Map(), false, mirror));
    const parsed = parseLockFile(readFileSync(file, 'utf8'), file);
    return parsed.ok ? ok(new ProjectLock(file, parsed.value.distros, parsed.value.builds, parsed.value.chroots, parsed.value.buildDeps, true, mirror)) : parsed;
  }

  get builds(): LockedBuilds {
    return this.#builds;
  }

  /**
   * The project's local sources (localSource): an image that installs one of their binaries is
   * locked with what they depend on, so its entry's inputs include their debian/control, and
   * resolving it needs them built first (`prebuild`; without it such an entry is not resolved).
   */
  useLocalSources(builds: ReadonlyMap<string, PackageBuild>, prebuild?: { readonly build: LocalPrebuild; readonly run: PackageRunner; readonly say: (d: Diagnostic) => void }): this {
    for (const [name, b] of builds) if (b.local) this.#local.set(name, b);
    this.#prebuild = prebuild?.build;
    this.#run = prebuild?.run;
    if (prebuild) this.#say = prebuild.say;
    return this;
  }

  /** The local sources whose binaries the config asks for. */
  #localOf(config: ImageConfig): PackageBuild[] {
    const asked = new Set([...config.basePackages, ...config.packages].map(packageName));
    return [...this.#local.values()].filter((b) => b.local!.binaries.some((x) => asked.has(x)));
  }

  #withLocal<C extends ImageConfig>(config: C): C & { local: Array<{ build: string; relations: string }> } {
    return { ...config, local: this.#localOf(config).map((b) => ({ build: b.decl.source, relations: b.local!.relations })) };
  }

  /** The local sources' repositories for resolving the config (built now, or found built in the store). */
  async #localRepos(config: ImageConfig, from: ImageConfig, signal: AbortSignal): Promise<Result<LocalRepo[]>> {
    const locals = this.#localOf(config);
    if (locals.length === 0) return ok([]);
    const base = new Set(config.basePackages.map(packageName));
    const inBase = locals.flatMap((b) => b.local!.binaries).find((x) => base.has(x));
    if (inBase) {
      const origin = config.packageOrigins?.[inBase];
      return fail({ message: `${config.name} asks for ${inBase}, a binary of a local source, in its bootstrap${origin ? ` (at ${origin})` : ''}`, hint: 'local sources are installed by the packages stage: add it with add(PACKAGES, ...)' });
    }
    const names = locals.map((b) => b.decl.source).join(', ');
    if (!this.#prebuild) return fail({ message: `${config.name} installs the local source ${names}: its lock is resolved once that is built`, hint: `mkimage lock ${config.name}, or a build of the image, builds it first` });
    const mirror = (await firstMirror(from)) ?? DEBIAN_MIRROR;
    // On the chroot the lock pins, as the image's build will have it.
    const target = { suite: config.suite, architecture: config.architecture, mirror, components: config.components };
    const chroot = await this.forChroot(target, 'build', false, signal, this.#say);
    if (!chroot.ok || !chroot.value) return chroot.ok ? fail({ message: `the build chroot ${chrootKey(target)} could not be locked` }) : chroot;
    const run = this.#run!;
    return this.#prebuild(locals, { suite: config.suite, mirror, chroot: { ...chroot.value, components: config.components } }, signal, (configs) => this.forBuildDeps(configs, 'build', false, signal, this.#say, run));
  }

  /**
   * What the project's package builds are built for, from a locked distro: its suite, the
   * mirror it was locked from, and every locked distro of that suite (the images whose
   * packages decide the dependents). Undefined while the distro is not locked.
   */
  buildTarget(config: ImageConfig): BuildTarget | undefined {
    const entry = this.#entries.get(config.name);
    if (!entry) return undefined;
    const mirror = entry.sources[0]?.mirror ?? config.mirrors[0] ?? DEBIAN_MIRROR;
    const distros = new Map([...this.#entries].filter(([, e]) => e.sources.some((s) => s.suite === config.suite)));
    return { suite: config.suite, mirror, components: config.components, architecture: config.architecture, distros };
  }

  /**
   * The entries of the project's package builds for images of `target`: each current one, or
   * (mode build) one resolved now; builds no longer declared leave the lock. In read mode
   * what is not current is left out. A build is resolved for the locked distros whose profile
   * has its feature (`features`: each distro's): their packages decide its dependents; one no
   * locked distro takes is left as it is.
   */
  async forBuilds(declared: ReadonlyMap<string, PackageBuild>, target: BuildTarget, features: ReadonlyMap<string, ReadonlySet<string>>, mode: LockMode, offline: boolean, signal: AbortSignal, say: (d: Diagnostic) => void): Promise<Result<LockedBuilds>> {
    const out = new Map<string, LockedBuild>();
    for (const [name, build] of [...declared].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      // A local source has nothing to lock: its files are the project's.
      if (build.local) continue;
      const takers = { ...target, distros: new Map([...target.distros].filter(([distro]) => features.get(distro)?.has(build.feature))) };
      // No locked image takes it (yet): nothing to build, and its entry, if any, stays as it was.
      if (takers.distros.size === 0) continue;
      const entry = this.#builds.get(name);
      if (entry && entry.inputs === buildInputs(build, takers)) {
        out.set(name, entry);
        continue;
      }
      if (mode === 'read') continue;
      const where = build.decl.at;
      if (mode === 'locked' || offline) {
        return fail({ message: `${mode === 'locked' ? '--locked' : '--offline'}: the package build ${name} is ${entry ? 'locked for other inputs than the profile has now' : `not in ${this.file}`}`, ...(where && { at: where }), hint: `mkimage lock updates the lock${offline ? ' while the network is there' : ''}` });
      }
      const resolved = await resolveBuild(build, takers, this.#buildIndexes, signal);
      if (signal.aborted) return fail({ message: `interrupted while locking the package build ${name}; ${this.file} is as it was` });
      if (!resolved.ok) return resolved;
      for (const note of resolved.value.notes) say({ message: `package ${name}: ${note}`, ...(where && { at: where }) });
      const sources = resolved.value.entry.sources;
      say({ message: `${LOCK_FILE}: package build ${name} locked: ${sources.map((s) => `${s.name} ${s.version} (${s.suite})`).join(', ')}` });
      out.set(name, resolved.value.entry);
      this.#builds.set(name, resolved.value.entry);
      this.#changed.add(`build ${name}`);
    }
    if (mode === 'build') {
      for (const name of [...this.#builds.keys()]) {
        if (declared.has(name)) continue;
        this.#builds.delete(name);
        this.#changed.add(`build ${name}`);
      }
    }
    return ok(out);
  }

  get buildDeps(): LockedBuildDepsMap {
    return this.#buildDeps;
  }

  /**
   * The package builds' configs with their build dependencies as the lock pins them, locked
   * now where they are not current (build-deps-lock.ts).
   */
  forBuildDeps(configs: readonly PackageBuildConfig[], mode: LockMode, offline: boolean, signal: AbortSignal, say: (d: Diagnostic) => void, run: PackageRunner, prune = false): Promise<Result<PackageBuildConfig[]>> {
    return lockBuildDeps({ entries: this.#buildDeps, changed: this.#changed, file: this.file, indexes: this.#buildIndexes }, configs, { mode, offline, signal, say, run, prune });
  }

  /** The build chroots' entries, by suite and architecture (`bookworm-amd64`). */
  get chroots(): ReadonlyMap<string, LockedDistro> {
    return this.#chroots;
  }

  get entries(): ReadonlyMap<string, LockedDistro> {
    return this.#entries;
  }

  /** The entry of the config's distro if it was resolved for exactly these inputs. */
  async current(config: ImageConfig): Promise<LockedDistro | undefined> {
    const entry = this.#entries.get(config.name);
    return entry && entry.inputs === (await inputsOf(this.#withLocal(config))) ? entry : undefined;
  }

  /**
   * The entry a build of this config uses: the current one, or (mode build) one resolved now;
   * undefined only in read mode. `say` is told what a re-lock moved.
   */
  async forBuild(config: ImageConfig, mode: LockMode, offline: boolean, signal: AbortSignal, say: (d: Diagnostic) => void): Promise<Result<LockedDistro | undefined>> {
    const entry = this.#entries.get(config.name);
    const current = await this.current(config);
    if (current || mode === 'read') return ok(current);
    if (mode === 'locked') return fail(notLocked(this.file, config, entry));
    if (offline) {
      return fail({ message: `${config.name} ${entry ? 'was locked for other inputs than the profile has now' : `is not in ${this.file}`}, and --offline cannot resolve it`, hint: `mkimage lock ${config.name} while the network is there` });
    }
    const asked = [...config.basePackages, ...config.packages].map(packageName);
    const held = new Set([...(entry?.packages ?? []), ...(entry?.local ?? [])].map((p) => p.name));
    const resolved = await this.resolve(config, signal, entry ? { keep: entry.packages, move: asked.filter((n) => !held.has(n)) } : {});
    if (!resolved.ok) return resolved;
    say({ message: `${LOCK_FILE}: ${entry ? `${config.name} re-locked for its changed inputs: ${describeChanges(entry, resolved.value) || 'no package moved'}` : `${config.name} locked: ${resolved.value.packages.length} packages`}` });
    return ok(resolved.value);
  }

  /** Resolves the config against the archive (indexes fetched once per run) and, unless told not to, records the entry. */
  async resolve(config: ImageConfig, signal: AbortSignal, options: ResolveOptions = {}, record = true): Promise<Result<LockedDistro>> {
    const from = this.mirror ? { ...config, mirrors: [this.mirror] } : config;
    const local = await this.#localRepos(config, from, signal);
    if (signal.aborted) return fail({ message: `interrupted while locking ${config.name}; ${this.file} is as it was` });
    if (!local.ok) return local;
    const resolved = await this.#resolving(config.name, signal, (io) => resolveDistroLock(this.#withLocal(from), io, { ...options, indexCache: this.#indexCache, local: local.value }));
    if (!resolved.ok) return resolved;
    const entry = this.mirror ? { ...resolved.value, inputs: await inputsOf(this.#withLocal(config)) } : resolved.value;
    if (record) this.set(config.name, entry);
    return ok(entry);
  }

  /**
   * The build chroot of the package builds for a suite (mmdebstrap --variant=buildd), pinned
   * like a distro's bootstrap: the current entry, or (mode build) one resolved now, keeping
   * what the old entry held where the archive still has it. Undefined in read mode when not current.
   */
  async forChroot(target: ChrootTarget, mode: LockMode, offline: boolean, signal: AbortSignal, say: (d: Diagnostic) => void, update = false): Promise<Result<LockedDistro | undefined>> {
    const key = chrootKey(target);
    const config = chrootLockConfig(target);
    const entry = this.#chroots.get(key);
    if (!update && entry && entry.inputs === (await inputsOf(config))) return ok(entry);
    if (mode === 'read') return ok(undefined);
    if (mode === 'locked' || offline) {
      return fail({ message: `${mode === 'locked' ? '--locked' : '--offline'}: the build chroot ${key} is ${entry ? 'locked for another mirror or components' : `not in ${this.file}`}`, hint: `mkimage lock updates the lock${offline ? ' while the network is there' : ''}` });
    }
    const resolved = await this.#resolving(`the build chroot ${key}`, signal, (io) => resolveDistroLock(config, io, { indexCache: this.#indexCache, ...(entry && !update && { keep: entry.packages, move: [] }) }));
    if (!resolved.ok) return resolved;
    if (entry && formatLock(new Map(), new Map(), new Map([[key, entry]])) === formatLock(new Map(), new Map(), new Map([[key, resolved.value]]))) return ok(entry);
    this.#chroots.set(key, resolved.value);
    this.#changed.add(`buildd ${key}`);
    say({ message: `${LOCK_FILE}: build chroot ${key} ${entry ? `re-locked: ${describeChanges(entry, resolved.value) || 'no package moved'}` : `locked: ${resolved.value.packages.length} packages`}` });
    return ok(resolved.value);
  }

  /** Runs a resolution in a temporary directory: an interrupt or apt's refusal is one line naming `what`; nothing is recorded. */
  async #resolving(what: string, signal: AbortSignal, resolve: (io: StepIo) => Promise<Result<LockedDistro>>): Promise<Result<LockedDistro>> {
    const tmp = await mkdtemp(join(tmpdir(), 'mkimage-lock-'));
    let tail = '';
    const interrupted = () => fail<Diagnostic>({ message: `interrupted while locking ${what}; ${this.file} is as it was` });
    try {
      const io: StepIo = { signal, tmp, output: (_: 'stdout' | 'stderr', text: string) => void (tail = (tail + text).slice(-4000)) };
      const resolved = await resolve(io).catch((e: unknown) => {
        // Interrupted: nothing was recorded, and the lock file is written only at the end.
        if (signal.aborted) return interrupted();
        if (e instanceof RecipeFailure) return fail<Diagnostic>({ message: e.message, ...(e.details.hint && { hint: e.details.hint }) });
        throw e;
      });
      if (signal.aborted) return interrupted();
      if (!resolved.ok) {
        const said = tail.split('\n').filter((l) => /^E: |unmet|Depends:/.test(l)).slice(0, 3).join(' ');
        return fail({ ...resolved.error, message: `locking ${what}: ${resolved.error.message}${said ? ` (apt: ${said})` : ''}` });
      }
      return resolved;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  set(distro: string, entry: LockedDistro): void {
    const old = this.#entries.get(distro);
    if (old && formatLock(new Map([[distro, old]])) === formatLock(new Map([[distro, entry]]))) return;
    this.#entries.set(distro, entry);
    this.#changed.add(distro);
  }

  get changed(): boolean {
    return this.#changed.size > 0;
  }

  /** Writes the file whole (other distros' entries as they were) if anything changed. */
  save(): Result<boolean> {
    if (!this.changed) return ok(false);
    const text = formatLock(this.#entries, this.#builds, this.#chroots, this.#buildDeps);
    try {
      writeFileAtomically(this.file, text);
    } catch (e) {
      const why = writeFailure(e);
      if (!why) throw e;
      return fail({ message: `${this.file}: cannot write the lock: ${why.words}`, hint: 'the build did not start; the old lock is as it was' });
    }
    this.#changed.clear();
    // Read back, so that every entry knows its line (what manifests point to).
    const back = parseLockFile(text, this.file);
    if (back.ok) {
      this.#entries = new Map(back.value.distros);
      this.#builds = new Map(back.value.builds);
      this.#chroots = new Map(back.value.chroots);
      this.#buildDeps = new Map(back.value.buildDeps);
    }
    return ok(true);
  }
}

/** The pool's files that a set of locked packages lacks. */
export function missingFromPool(poolDir: string, packages: readonly LockedPackage[]): LockedPackage[] {
  const pool = new PackagePool(poolDir);
  return packages.filter((p) => !pool.has(p));
}

/** The lock inputs of a config, as a Result-free string (host sources that cannot be read count as none). */
async function inputsOf(config: LockConfig): Promise<string> {
  return lockInputs(config).catch((e: unknown) => {
    if (e instanceof RecipeFailure) return '';
    throw e;
  });
}

/** --locked and an entry that does not hold what the profile asks for: the first such package and the mixin that asked. */
function notLocked(file: string, config: ImageConfig, entry: LockedDistro | undefined): Diagnostic {
  const hint = `mkimage lock ${config.name} updates the lock; commit it`;
  if (!entry) return { message: `--locked: ${file} holds no entry for ${config.name}`, hint };
  const held = new Set([...entry.packages, ...(entry.local ?? [])].map((p) => p.name));
  const wanted = [...config.basePackages, ...config.packages].map(packageName);
  const missing = wanted.find((n) => !held.has(n));
  if (missing) {
    const origin = config.packageOrigins?.[missing];
    return { message: `--locked: ${config.name} asks for ${missing}${origin ? ` (at ${origin})` : ''}, which ${file} does not hold`, hint };
  }
  return { message: `--locked: ${config.name} was locked for other inputs (suite, mirrors, components or package lists) than the profile has now`, hint };
}
