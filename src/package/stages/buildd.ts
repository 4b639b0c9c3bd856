// The build chroot of a suite and architecture: mmdebstrap's buildd variant (essential,
// build-essential and apt), as Debian's buildds and sbuild's unshare backend make it. One per
// suite, shared by every package built for it; the build dependencies go on top (build-deps.ts).

import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecipeContext } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import { aptProgress, withProgress } from '../../image/progress.ts';
import { replaceFile } from '../../image/replace-file.ts';
import { runOptions, toolEnv } from '../../image/step-io.ts';
import { MMDEBSTRAP } from '../../image/tools/mmdebstrap.ts';
import { builddId, packageTarget } from '../step.ts';

export interface BuilddValues {
  readonly suite: string;
  readonly architecture: string;
  readonly mirror: string;
  readonly sourceDateEpoch: number;
  readonly [k: string]: string | number;
}

export const builddArgs = (v: BuilddValues, root: string): string[] => [
  '--mode=root',
  '--verbose',
  '--variant=buildd',
  `--architectures=${v.architecture}`,
  '--aptopt=Acquire::Languages "none"',
  v.suite,
  root,
  v.mirror,
];

export function builddTarget(v: BuilddValues) {
  return packageTarget({
    id: builddId(v.suite, v.architecture),
    step: 'buildd',
    description: `mmdebstrap --variant=buildd: the clean build chroot of ${v.suite}`,
    deps: [],
    weight: 1,
    module: import.meta.url,
    values: v,
    tools: [MMDEBSTRAP],
    runs: { mmdebstrap: JSON.stringify(builddArgs(v, '$OUT')) },
    run: buildd,
  });
}

async function buildd(v: BuilddValues, ctx: RecipeContext): Promise<void> {
  await run(MMDEBSTRAP.file, builddArgs(v, ctx.out), runOptions(withProgress(ctx, aptProgress()), toolEnv(v, ctx)));
  // Nothing of the build host stays: its resolv.conf (a file mmdebstrap copied) and hostname.
  const resolv = join(ctx.out, 'etc/resolv.conf');
  if ((await lstat(resolv).catch(() => undefined))?.isFile()) await rm(resolv);
  await replaceFile(join(ctx.out, 'etc/hostname'), 'buildd\n');
}
