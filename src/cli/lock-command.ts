// `mkimage lock [DISTRO...]`: pin every package of the distros (all buildable ones by
// default) in mkimage.lock, keeping what was pinned where the archive still has it.
// `--update [PKG...]`: move everything to the archive's newest, or only the named packages
// (and, where apt needs it, what they depend on), leaving the rest pinned.
// `--check`: resolve afresh and list what moved, old -> new, with the images it is in; exit 1
// when anything did. Writes nothing.
// `mkimage fetch [DISTRO...]`: every locked file into the pool, checked against the lock.

import { PackagePool, POOL_DIR } from '../archive/pool.ts';
import { poolSource } from '../package/source-pool.ts';
import { fail, formatDiagnostic, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import { RecipeFailure } from '../core/target.ts';
import type { ImageConfig } from '../image/config.ts';
import { imageConfig } from '../image/from-profile.ts';
import { fillPool } from '../image/locked-install.ts';
import { imageTypesOf } from '../profile/image-targets.ts';
import type { Library } from '../profile/library.ts';
import { resolveDistro } from '../profile/resolve.ts';
import { formatBytes, formatMs } from '../ui/format.ts';
import { printDiagnostic, storeRoot, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { openProject, requireLibrary } from './project.ts';
import type { PackageRunner } from './build-deps-lock.ts';
import { describeChanges, missingFromPool, packageChanges, ProjectLock } from './project-lock.ts';
import { distroFeatures } from './package-goals.ts';
import { join } from 'node:path';
import { stateKey } from './build-cycle.ts';
import { libraryFacts } from './image-goals.ts';
import { localPrebuild, packageRunner } from './local-prebuild.ts';
import { packageBuildConfigs } from '../package/plan.ts';

interface Locking {
  readonly library: Library;
  readonly lock: ProjectLock;
  /** The distros asked for, with their configs. */
  readonly configs: readonly ImageConfig[];
  /** With --update: the packages named. */
  readonly packages: readonly string[];
  /** Runs steps of package builds (what locking their build dependencies needs), and the images' SOURCE_DATE_EPOCH. */
  readonly run: PackageRunner;
  readonly sourceDateEpoch: number;
}

export async function lockCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  if (options.check && options.update) {
    io.err('mkimage: lock --check changes nothing and --update changes the lock: give one of them');
    return 2;
  }
  const opened = await open(args, options, io, options.update ? 'update' : options.check ? 'check' : 'lock');
  if (!opened.ok) {
    printDiagnostic(io, opened.error);
    return 2;
  }
  return options.check ? check(opened.value, io) : update(opened.value, options, io);
}

/** Moves the lock on (or creates it) and writes it. */
async function update(l: Locking, options: Options, io: Io): Promise<ExitCode> {
  const started = Date.now();
  for (const config of l.configs) {
    const old = l.lock.entries.get(config.name);
    const mine = l.packages.filter((p) => old?.packages.some((x) => x.name === p));
    if (l.packages.length > 0 && mine.length === 0) continue;
    // Plain lock: everything stays; --update: nothing does; --update PKG: all but PKG.
    const resolveOptions = !old || (options.update && l.packages.length === 0) ? {} : { keep: old.packages, move: mine };
    const resolved = await l.lock.resolve(config, io.signal, resolveOptions);
    if (!resolved.ok) {
      printDiagnostic(io, resolved.error);
      return 1;
    }
    const moved = old ? describeChanges(old, resolved.value) : '';
    io.out(`${config.name}: ${resolved.value.packages.length} packages${old ? (moved ? `; ${moved}` : '; nothing moved') : ', locked'}`);
  }
  // The package builds, for the images just locked (their packages decide the dependents).
  const target = l.configs.map((c) => l.lock.buildTarget(c)).find((t) => t !== undefined);
  if (l.library.packages.size > 0 && target) {
    const say = (d: Diagnostic) => io.out(formatDiagnostic(d));
    const builds = await l.lock.forBuilds(l.library.packages, target, distroFeatures(l.library, target.distros.keys()), 'build', false, io.signal, say);
    // Their build chroot: --update without names moves it to the archive's newest too.
    const chroot = builds.ok ? await l.lock.forChroot(target, 'build', false, io.signal, say, options.update === true && l.packages.length === 0) : builds;
    if (!chroot.ok) {
      printDiagnostic(io, chroot.error);
      return 1;
    }
    // And what each of them installs on it: the engine makes what that needs first.
    const configs = packageBuildConfigs({ builds: l.library.packages, locked: l.lock.builds, suite: target.suite, mirror: target.mirror, sourceDateEpoch: l.sourceDateEpoch, ...(chroot.value && { chroot: { ...chroot.value, components: target.components } }) });
    const pinned = await l.lock.forBuildDeps(configs, 'build', false, io.signal, say, l.run, true);
    if (!pinned.ok) {
      printDiagnostic(io, pinned.error);
      return 1;
    }
  }
  const saved = l.lock.save();
  if (!saved.ok) {
    printDiagnostic(io, saved.error);
    return 1;
  }
  io.out(`${saved.value ? 'wrote' : 'unchanged:'} ${l.lock.file} (${formatMs(Date.now() - started)})`);
  return 0;
}

/** Resolves each locked distro afresh and lists what moved; the lock is left as it is. */
async function check(l: Locking, io: Io): Promise<ExitCode> {
  const moved = new Map<string, Set<string>>();
  let stale = false;
  for (const config of l.configs) {
    const old = l.lock.entries.get(config.name);
    if (!old) {
      io.out(`${config.name}: not locked (mkimage lock ${config.name})`);
      stale = true;
      continue;
    }
    if (!(await l.lock.current(config))) {
      io.out(`${config.name}: locked for other inputs than the profile has now (a build, or mkimage lock, locks it again)`);
      stale = true;
    }
    const fresh = await l.lock.resolve(config, io.signal, {}, false);
    if (!fresh.ok) {
      printDiagnostic(io, fresh.error);
      return 2;
    }
    const images = imagesOf(l.library, config.name);
    for (const c of packageChanges(old.packages, fresh.value.packages)) {
      const line = `${c.name} ${c.from ?? '(none)'} -> ${c.to ?? '(gone)'}`;
      const set = moved.get(line) ?? new Set<string>();
      for (const i of images) set.add(i);
      moved.set(line, set);
    }
  }
  for (const [line, images] of [...moved].sort(([a], [b]) => (a < b ? -1 : 1))) io.out(`${line}  (${[...images].sort().join(', ')})`);
  io.out(moved.size === 0 ? `nothing moved since ${l.lock.file}` : `${moved.size} package${moved.size === 1 ? '' : 's'} moved: mkimage lock --update [PKG...] takes them`);
  return moved.size > 0 || stale ? 1 : 0;
}

export async function fetchCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const opened = await open(args, options, io, 'fetch');
  if (!opened.ok) {
    printDiagnostic(io, opened.error);
    return 2;
  }
  const poolDir = join(storeRoot(options, io), POOL_DIR);
  // The images' packages, and the build chroots' of the package builds and their build dependencies.
  const lock = opened.value.lock;
  const chroots = opened.value.library.packages.size > 0 ? [...lock.chroots.values(), ...lock.buildDeps.values()].flatMap((c) => c.packages) : [];
  const unique = new Map([...opened.value.configs.flatMap((c) => opened.value.lock.entries.get(c.name)?.packages ?? []), ...chroots].map((p) => [p.sha256, p]));
  const wanted = [...unique.values()];
  const missing = missingFromPool(poolDir, wanted);
  const started = Date.now();
  try {
    await fillPool(missing, { dir: poolDir, offline: options.offline ?? false, ...(options.mirror && { mirror: options.mirror }) }, io.signal);
  } catch (e) {
    // Interrupted: what was fetched is in the pool, whole; a download cut short left nothing.
    if (io.signal.aborted) return 130;
    if (!(e instanceof RecipeFailure)) throw e;
    printDiagnostic(io, { message: e.message, ...(e.details.hint && { hint: e.details.hint }) });
    return 1;
  }
  const bytes = missing.reduce((n, p) => n + p.size, 0);
  io.out(`${wanted.length} locked packages: ${wanted.length - missing.length} in the pool already, ${missing.length} fetched and checked (${formatBytes(bytes)} in ${formatMs(Date.now() - started)}) into ${poolDir}`);
  // The files of the sources the project builds (their .dsc, and what it names).
  const sources = opened.value.library.packages.size > 0 ? [...new Map([...lock.builds.values()].flatMap((b) => b.sources).map((s) => [s.sha256, s])).values()] : [];
  if (sources.length === 0) return 0;
  const before = new Set((await new PackagePool(poolDir).list()).map((f) => f.sha256));
  const access = { dir: poolDir, offline: options.offline ?? false, ...(options.mirror && { mirror: options.mirror }) };
  let files = 0;
  for (const s of sources) {
    const got = await poolSource(s, access, io.signal);
    if (io.signal.aborted) return 130;
    if (!got.ok) {
      printDiagnostic(io, got.error);
      return 1;
    }
    files += got.value.length;
  }
  const fetched = (await new PackagePool(poolDir).list()).filter((f) => !before.has(f.sha256));
  io.out(`${sources.length} locked sources, ${files} files: ${fetched.length} fetched and checked (${formatBytes(fetched.reduce((n, f) => n + f.bytes, 0))})`);
  return 0;
}

