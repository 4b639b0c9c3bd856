// The build dependencies of a package build, in two steps so that the expensive one is keyed
// by what it installs: `build-depends` reads the unpacked source's debian/control (a patch
// that leaves it alone gives the same output, and the engine's early cutoff stops there), and
// `build-deps` installs that set on the suite's build chroot with apt-get satisfy, the
// repositories of the builds it is built against pinned above the archive. Locked
// (mkimage.lock's `build-deps` lines), apt sees no archive: only a repository of the locked
// packages, from the pool, and those of our builds, with no network; the step is keyed by
// the locked set.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDeb822 } from '../../archive/deb822.ts';
import { RecipeFailure, type RecipeContext } from '../../core/target.ts';
import { addBuiltRepos, BUILT_REPOS_IN_ROOT } from '../../image/built-repos.ts';
import { runInRoot } from '../../image/in-root.ts';
import type { LockedPackage } from '../../archive/lock-file.ts';
import { lockedRepository, withoutLine, type PoolAccess } from '../../image/locked-install.ts';
import { aptProgress, withProgress } from '../../image/progress.ts';
import { rootFrom } from '../../image/root-overlay.ts';
import { keepingOutput } from '../../image/step-io.ts';
import { LOCKED_REPO_IN_ROOT, lockedAptPrelude } from '../../image/tools/apt.ts';
import { UNSHARE } from '../../image/tools/unshare.ts';
import type { PackageBuildConfig } from '../config.ts';
import { builddId, packageStepId, packageTarget } from '../step.ts';
import { SOURCE_DIR } from './source.ts';

const BUILD_DEPENDS_FILE = 'build-depends';
const FIELDS = ['build-depends', 'build-depends-arch', 'build-depends-indep'];

export function buildDependsTarget(c: PackageBuildConfig) {
  return packageTarget({
    id: packageStepId(c.name, 'build-depends'),
    step: 'build-depends',
    description: `${c.name}: the build dependencies debian/control names`,
    deps: [{ id: packageStepId(c.name, 'source'), as: 'source' }],
    weight: 0,
    module: import.meta.url,
    ...(c.at && { at: c.at }),
    values: { name: c.name },
    tools: [],
    run: async (_v, ctx) => writeFile(join(ctx.out, BUILD_DEPENDS_FILE), `${await buildDepends(join(ctx.deps.source!, SOURCE_DIR), c.name)}\n`),
  });
}

/** The relations a build-depends step's output holds. */
export async function readBuildDepends(out: string): Promise<string> {
  return (await readFile(join(out, BUILD_DEPENDS_FILE), 'utf8')).trim();
}

/** debian/control's Build-Depends, -Arch and -Indep as one relation list (what apt-get satisfy takes). */
export async function buildDepends(src: string, name: string): Promise<string> {
  const control = parseDeb822(await readFile(join(src, 'debian/control'), 'utf8'))[0];
  if (!control) throw new RecipeFailure(`${name}: debian/control has no source stanza`);
  return FIELDS.map((f) => control.fields.get(f) ?? '')
    .flatMap((v) => v.split(','))
    .map((r) => r.replace(/\s+/g, ' ').trim())
    .filter((r) => r !== '')
    .join(', ');
}

export function buildDepsTarget(c: PackageBuildConfig, pool?: PoolAccess) {
  // In one order whatever the entry's (apt's as resolved, the file's as read back): the same set is the same step.
  const locked = c.buildDeps?.map(withoutLine).sort((a, b) => (`${a.name}:${a.architecture}` < `${b.name}:${b.architecture}` ? -1 : 1));
  return packageTarget({
    id: packageStepId(c.name, 'build-deps'),
    step: 'build-deps',
    description: `${c.name}: apt-get satisfy its build dependencies on the ${c.suite} chroot`,
    deps: [
      { id: builddId(c.suite, c.architecture), as: 'buildd' },
      { id: packageStepId(c.name, 'build-depends'), as: 'build-depends' },
      ...c.after.map((a) => ({ id: packageStepId(a), as: `repo:${a}` })),
    ],
    weight: 1,
    module: import.meta.url,
    ...(c.at && { at: c.at }),
    values: { name: c.name, profiles: c.profiles, ...(locked && { suite: c.suite, locked: locked.map((p) => `${p.name} ${p.version} ${p.architecture} ${p.sha256}`) }) },
    tools: [UNSHARE],
    runs: { script: locked ? lockedSatisfyScript('$BUILD_DEPENDS', c.profiles, c.after) : satisfyScript('$BUILD_DEPENDS', c.profiles) },
    run: (_v, ctx) => {
      if (!locked) return installBuildDeps(c, ctx);
      if (!pool) throw new Error('locked build dependencies need the package pool');
      return installBuildDeps(c, ctx, { packages: locked, pool });
    },
  });
}

