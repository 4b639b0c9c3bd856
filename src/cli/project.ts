// Loads the Targetfile into a checked target graph, for every command that needs one.

import { resolve } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { TargetGraph } from '../core/graph.ts';
import { loadTargetfile, type LoadedProject } from '../project/load.ts';
import { plainTargets } from '../project/plain-targets.ts';
import type { Io } from './main.ts';
import type { Options } from './options.ts';

export interface Project {
  readonly loaded: LoadedProject;
  readonly graph: TargetGraph;
}

export async function openProject(options: Options, io: Io): Promise<Result<Project>> {
  const loaded = await loadTargetfile(resolve(io.cwd, options.file ?? 'Targetfile.ts'));
  if (!loaded.ok) return loaded;
  const specs = plainTargets(loaded.value.targets, io.env);
  if (!specs.ok) return specs;
  if (specs.value.length === 0) {
    return fail({ message: 'the Targetfile declares no targets', at: { file: loaded.value.file, line: 1 }, hint: 'export target({...}) values' });
  }
  const graph = TargetGraph.build(specs.value);
  if (!graph.ok) return graph;
  return ok({ loaded: loaded.value, graph: graph.value });
}
