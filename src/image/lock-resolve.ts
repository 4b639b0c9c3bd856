// What a distro's root is made of, pinned: the suites it installs from (the config's mirrors,
// else the host's apt sources) fetched and verified; then mmdebstrap, with the bootstrap
// stage's own arguments plus --simulate, says what apt would install (its own resolution,
// not ours), once for the bootstrap and once with the packages stage's on top; every choice
// is pinned to a signed index. The binaries of the project's own packages (localSource) come
// from their built repositories, seen by the second simulation: they are recorded as ours, and
// what they depend on is pinned like the rest. The result is one distro's part of the lock.

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockedDistro, LockedLocal, LockedPackage } from '../archive/lock-file.ts';
import { parseAptSimulation, pin } from '../archive/pin.ts';
import { DEFAULT_KEYRING, parseSources } from '../archive/sources-list.ts';
import { packageName } from '../archive/package-name.ts';
import { compareVersions } from '../archive/version.ts';
import { fetchSuiteIndex, type SuiteIndex, type SuiteSource } from '../archive/suite-index.ts';
import { canonicalJson } from '../core/canonical.ts';
import { fail, ok, type Diagnostic, type Result, type SourceLocation } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import { RecipeFailure } from '../core/target.ts';
import { run } from '../proc/run.ts';
import type { ImageConfig } from './config.ts';
import { hostAptSources } from './stages/bootstrap.ts';
import { runOptions, toolEnv, type StepIo } from './step-io.ts';
import { MMDEBSTRAP, mmdebstrapArgs } from './tools/mmdebstrap.ts';

export type LockConfig = Pick<ImageConfig, 'suite' | 'variant' | 'architecture' | 'components' | 'basePackages' | 'packages' | 'mirrors' | 'sourceDateEpoch' | 'packageOrigins'> & {
  /** The local sources it installs, by build, with what the lock of their binaries depends on (LocalSource.relations). */
  readonly local?: ReadonlyArray<{ readonly build: string; readonly relations: string }>;
};

/** A local source's built repository, as the resolution sees it: its index, not its files. */
export interface LocalRepo {
  readonly build: string;
  readonly binaries: readonly string[];
  /** Its declaration (localSource): what a refusal names. */
  readonly at?: SourceLocation;
  /** The repository's Packages and Release. */
  readonly packages: string;
  readonly release: string;
}

export interface ResolveOptions {
  /**
   * Packages of the lock as it was: each stays at its locked version where the archive still
   * has it (an apt pin), so that a re-lock moves only what must move. Leave out to take the
   * archive's newest of everything.
   */
  readonly keep?: readonly LockedPackage[];
  /** Names whose pins `keep` does not hold, with every package they depend on (`lock --update PKG`). */
  readonly move?: readonly string[];
  /** Suites fetched once for every distro resolved in one run, by URL, suite and components. */
  readonly indexCache?: Map<string, Promise<Result<SuiteIndex>>>;
  /** The built repositories of the local sources the config installs. */
  readonly local?: readonly LocalRepo[];
}

export async function resolveDistroLock(c: LockConfig, io: StepIo, options: ResolveOptions = {}): Promise<Result<LockedDistro>> {
  const sources = c.mirrors.length > 0 ? c.mirrors : await hostAptSources();
  const suites = await suitesOf(c, sources);
  const indexes: SuiteIndex[] = [];
  for (const s of suites) {
    const key = `${s.url} ${s.suite} ${s.components.join(',')} ${s.keyring} ${c.architecture}`;
    const cache = options.indexCache ?? new Map<string, Promise<Result<SuiteIndex>>>();
    if (!cache.has(key)) cache.set(key, fetchSuiteIndex(s, c.architecture, io.signal));
    const index = await cache.get(key)!;
    if (!index.ok) return index;
    indexes.push(index.value);
  }
  // A name no index has would fail apt after a long wait, or a bootstrap after minutes: now, with where it was asked for.
  const local = options.local ?? [];
  const unknown = unknownPackage(c, indexes, new Set(local.flatMap((l) => l.binaries)));
  if (unknown) return fail(unknown);
  const clash = archiveNamed(local, indexes);
  if (clash) return fail(clash);
  // Held where they were; when apt cannot satisfy that, the moving names take what they depend on along.
  const move = options.move ?? [];
  const attempts = [new Set(move), ...(move.length > 0 && options.keep ? [dependencyClosure(move, indexes)] : [])];
  const localSources = await writeLocalRepos(io.tmp, local);
  let solved: Result<Solved> | undefined;
  for (const moving of attempts) {
    const keep = (options.keep ?? []).filter((p) => !moving.has(p.name));
    const pins = keep.length > 0 ? await writePins(io.tmp, keep) : [];
    solved = await solve(c, sources, indexes, io, pins, { repos: local, sources: localSources });
    if (solved.ok) break;
  }
  if (!solved!.ok) return solved!;
  return ok({
    inputs: inputsDigest(c, suites),
    sources: indexes.map((i) => ({ mirror: i.source.url, suite: i.source.suite, date: isoDate(i.release.date) })),
    packages: solved!.value.packages,
    ...(solved!.value.local.length > 0 && { local: solved!.value.local }),
  });
}

