// The build itself, the buildd way: dpkg-buildpackage -b in a throwaway overlay of the chroot
// with the build dependencies, in private namespaces with no network; the source at a fixed
// path so that two builds give the same bytes. Its output is a flat apt repository of the
// .debs, which images and other builds read through the engine's graph.

import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { indexFlatRepo } from '../../archive/flat-repo.ts';
import { copyDirAttributes } from '../../cache/dir-attributes.ts';
import { RecipeFailure, type RecipeContext } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import { BUILT_REPO_LABEL } from '../../image/built-repos.ts';
import { withProgress } from '../../image/progress.ts';
import { runOptions } from '../../image/step-io.ts';
import { HOST_PATH } from '../../image/tools/tool.ts';
import { shellArgs, UNSHARE } from '../../image/tools/unshare.ts';
import { buildProgress } from '../build-progress.ts';
import type { PackageBuildConfig } from '../config.ts';
import { packageStepId, packageTarget } from '../step.ts';
import { SOURCE_DIR } from './source.ts';

/** Where the source is built, inside the chroot: the same path every time (it lands in debug info). */
export const BUILD_DIR = '/build/src';
/** `parallel=N` of DEB_BUILD_OPTIONS: the job slots the engine gives the build (RecipeContext.slots). */
export function buildCommand(c: Pick<PackageBuildConfig, 'buildOptions' | 'profiles'>, slots: number | string): string[] {
  return ['/usr/bin/env', `DEB_BUILD_OPTIONS=${[...c.buildOptions, `parallel=${slots}`].join(' ')}`, ...(c.profiles.length > 0 ? [`DEB_BUILD_PROFILES=${c.profiles.join(' ')}`] : []), '/bin/sh', '-c', `cd ${BUILD_DIR} && dpkg-buildpackage -b -us -uc`];
}

export function buildTarget(c: PackageBuildConfig) {
  return packageTarget({
    id: packageStepId(c.name),
    step: 'build',
    description: `${c.name} ${c.version}: dpkg-buildpackage -b with no network`,
    deps: [
      { id: packageStepId(c.name, 'build-deps'), as: 'build-deps' },
      { id: packageStepId(c.name, 'source'), as: 'source' },
    ],
    weight: c.jobs,
    module: import.meta.url,
    ...(c.at && { at: c.at }),
    values: { name: c.name, version: c.version, suite: c.suite, buildOptions: c.buildOptions, profiles: c.profiles },
    tools: [UNSHARE],
    runs: { build: JSON.stringify(buildCommand(c, '$SLOTS')) },
    run: (_v, ctx) => build(c, ctx),
  });
}

async function build(c: PackageBuildConfig, ctx: RecipeContext): Promise<void> {
  const lower = ctx.deps['build-deps']!;
  const scratch = join(ctx.tmp, 'scratch');
  const root = join(ctx.tmp, 'root');
  const upper = join(scratch, 'upper');
  await mkdir(join(scratch, 'work'), { recursive: true });
  await mkdir(join(upper, 'build'), { recursive: true });
  await mkdir(root);
  await copyDirAttributes(lower, upper);
  const cp = { cwd: ctx.tmp, env: { PATH: HOST_PATH }, signal: ctx.signal, output: ctx.output.bind(ctx) };
  await run('cp', ['-a', '--reflink=auto', '--no-target-directory', join(ctx.deps.source!, SOURCE_DIR), join(upper, BUILD_DIR)], cp);
  const env = { PATH: HOST_PATH, HOME: '/build', LC_ALL: 'C.UTF-8', TZ: 'UTC', DEBIAN_FRONTEND: 'noninteractive' };
  await run(UNSHARE.file, shellArgs({ root, lower, scratch, network: false, command: buildCommand(c, ctx.slots) }), runOptions(withProgress(ctx, buildProgress()), env));
  const debs = (await readdir(join(upper, 'build'))).filter((f) => f.endsWith('.deb')).sort();
  if (debs.length === 0) throw new RecipeFailure(`${c.name}: dpkg-buildpackage made no .deb`, { hint: 'see the log' });
  await mkdir(join(ctx.out, 'pool'));
  for (const f of debs) await rename(join(upper, 'build', f), join(ctx.out, 'pool', f));
  const indexed = await indexFlatRepo(ctx.out, c.suite, [c.architecture, 'all'], BUILT_REPO_LABEL);
  if (!indexed.ok) throw new RecipeFailure(indexed.error.message);
}
