// The project's own package builds as apt sources of a root while a script installs from them
// (the packages stage of an image, the build dependencies of another package build): each
// build's flat repository copied in, a sources list naming them, and a pin of priority 1001 so
// that their packages win over the archive's, whatever the versions, and never the other way
// round. All of it is taken out again afterwards: the root keeps only what was installed.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../proc/run.ts';
import type { StepIo } from './step-io.ts';
import { HOST_PATH } from './tools/tool.ts';

export const BUILT_REPOS_IN_ROOT = 'var/lib/mkimage-built';
/** The Label of a build's repository (archive/flat-repo.ts writes it in its Release): what the pin matches. */
export const BUILT_REPO_LABEL = 'mkimage-build';
const SOURCES = 'etc/apt/sources.list.d/mkimage-built.list';
const PIN = 'etc/apt/preferences.d/mkimage-built.pref';

export const builtPin = () => `Package: *\nPin: release l=${BUILT_REPO_LABEL}\nPin-Priority: 1001\n`;

/** The repositories (name -> a build's output) as sources of `root`; returns what takes them out again. */
export async function addBuiltRepos(root: string, repos: Readonly<Record<string, string>>, io: StepIo): Promise<() => Promise<void>> {
  const names = Object.keys(repos).sort();
  const undo = async () => {
    await rm(join(root, BUILT_REPOS_IN_ROOT), { recursive: true, force: true });
    await rm(join(root, SOURCES), { force: true });
    await rm(join(root, PIN), { force: true });
  };
  if (names.length === 0) return async () => {};
  try {
    await mkdir(join(root, BUILT_REPOS_IN_ROOT), { recursive: true });
    for (const name of names) {
      await run('cp', ['-a', '--reflink=auto', '--no-target-directory', `${repos[name]}/.`, join(root, BUILT_REPOS_IN_ROOT, name)], { cwd: io.tmp, env: { PATH: HOST_PATH }, signal: io.signal, output: io.output.bind(io) });
    }
    await mkdir(join(root, 'etc/apt/sources.list.d'), { recursive: true });
    await mkdir(join(root, 'etc/apt/preferences.d'), { recursive: true });
    await writeFile(join(root, SOURCES), names.map((n) => `deb [trusted=yes] file:/${BUILT_REPOS_IN_ROOT}/${n} ./\n`).join(''));
    await writeFile(join(root, PIN), builtPin());
  } catch (e) {
    await undo();
    throw e;
  }
  return undo;
}
