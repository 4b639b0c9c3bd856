// `mkimage new feature NAME`: scaffolds features/NAME/ (see profile/scaffold.ts), checks that
// the library still loads with it, and says how to use it. An existing folder is left alone.

import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { formatDiagnostic } from '../core/diagnostic.ts';
import { FEATURE_NAME, featureScaffold } from '../profile/scaffold.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { openProject } from './project.ts';
import { writeFailure } from './writable.ts';

export async function newCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const [kind, name, ...extra] = args;
  if (kind !== 'feature' || !name || extra.length > 0) {
    io.err('mkimage: new wants: feature NAME (hint: mkimage new feature web-page)');
    return 2;
  }
  if (!FEATURE_NAME.test(name)) {
    io.err(`mkimage: ${JSON.stringify(name)} is no feature name (hint: lower case letters, digits and -, starting with a letter)`);
    return 2;
  }
  const project = await openProject(options, io);
  if (!project.ok) {
    printDiagnostic(io, project.error);
    return 2;
  }
  const { loaded } = project.value;
  if (!loaded.profiles) {
    io.err(`mkimage: ${relative(io.cwd, loaded.file)} declares no profiles() (hint: export const profiles = profiles() in it)`);
    return 2;
  }
  const dir = join(resolve(loaded.root, loaded.profiles.features), name);
  if (existsSync(dir)) {
    io.err(`mkimage: ${relative(io.cwd, dir)} exists already`);
    return 1;
  }
  // Written beside it and renamed into place: a full disk leaves no half-made feature behind.
  const fresh = `${dir}.mkimage-new-${process.pid}`;
  try {
    for (const f of featureScaffold(name)) {
      mkdirSync(dirname(join(fresh, f.path)), { recursive: true });
      writeFileSync(join(fresh, f.path), f.text);
      chmodSync(join(fresh, f.path), f.mode);
    }
    renameSync(fresh, dir);
  } catch (err) {
    rmSync(fresh, { recursive: true, force: true });
    const failure = writeFailure(err);
    if (!failure) throw err;
    io.err(`mkimage: cannot write ${relative(io.cwd, dir)}: ${failure.words}`);
    return 1;
  }
  // What was written must load: otherwise it goes again, and the error says why.
  const check = await openProject(options, io);
  if (!check.ok) {
    rmSync(dir, { recursive: true, force: true });
    io.err(`mkimage: the new feature does not load: ${formatDiagnostic(check.error)}`);
    return 1;
  }
  const shown = relative(io.cwd, dir) || '.';
  io.out(`created ${shown}/: feature.ts, README.md, lists/${name}, rootfs/etc/${name}/README, hooks/50-${name}`);
  io.out(`next: add 'use/${name}' to a distro's needs in conf.d/, then mkimage show DISTRO, and mkimage DISTRO.iso`);
  return 0;
}
