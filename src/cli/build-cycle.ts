// One build cycle: load the project fresh, resolve the goals (plain targets of the Targetfile
// or images of its profiles, `server-mini.iso`) into one graph, build it, copy the goals'
// outputs out of the store. The build command runs one; watch mode runs one after each edit.

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { build, type BuildResult } from '../core/engine.ts';
import type { BuildFinished, Emit } from '../core/events.ts';
import { TargetGraph } from '../core/graph.ts';
import type { TargetId } from '../core/ids.ts';
import { parseState } from '../core/state.ts';
import { LocalStore } from '../cache/local-store.ts';
import { parseImageTarget, untypedDistro, type ImageTarget } from '../profile/image-targets.ts';
import type { LoadedProject } from '../project/load.ts';
import type { WatchPlanInput } from '../watch/watch-plan.ts';
import { libraryFacts, planImages, type ImagePlan } from './image-goals.ts';
import { localPrebuild, packageRunner } from './local-prebuild.ts';
import type { LockedDistro } from '../archive/lock-file.ts';
import { POOL_DIR } from '../archive/pool.ts';
import type { Library } from '../profile/library.ts';
import type { ImageConfig } from '../image/config.ts';
import { distroFeatures, imageUse, isPackageGoal, packageGoalImages } from './package-goals.ts';
import { missingFromPool, ProjectLock, type LockMode } from './project-lock.ts';
import type { PackageBuildConfig } from '../package/config.ts';
import { buildsNeeded, packageBuildConfigs, sharedBinary } from '../package/plan.ts';
import type { LockedChroot } from '../package/stages/buildd.ts';
import { writeImageRecords } from './image-outputs.ts';
import { outDir as outDirOf, storeRoot as storeRootOf, type Io } from './io.ts';
import type { BuildPicture } from './live-view.ts';
import type { Options } from './options.ts';
import { materialize, type Materialized } from './outputs.ts';
import { openProject } from './project.ts';
import { engineStore } from './store-port.ts';
import { storeSpaceProblem } from './writable.ts';

export interface CycleRequest {
  /** The goals as given: plain target names or images (`server-mini.iso`); none: every sink. */
  readonly goals: readonly string[];
  readonly options: Options;
  /** The environment and the working directory (its out/err are not used: see CycleReport). */
  readonly io: Io;
  readonly jobs: number;
  /** Aborting it interrupts the build (Ctrl-C, or watch mode's abort on an edit). */
  readonly signal: AbortSignal;
  /** How mkimage.lock is used (default: build, or locked with --locked); commands that only look use read. */
  readonly lockMode?: LockMode;
}

/** Where one cycle reports; the caller decides how it is shown. */
export interface CycleReport {
  /** Engine events of the build. */
  readonly emit: Emit;
  /** A diagnostic that does not stop the build (an image's warnings). */
  warning(d: Diagnostic): void;
  /**
   * Watch mode: what the build reads and writes, once the project is loaded and before any
   * target runs; the build waits for it. Left out, no plan is computed.
   */
  planned?(plan: WatchPlanInput): Promise<void>;
  /** The build about to run (the live UI draws it); the build waits for it. */
  starting?(picture: BuildPicture): Promise<void>;
  /** The goals' outputs, once copied out of the store. */
  written(outputs: readonly Materialized[]): void;
}

export type CycleOutcome =
  /** The profile does not load, or the goals are not in it: nothing was built. */
  | { readonly kind: 'invalid'; readonly code: 2; readonly error: Diagnostic }
  /** The build ran: 0 every goal built, 1 a target failed, 130 interrupted (no result if before it started). */
  | { readonly kind: 'built'; readonly code: 0 | 1 | 130; readonly result?: BuildResult }
  /**
   * A place the run must write cannot take it (a full disk, a read-only out/): the store,
   * before the build (no result), or out/, after it. The run failed; the outputs of the last
   * good run are left in place.
   */
  | { readonly kind: 'unwritable'; readonly code: 1; readonly error: Diagnostic; readonly result?: BuildResult };

