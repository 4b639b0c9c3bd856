// Resolves a declared package build into its lock entry: the source from the suite it comes
// from (did-you-mean over the Sources index), and, for `rebuild: 'dependents'`, every source
// whose binaries in the locked images need what it rebuilds, transitively, each from the
// images' suite, in build order; for `rebuild: 'none'`, the refusal of a rebuild that would
// leave an image's packages with unmet dependencies (girar's "NEW unmet dependencies").

import { createHash } from 'node:crypto';
import type { LockedBuild, LockedSourcePackage } from '../archive/lock-builds.ts';
import type { LockedDistro } from '../archive/lock-file.ts';
import { fetchSourcesIndex, findSource, type ArchiveSource, type SourcesIndex } from '../archive/sources-index.ts';
import { fetchSuiteIndex, type SuiteIndex, type SuiteSource } from '../archive/suite-index.ts';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { APT_KEYRING } from '../image/tools/mmdebstrap.ts';
import type { PackageBuild } from '../profile/package-decls.ts';
import { rebuildPlan, unmetAfterRebuild, type BinaryFacts, type SourceFacts } from './dependents.ts';

/** Where the images that take a build come from: their suite and mirror, and every package they install. */
export interface BuildTarget {
  readonly suite: string;
  readonly mirror: string;
  readonly components: readonly string[];
  readonly architecture: string;
  /** The locked distros, by name. */
  readonly distros: ReadonlyMap<string, LockedDistro>;
}

/** Indexes fetched once per run, by URL and suite. */
export interface IndexCache {
  readonly sources: Map<string, Promise<Result<SourcesIndex>>>;
  readonly packages: Map<string, Promise<Result<SuiteIndex>>>;
}

export const newIndexCache = (): IndexCache => ({ sources: new Map(), packages: new Map() });

/** What a build's entry was resolved from: a change to any of it resolves it again. */
export function buildInputs(build: PackageBuild, target: BuildTarget): string {
  const d = build.decl;
  const closure = [...new Set([...target.distros.values()].flatMap((e) => e.packages.map((p) => `${p.name}=${p.version}`)))].sort();
  const record = { source: d.source, from: d.from ?? null, version: d.version ?? null, rebuild: d.rebuild, suite: target.suite, mirror: target.mirror, closure };
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 16);
}

export interface ResolvedBuild {
  readonly entry: LockedBuild;
  /** What the plan had to say: the cycles it broke. */
  readonly notes: readonly string[];
}

