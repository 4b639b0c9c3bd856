// `mkimage list`: the targets, one line each with its description, like `make help`.

import { printDiagnostic, type ExitCode, type Io } from './main.ts';
import type { Options } from './options.ts';
import { openProject } from './project.ts';

export async function listCommand(options: Options, io: Io): Promise<ExitCode> {
  const project = await openProject(options, io);
  if (!project.ok) {
    printDiagnostic(io, project.error);
    return 2;
  }
  const { graph } = project.value;
  const ids = graph.ids().sort();
  const width = Math.min(40, Math.max(...ids.map((id) => id.length)));
  for (const id of ids) io.out(`${id.padEnd(width)}  ${graph.spec(id).description ?? ''}`.trimEnd());
  return 0;
}
