// The source of a custom package (localSource): the feature folder's files copied as they are
// (each file an input, so an edit rebuilds it; the executable bit kept, as git keeps it), and,
// when a suffix is declared, our changelog entry on top, dated as the one it follows.

import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { toolEnv } from '../../image/step-io.ts';
import type { PackageBuildConfig } from '../config.ts';
import { packageStepId, packageTarget } from '../step.ts';
import { DPKG_PARSECHANGELOG, SOURCE_DIR, writeChangelog } from './source.ts';

type Local = NonNullable<PackageBuildConfig['local']>;

export function localSourceTarget(c: PackageBuildConfig, local: Local) {
  const names = local.files.map((f) => relative(local.dir, f));
  // Our entry only when the version is not the folder's own (a suffix was declared).
  const entry = c.version !== c.source.version;
  const values = { name: c.name, version: c.version, suite: c.suite, changes: entry ? c.changes : [], files: names, executables: local.executables };
  return packageTarget({
    id: packageStepId(c.name, 'source'),
    step: 'source',
    description: `${c.name} ${c.version}: the feature's folder ${relative(dirname(dirname(local.dir)), local.dir)}`,
    deps: [],
    weight: 1,
    module: import.meta.url,
    ...(c.at && { at: c.at }),
    values,
    files: local.files,
    tools: entry ? [DPKG_PARSECHANGELOG] : [],
    run: async (_v, ctx) => {
      const src = join(ctx.out, SOURCE_DIR);
      await copyTree(local, names, src);
      if (entry) await writeChangelog(values, src, ctx, toolEnv({ sourceDateEpoch: 0 }, ctx));
    },
  });
}

async function copyTree(local: Local, names: readonly string[], to: string): Promise<void> {
  const executable = new Set(local.executables);
  for (const name of names) {
    const target = join(to, name);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(local.dir, name), target);
    await chmod(target, executable.has(name) ? 0o755 : 0o644);
  }
}