/** One build: loads the project fresh, resolves the goals, builds them, copies the outputs out. */
export async function buildCycle(request: CycleRequest, report: CycleReport): Promise<CycleOutcome> {
  const { options, io, signal } = request;
  const prepared = await prepare(request, report.warning, report.emit);
  if (!prepared.ok) return { kind: 'invalid', code: 2, error: prepared.error };
  const { loaded, storeRoot, graph, goals, images } = prepared.value;
  const outDir = outDirOf(options, io, loaded.root);
  if (report.planned) await report.planned(watchPlan(prepared.value, outDir));
  if (signal.aborted) return { kind: 'built', code: 130 };

  const full = await storeSpaceProblem(storeRoot);
  if (full) return { kind: 'unwritable', code: 1, error: full };
  const store = await LocalStore.open(storeRoot);
  try {
    const key = stateKey(loaded);
    const previous = parseState(store.readState(key));
    const release = await store.acquireShared(signal).catch((err: unknown) => {
      if (signal.aborted) return undefined;
      throw err;
    });
    if (!release) return { kind: 'built', code: 130 };
    const port = engineStore(store);
    const verdict = holdVerdict(report.emit);
    try {
      if (report.starting) await report.starting({ graph, goals, previous });
      const result = await build({
        graph,
        goals,
        root: loaded.root,
        previous,
        env: io.env,
        alwaysMake: options['always-make'] ?? false,
        store: port,
        logsDir: join(store.logsDir, key),
        jobs: request.jobs,
        keepGoing: options['keep-going'] ?? false,
        emit: verdict.emit,
        signal,
      });
      if (result.stateChanged) store.writeState(key, result.state);
      if (result.interrupted) return { kind: 'built', code: 130, result };
      const imageGoals = new Set(images?.goals.map((g) => g.goal));
      const built = goals.filter((g) => result.outcomes.get(g)?.digest);
      const written = await materialize(
        store,
        outDir,
        built.map((g) => ({ goal: g, digest: result.outcomes.get(g)!.digest!, layout: imageGoals.has(g) ? ('files' as const) : ('dir' as const) })),
      );
      if (!written.ok) return { kind: 'unwritable', code: 1, error: written.error, result };
      const profilePaths = [loaded.file, ...prepared.value.profileDirs];
      const recorded = images ? await writeImageRecords({ readPath: port.readPath, outDir, images, result, previous: result.state, written: written.value, projectRoot: loaded.root, profilePaths, storeRoot }) : ok(undefined);
      if (!recorded.ok) return { kind: 'unwritable', code: 1, error: recorded.error, result };
      // The outputs first, then the verdict: a JSON reader has every path when build-finished comes.
      report.written(written.value);
      verdict.release(true);
      return { kind: 'built', code: result.ok ? 0 : 1, result };
    } finally {
      verdict.release(false);
      await port.dispose();
      await release();
    }
  } finally {
    await store.dispose();
  }
}

/**
 * Passes the engine's events on but holds back its build-finished until the outputs are out
 * of the store, so that the verdict (`build ok` of the plain logger, the live UI's summary)
 * covers them: a run whose outputs could not be written is not ok. Released once; released
 * with false (the outputs failed, or something threw), the verdict says not ok.
 */
function holdVerdict(emit: Emit): { readonly emit: Emit; release(outputsWritten: boolean): void } {
  let held: BuildFinished | undefined;
  let released = false;
  return {
    emit: (e) => {
      if (e.type === 'build-finished' && !released) held = e;
      else emit(e);
    },
    release(outputsWritten) {
      if (released) return;
      released = true;
      if (held) emit(outputsWritten ? held : { ...held, ok: false });
    },
  };
}

export interface Prepared {
  readonly loaded: LoadedProject;
  /** Every module the profile library was read from (conf.d/, features/ and their imports). */
  readonly libraryFiles: readonly string[];
  /** conf.d/ and features/, when the Targetfile declares profiles(). */
  readonly profileDirs: readonly string[];
  readonly storeRoot: string;
  readonly graph: TargetGraph;
  readonly goals: readonly TargetId[];
  readonly images?: ImagePlan;
}

