// What a distro's root is made of, pinned: the suites it installs from (the config's mirrors,
// else the host's apt sources) fetched and verified; then mmdebstrap, with the bootstrap
// stage's own arguments plus --simulate, says what apt would install (its own resolution,
// not ours), once for the bootstrap and once with the packages stage's on top; every choice
// is pinned to a signed index. The result is one distro's part of the lock.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockedDistro, LockedPackage } from '../archive/lock-file.ts';
import { parseAptSimulation, pin } from '../archive/pin.ts';
import { DEFAULT_KEYRING, parseSources } from '../archive/sources-list.ts';
import { fetchSuiteIndex, type SuiteIndex, type SuiteSource } from '../archive/suite-index.ts';
import { canonicalJson } from '../core/canonical.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { RecipeFailure } from '../core/target.ts';
import { run } from '../proc/run.ts';
import type { ImageConfig } from './config.ts';
import { hostAptSources } from './stages/bootstrap.ts';
import { runOptions, toolEnv, type StepIo } from './step-io.ts';
import { MMDEBSTRAP, mmdebstrapArgs } from './tools/mmdebstrap.ts';

export type LockConfig = Pick<ImageConfig, 'suite' | 'variant' | 'architecture' | 'components' | 'basePackages' | 'packages' | 'mirrors' | 'sourceDateEpoch'>;

export async function resolveDistroLock(c: LockConfig, io: StepIo): Promise<Result<LockedDistro>> {
  const sources = c.mirrors.length > 0 ? c.mirrors : await hostAptSources();
  const suites = await suitesOf(c, sources);
  const indexes: SuiteIndex[] = [];
  for (const s of suites) {
    const index = await fetchSuiteIndex(s, c.architecture, io.signal);
    if (!index.ok) return index;
    indexes.push(index.value);
  }
  const base = await simulate(c, sources, io, 'base');
  if (!base.ok) return base;
  const bootstrap = pin(base.value, indexes, 'bootstrap');
  if (!bootstrap.ok) return bootstrap;
  let packages: LockedPackage[] = [];
  if (c.packages.length > 0) {
    const all = await simulate({ ...c, basePackages: [...c.basePackages, ...c.packages] }, sources, io, 'all');
    if (!all.ok) return all;
    const inBase = new Map(bootstrap.value.map((p) => [`${p.name}:${p.architecture}`, p.version]));
    const changed = all.value.find((p) => inBase.has(`${p.name}:${p.architecture}`) && inBase.get(`${p.name}:${p.architecture}`) !== p.version);
    if (changed) return fail({ message: `the packages stage would move ${changed.name} of the bootstrap to ${changed.version}`, hint: 'add the packages that need it to BASE_PACKAGES' });
    const extra = pin(all.value.filter((p) => !inBase.has(`${p.name}:${p.architecture}`)), indexes, 'packages');
    if (!extra.ok) return extra;
    packages = extra.value;
  }
  return ok({
    inputs: inputsDigest(c, suites),
    sources: indexes.map((i) => ({ mirror: i.source.url, suite: i.source.suite, date: isoDate(i.release.date) })),
    packages: [...bootstrap.value, ...packages],
  });
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
async function simulate(c: LockConfig, sources: readonly string[], io: StepIo, label: string): Promise<Result<ReturnType<typeof parseAptSimulation>>> {
  let said = '';
  const capture: StepIo = { ...io, output: (stream, text) => ((said += text), io.output(stream, text)) };
  try {
    await run(MMDEBSTRAP.file, ['--simulate', ...mmdebstrapArgs(c, join(io.tmp, `${label}.tar`), sources)], runOptions(capture, toolEnv(c, io)));
  } catch (e) {
    if (e instanceof RecipeFailure && !io.signal.aborted) return fail({ message: `resolving the ${label === 'base' ? 'bootstrap' : 'packages'} of ${c.suite}: ${e.message}` });
    throw e;
  }
  const chosen = parseAptSimulation(said);
  return chosen.length > 0 ? ok(chosen) : fail({ message: `mmdebstrap --simulate named no package for ${c.suite}`, hint: 'see its output in the log' });
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
  };
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex').slice(0, 16);
}

/** `Sat, 11 Jul 2026 10:16:37 UTC` -> `2026-07-11T10:16:37Z` (as given when it does not parse). */
function isoDate(date: string): string {
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? date.replaceAll(' ', '_') : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