interface Solved {
  readonly packages: LockedPackage[];
  readonly local: LockedLocal[];
}

/** Each local repository's index in `dir`, as apt sources lines. */
async function writeLocalRepos(dir: string, repos: readonly LocalRepo[]): Promise<string[]> {
  const lines: string[] = [];
  for (const r of repos) {
    const repo = join(dir, `local-${r.build}`);
    await mkdir(repo, { recursive: true });
    await writeFile(join(repo, 'Packages'), r.packages);
    await writeFile(join(repo, 'Release'), r.release);
    lines.push(`deb [trusted=yes] file:${repo} ./`);
  }
  return lines;
}

/**
 * What apt installs for the bootstrap, and then for the packages stage on top (with the local
 * repositories), pinned to the indexes; the local sources' binaries recorded as theirs.
 */
async function solve(c: LockConfig, sources: readonly string[], indexes: readonly SuiteIndex[], io: StepIo, pins: readonly string[], local: { repos: readonly LocalRepo[]; sources: readonly string[] }): Promise<Result<Solved>> {
  const base = await simulate(c, sources, io, 'base', pins);
  if (!base.ok) return base;
  const bootstrap = pin(base.value, indexes, 'bootstrap');
  if (!bootstrap.ok) return bootstrap;
  if (c.packages.length === 0) return ok({ packages: bootstrap.value, local: [] });
  const all = await simulate({ ...c, basePackages: [...c.basePackages, ...c.packages] }, [...sources, ...local.sources], io, 'all', pins);
  if (!all.ok) return all;
  const ours = new Map(local.repos.flatMap((r) => r.binaries.map((b) => [b, r.build] as const)));
  const built = all.value.filter((p) => ours.has(p.name)).map((p) => ({ build: ours.get(p.name)!, name: p.name, version: p.version, architecture: p.architecture }));
  const inBase = new Map(bootstrap.value.map((p) => [`${p.name}:${p.architecture}`, p.version]));
  const changed = all.value.find((p) => inBase.has(`${p.name}:${p.architecture}`) && inBase.get(`${p.name}:${p.architecture}`) !== p.version);
  if (changed) return fail({ message: `the packages stage would move ${changed.name} of the bootstrap to ${changed.version}`, hint: 'add the packages that need it to BASE_PACKAGES' });
  const extra = pin(all.value.filter((p) => !inBase.has(`${p.name}:${p.architecture}`) && !ours.has(p.name)), indexes, 'packages');
  if (!extra.ok) return extra;
  return ok({ packages: [...bootstrap.value, ...extra.value], local: built });
}

/** The suites behind the bootstrap's sources: mirror URLs (the config's suite), sources lines, or the host's files. */
async function suitesOf(c: LockConfig, sources: readonly string[]): Promise<SuiteSource[]> {
  const out: SuiteSource[] = [];
  for (const s of sources) {
    if (s.startsWith('/')) out.push(...parseSources(await readFile(s, 'utf8'), s.endsWith('.sources')));
    else if (/^deb\s/.test(s)) out.push(...parseSources(s, false));
    else out.push({ url: s, suite: c.suite, components: c.components.length > 0 ? c.components : ['main'], keyring: DEFAULT_KEYRING });
  }
  return out;
}

/** mmdebstrap --simulate with the bootstrap stage's arguments: apt's choices, nothing installed. */
async function simulate(c: LockConfig, sources: readonly string[], io: StepIo, label: string, extra: readonly string[]): Promise<Result<ReturnType<typeof parseAptSimulation>>> {
  let said = '';
  const capture: StepIo = { ...io, output: (stream, text) => ((said += text), io.output(stream, text)) };
  try {
    await run(MMDEBSTRAP.file, ['--simulate', ...extra, ...mmdebstrapArgs(c, join(io.tmp, `${label}.tar`), sources)], runOptions(capture, toolEnv(c, io)));
  } catch (e) {
    if (e instanceof RecipeFailure && !io.signal.aborted) return fail({ message: `resolving the ${label === 'base' ? 'bootstrap' : 'packages'} of ${c.suite}: ${e.message}` });
    throw e;
  }
  const chosen = parseAptSimulation(said);
  return chosen.length > 0 ? ok(chosen) : fail({ message: `mmdebstrap --simulate named no package for ${c.suite}`, hint: 'see its output in the log' });
}

