// The project's package builds as engine targets: each locked source (a declared build, then
// its dependents) gets the steps source -> build-depends -> build-deps -> build on the suite's
// shared build chroot; and what an image takes from them: the builds its profile's features
// declare that build (or replace) a binary it installs.

import { basename } from 'node:path';
import type { LockedBuilds } from '../archive/lock-builds.ts';
import type { TargetSpec } from '../core/target.ts';
import type { BuiltPackages } from '../image/config.ts';
import type { LocalSource } from '../profile/local-source.ts';
import type { PackageBuild } from '../profile/package-decls.ts';
import { binNmuVersion, suffixedVersion, upstreamVersion } from './changelog.ts';
import type { PackageBuildConfig } from './config.ts';
import type { PoolAccess } from '../image/locked-install.ts';
import { builddTarget, type LockedChroot } from './stages/buildd.ts';
import { buildDependsTarget, buildDepsTarget } from './stages/build-deps.ts';
import { buildTarget } from './stages/build.ts';
import { localSourceTarget } from './stages/local-source.ts';
import { sourceTarget } from './stages/source.ts';
import { packageStepId } from './step.ts';

export interface PackagePlanInput {
  readonly builds: ReadonlyMap<string, PackageBuild>;
  readonly locked: LockedBuilds;
  /** The suite the images are built for, and the mirror of their build chroot. */
  readonly suite: string;
  readonly mirror: string;
  readonly sourceDateEpoch: number;
  /** The build chroot as the lock pins it (absent: made from the mirror as it is). */
  readonly chroot?: LockedChroot;
}