export async function resolveBuild(build: PackageBuild, target: BuildTarget, cache: IndexCache, signal: AbortSignal): Promise<Result<ResolvedBuild>> {
  const d = build.decl;
  const at = d.at;
  const suiteOf = (suite: string): SuiteSource => ({ url: target.mirror, suite, components: target.components.length > 0 ? target.components : ['main'], keyring: APT_KEYRING.path });
  const from = await sourcesOf(suiteOf(d.from ?? target.suite), cache, signal);
  if (!from.ok) return located(from.error);
  const root = findSource(from.value, d.source, d.version);
  if (!root.ok) return located({ ...root.error, message: `package ${d.source}: ${root.error.message}` });
  const installed = await installedFacts(target, suiteOf(target.suite), cache, signal);
  if (!installed.ok) return located(installed.error);
  const here = await sourcesOf(suiteOf(target.suite), cache, signal);
  if (!here.ok) return located(here.error);
  // The suite's own version's binaries: what the build replaces, renamed ones included.
  const before = here.value.sources.get(d.source)?.at(-1)?.binaries ?? [];
  const rootLocked = locked(root.value, from.value, before.filter((b) => !root.value.binaries.includes(b)));
  if (!rootLocked.ok) return located(rootLocked.error);
  if (d.rebuild === 'none') {
    const unmet = unmetAfterRebuild(installed.value, [{ source: d.source, binaries: before }], [{ source: d.source, binaries: root.value.binaries }]);
    if (unmet.length > 0) {
      return located({
        message: `package ${d.source}: ${root.value.version} leaves unmet dependencies in the images: ${unmet.map((u) => `${u.binary} needs ${u.needs}`).join(', ')}`,
        hint: `rebuild them too: debianSource('${d.source}', { rebuild: 'dependents', ... })`,
      });
    }
    return ok({ entry: { inputs: buildInputs(build, target), sources: [rootLocked.value] }, notes: [] });
  }
  const facts = new Map<string, SourceFacts>();
  for (const [name, list] of here.value.sources) {
    const s = list.at(-1)!;
    facts.set(name, { name, binaries: s.binaries, buildDepends: s.buildDependsNames });
  }
  const plan = rebuildPlan(installed.value, facts, [{ source: d.source, binaries: root.value.binaries, replaces: before, buildDepends: root.value.buildDependsNames }]);
  const sources: LockedSourcePackage[] = [rootLocked.value];
  for (const name of plan.order) {
    if (name === d.source) continue;
    const s = findSource(here.value, name);
    if (!s.ok) return located(s.error);
    const l = locked(s.value, here.value);
    if (!l.ok) return located(l.error);
    sources.push(l.value);
  }
  const notes = plan.brokenCycles.map((e) => `${e.source} is built against the archive's ${e.via} (a build-dependency cycle with ${e.after})`);
  return ok({ entry: { inputs: buildInputs(build, target), sources }, notes });

  function located(e: Diagnostic): Result<never> {
    return fail({ ...e, ...(at && !e.at && { at }) });
  }
}

function locked(s: ArchiveSource, index: SourcesIndex, replaces: readonly string[] = []): Result<LockedSourcePackage> {
  const dsc = s.files.find((f) => f.name.endsWith('.dsc'));
  if (!dsc) return fail({ message: `${s.from}: source ${s.name} ${s.version} lists no .dsc` });
  return ok({
    name: s.name, version: s.version, suite: index.source.suite, size: dsc.size, sha256: dsc.sha256, mirror: index.source.url, dsc: `${s.directory}/${dsc.name}`, binaries: [...s.binaries].sort(),
    ...(replaces.length > 0 && { replaces: [...replaces].sort() }),
  });
}

function sourcesOf(s: SuiteSource, cache: IndexCache, signal: AbortSignal): Promise<Result<SourcesIndex>> {
  const key = `${s.url} ${s.suite} ${s.components.join(',')}`;
  if (!cache.sources.has(key)) cache.sources.set(key, fetchSourcesIndex(s, signal));
  return cache.sources.get(key)!;
}

/** A suite's verified Packages index, fetched once per run. */
export function packagesIndex(s: SuiteSource, architecture: string, cache: IndexCache, signal: AbortSignal): Promise<Result<SuiteIndex>> {
  const key = `${s.url} ${s.suite} ${s.components.join(',')} ${architecture}`;
  if (!cache.packages.has(key)) cache.packages.set(key, fetchSuiteIndex(s, architecture, signal));
  return cache.packages.get(key)!;
}

/** Every binary the locked images install, with its source and dependencies from the suite's Packages. */
async function installedFacts(target: BuildTarget, s: SuiteSource, cache: IndexCache, signal: AbortSignal): Promise<Result<BinaryFacts[]>> {
  const index = await packagesIndex(s, target.architecture, cache, signal);
  if (!index.ok) return index;
  const out = new Map<string, BinaryFacts>();
  for (const distro of target.distros.values()) {
    for (const p of distro.packages) {
      if (out.has(p.name)) continue;
      const known = index.value.packages.get(p.name)?.find((x) => x.version === p.version) ?? index.value.packages.get(p.name)?.[0];
      out.set(p.name, { name: p.name, source: known?.source ?? p.name, depends: known?.depends ?? [], ...(known?.provides && { provides: known.provides }) });
    }
  }
  return ok([...out.values()]);
}
