// Loads the Targetfile into a checked target graph and, if it declares profiles(), the
// profile library, for every command that needs them.

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { typecheck } from '../project/typecheck.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { TargetGraph } from '../core/graph.ts';
import type { TargetSpec } from '../core/target.ts';
import { loadTargetfile, ModuleLoader, type LoadedProject } from '../project/load.ts';
import { plainTargets } from '../project/plain-targets.ts';
import { loadLibrary, type Library } from '../profile/library.ts';
import { storeRoot, type Io } from './io.ts';
import type { Options } from './options.ts';

export interface Project {
  readonly loaded: LoadedProject;
  /** The plain targets, checked as a graph of their own. */
  readonly graph: TargetGraph;
  readonly specs: readonly TargetSpec[];
  readonly library?: Library;
}

export async function openProject(options: Options, io: Io): Promise<Result<Project>> {
  // Profiles compiled to JavaScript are kept in the store, by the content they came from.
  const loader = new ModuleLoader({ cacheDir: join(storeRoot(options, io), 'state', 'compiled') });
  try {
    return await load(loader, options, io);
  } finally {
    await loader.close();
  }
}

async function load(loader: ModuleLoader, options: Options, io: Io): Promise<Result<Project>> {
  const loaded = await loadTargetfile(resolve(io.cwd, options.file ?? 'Targetfile.ts'), loader);
  if (!loaded.ok) return loaded;
  performance.mark('Targetfile loaded');
  const { profiles, root, file } = loaded.value;
  let library: Library | undefined;
  if (profiles) {
    const lib = await loadLibrary(root, profiles, loader);
    if (!lib.ok) return lib;
    library = lib.value;
    performance.mark('profiles loaded');
    // The loader strips types without checking them; profiles are checked (and cached).
    const key = createHash('sha256').update(file).digest('hex').slice(0, 16);
    const typeError = await typecheck([...new Set([...loaded.value.modules, ...library.files])], join(storeRoot(options, io), 'state', `typecheck-${key}.json`));
    if (typeError) return fail(typeError);
    performance.mark('profiles type-checked');
  }
  const specs = plainTargets(loaded.value.targets, io.env);
  if (!specs.ok) return specs;
  if (specs.value.length === 0 && !library) {
    return fail({ message: 'the Targetfile declares no targets', at: { file, line: 1 }, hint: 'export target({...}) values, or profiles()' });
  }
  const graph = TargetGraph.build(specs.value);
  if (!graph.ok) return graph;
  return ok({ loaded: loaded.value, graph: graph.value, specs: specs.value, ...(library && { library }) });
}

/** For commands about profiles: the library, or the error that there is none. */
export function requireLibrary(project: Project): Result<Library> {
  return project.library
    ? ok(project.library)
    : fail({ message: 'the Targetfile declares no profiles', at: { file: project.loaded.file, line: 1 }, hint: "export default profiles() to load conf.d/ and features/" });
}