/** Every locked source to build, in the lock's order: each declared build, then its dependents. */
export function packageBuildConfigs(p: PackagePlanInput): PackageBuildConfig[] {
  const out: PackageBuildConfig[] = [];
  for (const [name, build] of [...p.builds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (build.local) {
      out.push(localBuildConfig(p, name, build, build.local));
      continue;
    }
    const entry = p.locked.get(name);
    if (!entry) continue;
    const d = build.decl;
    const root = entry.sources[0]!;
    // The version of the declared build: every binNMU of a dependent names it.
    const rootVersion = d.upstream ? upstreamVersion(root.version, d.upstream.version, d.suffix) : suffixedVersion(root.version, d.suffix);
    const built: string[] = [];
    for (const [i, source] of entry.sources.entries()) {
      const own = i === 0;
      // A dependent of two builds is built once, against both.
      const planned = out.findIndex((c) => c.name === source.name);
      if (planned >= 0) {
        const c = out[planned]!;
        if (!own) {
          out[planned] = {
            ...c,
            features: [...new Set([...c.features, build.feature])],
            after: [...new Set([...c.after, ...built])],
            changes: [...c.changes, `Rebuilt against ${name} ${rootVersion}.`],
          };
        }
        built.push(source.name);
        continue;
      }
      out.push({
        name: source.name,
        build: name,
        features: [build.feature],
        source,
        version: own ? rootVersion : binNmuVersion(source.version, d.suffix, 1),
        suite: p.suite,
        mirror: p.mirror,
        architecture: 'amd64',
        patches: own ? build.patches : [],
        dropPatches: own ? d.dropPatches : [],
        ...(own && d.upstream && build.upstream && { upstream: { path: build.upstream, version: d.upstream.version, sha256: d.upstream.sha256 } }),
        buildOptions: d.buildOptions,
        jobs: d.jobs,
        profiles: own ? d.profiles : [],
        configureOptions: own ? d.configureOptions : [],
        changes: own
          ? ownChanges(build, source.suite !== p.suite ? source.suite : undefined)
          : [`Rebuilt against ${name} ${rootVersion}.`],
        after: [...built],
        sourceDateEpoch: p.sourceDateEpoch,
        ...(p.chroot && { chroot: p.chroot }),
        ...(d.at && { at: d.at }),
      });
      built.push(source.name);
    }
  }
  return out;
}

/**
 * A custom package (localSource): nothing of it is locked (its files are the project's); its
 * version is its changelog's, with the suffix when one is declared; it is built against the
 * archive alone.
 */
function localBuildConfig(p: PackagePlanInput, name: string, build: PackageBuild, local: LocalSource): PackageBuildConfig {
  const d = build.decl;
  return {
    name,
    build: name,
    features: [build.feature],
    source: { name, version: local.version, suite: LOCAL_SUITE, size: 0, sha256: '', mirror: '', dsc: '', binaries: local.binaries },
    version: suffixedVersion(local.version, d.suffix),
    suite: p.suite,
    mirror: p.mirror,
    architecture: 'amd64',
    patches: [],
    dropPatches: [],
    buildOptions: d.buildOptions,
    jobs: d.jobs,
    profiles: d.profiles,
    configureOptions: [],
    changes: [d.reason],
    after: [],
    sourceDateEpoch: p.sourceDateEpoch,
    ...(p.chroot && { chroot: p.chroot }),
    local: { dir: local.dir, files: local.files, executables: local.executables },
    ...(d.at && { at: d.at }),
  };
}

/** The suite a local source's record names: it comes from no archive. */
export const LOCAL_SUITE = 'local';

/** The lines of a declared build's own changelog entry: why, and each thing we changed. */
function ownChanges(build: PackageBuild, backportedFrom: string | undefined): string[] {
  const d = build.decl;
  return [
    d.reason,
    ...(d.upstream ? [`New upstream version ${d.upstream.version} (${basename(d.upstream.tarball)}, sha256 ${d.upstream.sha256}).`] : []),
    ...d.dropPatches.map((x) => `Debian patch left out: ${x}.`),
    ...build.patches.map((x) => `Patch: ${basename(x)}.`),
    ...d.configureOptions.map((o) => `Configure option: ${o}`),
    ...(backportedFrom ? [`Backported from ${backportedFrom}.`] : []),
  ];
}

/** The engine targets of the builds (the build chroots once per suite; a locked one from the pool). */
export function packageTargets(configs: readonly PackageBuildConfig[], pool?: PoolAccess): TargetSpec[] {
  const specs = new Map<string, TargetSpec>();
  for (const c of configs) {
    const chroot = builddTarget({ suite: c.suite, architecture: c.architecture, mirror: c.mirror, sourceDateEpoch: c.sourceDateEpoch }, c.chroot, pool);
    for (const spec of [chroot, c.local ? localSourceTarget(c, c.local) : sourceTarget(c, pool), buildDependsTarget(c), buildDepsTarget(c, pool), buildTarget(c)]) if (!specs.has(spec.id)) specs.set(spec.id, spec);
  }
  return [...specs.values()];
}

/** What decides the builds an image takes: the packages its lock installs, and the features of its profile. */
export interface ImageUse {
  readonly installed: ReadonlySet<string>;
  readonly features: ReadonlySet<string>;
}

/**
 * The builds an image takes, sorted by source: those declared by a feature of its profile that
 * build a binary it installs, or replace one (a backport's renamed library). Another image
 * installing the same binaries keeps the archive's.
 */
export function builtFor(use: ImageUse, configs: readonly PackageBuildConfig[]): BuiltPackages[] {
  return configs
    .filter((c) => c.features.some((f) => use.features.has(f)))
    .filter((c) => [...c.source.binaries, ...(c.source.replaces ?? [])].some((b) => use.installed.has(b)))
    .map((c) => ({ source: c.name, target: packageStepId(c.name), version: c.version, binaries: c.source.binaries, replaces: c.source.replaces ?? [] }))
    .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/**
 * What an image needs of the builds: those it takes, and with them the builds they are built
 * against (built first, not installed unless taken too).
 */
export function buildsNeeded(use: ImageUse, configs: readonly PackageBuildConfig[]): { readonly taken: ReadonlySet<string>; readonly needed: ReadonlySet<string> } {
  const taken = new Set(builtFor(use, configs).map((b) => b.source));
  const needed = new Set<string>();
  const need = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const a of configs.find((c) => c.name === name)?.after ?? []) need(a);
  };
  for (const name of taken) need(name);
  return { taken, needed };
}

/** A binary two builds make: the first source that makes it, and the second. */
export function sharedBinary(configs: readonly PackageBuildConfig[]): { binary: string; first: PackageBuildConfig; second: PackageBuildConfig } | undefined {
  const seen = new Map<string, PackageBuildConfig>();
  for (const c of configs) {
    for (const b of c.source.binaries) {
      const first = seen.get(b);
      if (first && first.name !== c.name) return { binary: b, first, second: c };
      seen.set(b, c);
    }
  }
  return undefined;
}
