// Resolves a distro named on the command line (`server-mini` or `server-mini.iso`).

import { fail, ok, type Result } from '../core/diagnostic.ts';
import { parseImageTarget } from '../profile/image-targets.ts';
import type { Library } from '../profile/library.ts';
import { resolveDistro, type ResolvedProfile } from '../profile/resolve.ts';
import type { Io } from './io.ts';
import type { Options } from './options.ts';
import { openProject, requireLibrary } from './project.ts';

export interface Named {
  readonly library: Library;
  readonly profile: ResolvedProfile;
  /** The image type, when the name had one. */
  readonly type?: string;
}

export async function resolveNamed(name: string, options: Options, io: Io): Promise<Result<Named>> {
  const project = await openProject(options, io);
  if (!project.ok) return project;
  const library = requireLibrary(project.value);
  if (!library.ok) return library;
  let distro = name;
  let type: string | undefined;
  if (!library.value.nodes.has(name)) {
    const target = parseImageTarget(library.value, name);
    if (target && !target.ok) return target;
    if (target) {
      distro = target.value.distro.name;
      type = target.value.type;
    }
  }
  const profile = resolveDistro(library.value, distro);
  if (!profile.ok) return fail(profile.error);
  return ok({ library: library.value, profile: profile.value, ...(type && { type }) });
}