/** apt-get satisfy from the locked packages' repository and our builds' only: no archive, no network. */
export function lockedSatisfyScript(relations: string, profiles: readonly string[], after: readonly string[]): string {
  return [
    ...lockedAptPrelude(after.map((a) => `deb [trusted=yes] file:/${BUILT_REPOS_IN_ROOT}/${a} ./`)),
    `apt-get $o satisfy --yes --no-install-recommends ${profiles.length > 0 ? `-o APT::Build-Profiles=${profiles.join(',')} ` : ''}'${relations.replace(/'/g, '')}'`,
    'apt-get clean',
    '',
  ].join('\n');
}

export function satisfyScript(relations: string, profiles: readonly string[]): string {
  return [
    '#!/bin/sh',
    'set -eu',
    'apt-get update',
    `apt-get satisfy --yes --no-install-recommends ${profiles.length > 0 ? `-o APT::Build-Profiles=${profiles.join(',')} ` : ''}'${relations.replace(/'/g, '')}'`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
    '',
  ].join('\n');
}

async function installBuildDeps(c: PackageBuildConfig, ctx: RecipeContext, locked?: { packages: readonly LockedPackage[]; pool: PoolAccess }): Promise<void> {
  await rootFrom(ctx.deps.buildd!, ctx);
  const relations = await readBuildDepends(ctx.deps['build-depends']!);
  const repos = Object.fromEntries(c.after.map((a) => [a, ctx.deps[`repo:${a}`]!]));
  const undo = await addBuiltRepos(ctx.out, repos, ctx);
  const kept = keepingOutput(withProgress(ctx, aptProgress()));
  const repo = join(ctx.out, LOCKED_REPO_IN_ROOT);
  try {
    if (locked) await lockedRepository(repo, locked.packages, c.suite, locked.pool, ctx);
    const script = locked ? lockedSatisfyScript(relations, c.profiles, c.after) : satisfyScript(relations, c.profiles);
    await runInRoot(ctx.out, { script, network: !locked, env: {} }, kept.io);
  } catch (e) {
    if (e instanceof RecipeFailure && !ctx.signal.aborted) throw unsatisfiable(c, kept.text(), e, locked !== undefined);
    throw e;
  } finally {
    await rm(repo, { recursive: true, force: true });
    await undo();
  }
}

/** apt's reason, in one line: `libfoo-dev (>= 2) but 1.0-1 is to be installed`, or its E: line. */
export function unsatisfiable(c: Pick<PackageBuildConfig, 'name' | 'suite'>, said: string, e: RecipeFailure, locked = false): RecipeFailure {
  const lines = said.split('\n').map((l) => l.trim());
  const depends = lines.find((l) => /Depends: .*(but|is not installable|not going to be installed)/.test(l))?.replace(/^.*Depends: /, '');
  const error = lines.find((l) => l.startsWith('E: ') && !/Unable to correct problems|held broken/.test(l));
  if (!depends && !error) return e;
  if (locked) {
    return new RecipeFailure(`${c.name}: the locked build dependencies do not satisfy its Build-Depends: ${depends ?? error!.slice(3)}`, { hint: 'mkimage lock resolves them again' });
  }
  return new RecipeFailure(`${c.name}: a build dependency cannot be satisfied on ${c.suite}: ${depends ?? error!.slice(3)}`, {
    hint: `a source from a newer suite may need build tools ${c.suite} lacks: pick another version, or build the tool too`,
  });
}