/** The project, its lock, and the distros (and, with --update, packages) the arguments name. */
async function open(args: readonly string[], options: Options, io: Io, verb: 'lock' | 'update' | 'check' | 'fetch'): Promise<Result<Locking>> {
  const project = await openProject(options, io);
  if (!project.ok) return project;
  const library = requireLibrary(project.value);
  if (!library.ok) return library;
  const lock = ProjectLock.read(project.value.loaded.root, options.mirror);
  if (!lock.ok) return lock;
  const jobs = options.jobs === undefined ? io.cores : Number(options.jobs);
  const loaded = project.value.loaded;
  const sourceDateEpoch = libraryFacts(library.value, io.env).sourceDateEpoch;
  const say = (d: Diagnostic) => io.err(`mkimage: ${formatDiagnostic(d)}`);
  const prebuild = { root: loaded.root, stateKey: stateKey(loaded), storeRoot: storeRoot(options, io), env: io.env, jobs: Number.isInteger(jobs) && jobs >= 1 ? jobs : io.cores, sourceDateEpoch, say };
  const run = packageRunner(prebuild);
  lock.value.useLocalSources(library.value.packages, { build: localPrebuild(prebuild, run), run, say });
  const buildable = [...library.value.nodes.values()].map((n) => n.node).filter((n) => n.kind === 'distro' && !n.name.startsWith('.') && imageTypesOf(n).length > 0).map((n) => n.name).sort();
  const distros = args.filter((a) => buildable.includes(a));
  const packages = args.filter((a) => !buildable.includes(a));
  if (packages.length > 0 && verb !== 'update') {
    const guess = closest(packages[0]!, buildable);
    return fail({ message: `no distro named ${packages[0]}`, hint: guess ? `did you mean ${guess}?` : `the distros: ${buildable.join(', ')}` });
  }
  const locked = [...lock.value.entries.keys()];
  if ((verb === 'check' || verb === 'fetch') && locked.length === 0) return fail({ message: `no ${lock.value.file} to ${verb}`, hint: 'mkimage lock writes it' });
  const names = distros.length > 0 ? distros : verb === 'lock' || (verb === 'update' && locked.length === 0) ? buildable : buildable.filter((d) => locked.includes(d));
  const configs: ImageConfig[] = [];
  for (const name of names) {
    const profile = resolveDistro(library.value, name);
    if (!profile.ok) return profile;
    const config = imageConfig(profile.value, library.value, { sourceDateEpoch: 0 });
    if (!config.ok) return config;
    configs.push(config.value);
  }
  const held = new Set(configs.flatMap((c) => lock.value.entries.get(c.name)?.packages.map((p) => p.name) ?? []));
  const unknown = packages.find((p) => !held.has(p));
  if (unknown !== undefined) {
    const guess = closest(unknown, held);
    return fail({ message: `lock --update ${unknown}: no distro locks a package of that name`, hint: guess ? `did you mean ${guess}?` : 'mkimage lock --update alone moves everything' });
  }
  return ok({ library: library.value, lock: lock.value, configs, packages, run, sourceDateEpoch });
}

/** The images a distro is built as (`server-mini.iso`, `server-mini.tar`). */
function imagesOf(library: Library, distro: string): string[] {
  const node = library.nodes.get(distro)?.node;
  return node && node.kind === 'distro' ? imageTypesOf(node).map((t) => `${distro}.${t}`) : [];
}