/** Loads the project fresh and resolves the goals into one graph. */
/** `emit`: told the engine events of package steps built before the lock is written (what the lock of a local source or of build dependencies needs). */
export async function prepare(request: CycleRequest, warning: (d: Diagnostic) => void, emit?: Emit): Promise<Result<Prepared>> {
  const { options, io } = request;
  const project = await openProject(options, io);
  if (!project.ok) return project;
  const { loaded, library } = project.value;
  const storeRoot = storeRootOf(options, io);

  // Sort the goals: plain targets, images of the profiles, or package builds.
  const plainGoals: TargetId[] = [];
  const imageNames: ImageTarget[] = [];
  const packageGoals: TargetId[] = [];
  for (const name of request.goals) {
    if (isPackageGoal(library, name) && !project.value.graph.has(name)) {
      packageGoals.push(name as TargetId);
      continue;
    }
    const image = library && !project.value.graph.has(name) ? parseImageTarget(library, name) : undefined;
    if (image && !image.ok) return image;
    if (image) {
      imageNames.push(image.value);
      continue;
    }
    const goal = project.value.graph.goal(name);
    if (!goal.ok) return fail((library && untypedDistro(library, name)) || goal.error);
    plainGoals.push(goal.value);
  }
  if (request.goals.length === 0) plainGoals.push(...project.value.graph.sinks());
  // A package build is planned with an image that takes it; that image is not a goal.
  const lock = packageGoals.length > 0 ? ProjectLock.read(loaded.root, options.mirror) : undefined;
  if (lock && !lock.ok) return lock;
  const takers = lock ? packageGoalImages(library!, lock.value, packageGoals) : ok([]);
  if (!takers.ok) return takers;
  const planFor = [...imageNames, ...takers.value.filter((t) => !imageNames.some((i) => i.name === t.name))];
  let images: ImagePlan | undefined;
  if (planFor.length > 0) {
    const planned = await planLockedImages(request, library!, planFor, loaded, storeRoot, warning, emit);
    if (!planned.ok) return planned;
    images = { ...planned.value, goals: planned.value.goals.filter((g) => imageNames.some((i) => i.name === g.target.name)) };
    for (const w of images.warnings) warning(w);
    const missing = packageGoals.find((g) => !images!.specs.some((s) => s.id === g));
    if (missing) return fail({ message: `${missing}: the image that takes it was planned without it`, hint: 'mkimage lock, then build again' });
  }
  const graph = images ? TargetGraph.build([...project.value.specs, ...images.specs]) : ok(project.value.graph);
  if (!graph.ok) return fail(graph.error);
  return ok({
    loaded,
    libraryFiles: library?.files ?? [],
    profileDirs: loaded.profiles ? [resolve(loaded.root, loaded.profiles.distros), resolve(loaded.root, loaded.profiles.features)] : [],
    storeRoot,
    graph: graph.value,
    goals: [...plainGoals, ...(images?.goals.map((g) => g.goal) ?? []), ...packageGoals],
    ...(images && { images }),
  });
}

/**
 * The images planned with the project's lock: each distro's current entry, or one resolved now
 * (and the lock written) unless --locked or a command that only looks. --offline: every
 * locked file must be in the pool, and no hook may want the network.
 */