/** The names and everything they depend on, transitively, in their newest versions of the indexes (virtual names through their providers). */
function dependencyClosure(names: readonly string[], indexes: readonly SuiteIndex[]): Set<string> {
  const providers = new Map<string, string[]>();
  if (names.length > 0) {
    for (const i of indexes) for (const list of i.packages.values()) for (const p of list) for (const v of p.provides ?? []) providers.set(v, [...(providers.get(v) ?? []), p.name]);
  }
  const out = new Set<string>();
  const queue = [...names];
  for (let n = queue.pop(); n !== undefined; n = queue.pop()) {
    if (out.has(n)) continue;
    out.add(n);
    const versions = indexes.flatMap((i) => i.packages.get(n) ?? []);
    const newest = versions.reduce<(typeof versions)[number] | undefined>((a, b) => (a && compareVersions(a.version, b.version) >= 0 ? a : b), undefined);
    queue.push(...(newest?.depends ?? []), ...(providers.get(n) ?? []));
  }
  return out;
}

/** apt preferences that hold each kept package at its locked version (ignored where the archive lacks it). */
async function writePins(dir: string, keep: readonly LockedPackage[]): Promise<string[]> {
  const file = join(dir, 'lock-pins.pref');
  const names = new Map<string, string>();
  for (const p of keep) names.set(p.name, p.version);
  await writeFile(file, [...names].map(([name, version]) => `Package: ${name}\nPin: version ${version}\nPin-Priority: 1001\n`).join('\n'));
  return [`--aptopt=Dir::Etc::Preferences "${file}"`];
}

/**
 * A local source's binary that the archive has too: apt could take the archive's where the lock
 * means ours, so it is refused; rebuilding an archive package is debianSource's job.
 */
function archiveNamed(local: readonly LocalRepo[], indexes: readonly SuiteIndex[]): Diagnostic | undefined {
  for (const repo of local) {
    const binary = repo.binaries.find((b) => indexes.some((i) => i.packages.has(b)));
    if (binary === undefined) continue;
    const suite = indexes.find((i) => i.packages.has(binary))!.source.suite;
    const source = indexes.flatMap((i) => i.packages.get(binary) ?? [])[0]?.source ?? binary;
    return {
      message: `the local source ${repo.build} builds ${binary}, a package ${suite} has too: an image could get the archive's in its place`,
      ...(repo.at && { at: repo.at }),
      hint: `give the package another name in its debian/control, or rebuild the archive's with debianSource('${source}', ...)`,
    };
  }
  return undefined;
}

/** The first package the profile asks for that no index has (nor provides), with where it was asked for and the closest name. */
function unknownPackage(c: LockConfig, indexes: readonly SuiteIndex[], local: ReadonlySet<string>): Diagnostic | undefined {
  const has = (name: string) => local.has(name) || indexes.some((i) => i.packages.has(name));
  const wanted = [...c.basePackages, ...c.packages].map(packageName);
  const missing = wanted.filter((n) => !has(n));
  if (missing.length === 0) return undefined;
  const provided = new Set<string>();
  for (const i of indexes) for (const list of i.packages.values()) for (const p of list) for (const v of p.provides ?? []) provided.add(v);
  const name = missing.find((n) => !provided.has(n));
  if (name === undefined) return undefined;
  const origin = c.packageOrigins?.[name];
  const guess = closest(name, indexes.flatMap((i) => [...i.packages.keys()]));
  return {
    message: `no package ${name} in ${indexes.map((i) => `${i.source.suite} (${i.source.url})`).join(', ')}${origin ? `, asked for at ${origin}` : ''}`,
    hint: guess ? `did you mean ${guess}?` : 'apt-cache search, or packages.debian.org, finds the right name',
  };
}

/** The digest a lock of this config must carry to be current (reads the host's sources when the config has no mirrors). */
export async function lockInputs(c: LockConfig): Promise<string> {
  return inputsDigest(c, await suitesOf(c, c.mirrors.length > 0 ? c.mirrors : await hostAptSources()));
}

/** What the lock was resolved from: a different digest means the profile moved on since. */
function inputsDigest(c: LockConfig, suites: readonly SuiteSource[]): string {
  const inputs = {
    suite: c.suite,
    variant: c.variant,
    architecture: c.architecture,
    components: c.components,
    basePackages: c.basePackages,
    packages: c.packages,
    sources: suites.map((s) => `${s.url} ${s.suite} ${s.components.join(',')}`),
    // Only when there are any: a lock without local sources keeps its digest.
    ...(c.local && c.local.length > 0 && { local: c.local.map((l) => `${l.build} ${l.relations}`).sort() }),
  };
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex').slice(0, 16);
}

/** `Sat, 11 Jul 2026 10:16:37 UTC` -> `2026-07-11T10:16:37Z` (as given when it does not parse). */
function isoDate(date: string): string {
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? date.replaceAll(' ', '_') : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** The first mirror a config's packages come from (what its lock entry's first source will name). */
export async function firstMirror(c: LockConfig): Promise<string | undefined> {
  return (await suitesOf(c, c.mirrors.length > 0 ? c.mirrors : await hostAptSources()))[0]?.url;
}