async function planLockedImages(request: CycleRequest, library: Library, targets: readonly ImageTarget[], loaded: LoadedProject, storeRoot: string, warning: (d: Diagnostic) => void, emit?: Emit): Promise<Result<ImagePlan>> {
  const { options, io } = request;
  const lock = ProjectLock.read(loaded.root, options.mirror);
  if (!lock.ok) return lock;
  const mode: LockMode = request.lockMode ?? (options.locked ? 'locked' : 'build');
  const context = { root: loaded.root, stateKey: stateKey(loaded), storeRoot, env: io.env, jobs: request.jobs, sourceDateEpoch: libraryFacts(library, io.env).sourceDateEpoch, say: warning, offline: options.offline ?? false, ...(emit && { emit }) };
  const run = packageRunner(context);
  lock.value.useLocalSources(library.packages, mode === 'read' ? undefined : { build: localPrebuild(context, run), run, say: warning });
  const offline = options.offline ?? false;
  const entries = new Map<string, Promise<Result<LockedDistro | undefined>>>();
  const plan = (lockFor: (config: ImageConfig) => Promise<Result<LockedDistro | undefined>>, packages?: readonly PackageBuildConfig[]) =>
    planImages(library, targets, io.env, storeRoot, { ...(options.mirror && { mirror: options.mirror }), offline, lockFor, ...(packages && { packages }) });
  let planned = await plan((config) => {
    if (!entries.has(config.name)) entries.set(config.name, lock.value.forBuild(config, mode, offline, request.signal, warning));
    return entries.get(config.name)!;
  });
  if (!planned.ok) return planned;
  const builds = await lockedBuilds(lock.value, library, planned.value, mode, offline, request.signal, warning);
  if (!builds.ok) return builds;
  const saved = lock.value.save();
  if (!saved.ok) return saved;
  // Planned again with the entries as written, each package knowing its line of the file, and the builds the images take.
  let packages = builds.value && packageBuildConfigs({ ...builds.value, builds: library.packages, locked: lock.value.builds, sourceDateEpoch: planned.value.facts.sourceDateEpoch });
  if (packages) {
    const shared = sharedBinary(packages);
    if (shared) {
      const at = library.packages.get(shared.second.build)?.decl.at;
      return fail({ message: `${shared.binary} is built by two package builds: ${shared.first.name} (of ${shared.first.build}) and ${shared.second.name} (of ${shared.second.build})`, ...(at && { at }), hint: 'an image can take a binary from one build only: drop one, or give one build profiles that leave the binary out' });
    }
    // The build dependencies of those the images need, as the lock pins them (locked now where they are not).
    const all = packages;
    const needed = new Set(planned.value.goals.flatMap((g) => (g.config.locked ? [...buildsNeeded(imageUse(library, g.config.name, g.config.locked), all).needed] : [])));
    const pinned = await lock.value.forBuildDeps(all.filter((c) => needed.has(c.name)), mode, offline, request.signal, warning, run);
    if (!pinned.ok) return pinned;
    packages = all.map((c) => pinned.value.find((x) => x.name === c.name) ?? c);
    const again = lock.value.save();
    if (!again.ok) return again;
  }
  if (saved.value || packages) planned = await plan(async (config) => ok(await lock.value.current(config)), packages);
  if (!planned.ok) return planned;
  if (offline) {
    const hook = planned.value.goals.flatMap((g) => g.config.hooks).find((h) => h.network);
    if (hook) return fail({ message: `--offline, and the hook ${hook.path} wants the network`, hint: 'build without --offline, or give the hook what it fetches in its feature' });
    // The images' packages, and what the package builds install on their chroot.
    const locked = [...planned.value.goals.flatMap((g) => g.config.locked?.packages ?? []), ...(packages ?? []).flatMap((c) => c.buildDeps ?? [])];
    const missing = [...new Map(missingFromPool(join(storeRoot, POOL_DIR), locked).map((p) => [p.sha256, p])).values()];
    if (missing.length > 0) {
      return fail({ message: `--offline, and the pool lacks ${missing.length} locked package${missing.length === 1 ? '' : 's'}: ${missing.map((p) => `${p.name} ${p.version}`).join(', ')}`, hint: 'mkimage fetch fills it while the network is there' });
    }
  }
  return planned;
}

/**
 * The lock entries of the project's package builds, for the suite and mirror of the images
 * planned (their lock entries say which binaries they install). Undefined: no builds declared,
 * or no image planned with a lock entry.
 */
async function lockedBuilds(lock: ProjectLock, library: Library, planned: ImagePlan, mode: LockMode, offline: boolean, signal: AbortSignal, warning: (d: Diagnostic) => void): Promise<Result<{ suite: string; mirror: string; chroot?: LockedChroot } | undefined>> {
  const first = planned.goals.find((g) => g.config.locked)?.config;
  const target = first && lock.buildTarget(first);
  if (library.packages.size === 0 || !target) return ok(undefined);
  const resolved = await lock.forBuilds(library.packages, target, distroFeatures(library, target.distros.keys()), mode, offline, signal, warning);
  if (!resolved.ok) return resolved;
  const chroot = await lock.forChroot(target, mode, offline, signal, warning);
  if (!chroot.ok) return chroot;
  return ok({ suite: target.suite, mirror: target.mirror, ...(chroot.value && { chroot: { ...chroot.value, components: target.components } }) });
}

/** The state of a project is keyed by its Targetfile's path: two checkouts keep their own. */
export const stateKey = (loaded: LoadedProject) => createHash('sha256').update(loaded.file).digest('hex').slice(0, 16);

function watchPlan(p: Prepared, outDir: string): WatchPlanInput {
  return {
    root: p.loaded.root,
    modules: [p.loaded.file, ...p.loaded.modules, ...p.libraryFiles],
    profileDirs: p.profileDirs,
    targets: p.graph.closure(p.goals).map((id) => p.graph.spec(id)),
    ignored: [outDir, p.storeRoot],
  };
}
