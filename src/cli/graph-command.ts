// `mkimage graph DISTRO[.TYPE] --format dot|mermaid|svg|json|tree [--vars] [--stages]`.

import { spawnSync } from 'node:child_process';
import { formatDiagnostic } from '../core/diagnostic.ts';
import { STAGES, stagesFor, type ImageType } from '../image/pipeline.ts';
import { buildsNeeded } from '../package/plan.ts';
import { configGraph, toDot, toJson, toMermaid, toTree, withPackages, withStages, type PackageNode } from '../profile/config-graph.ts';
import type { Library } from '../profile/library.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { imageUse, lockedConfigs } from './package-goals.ts';
import { ProjectLock } from './project-lock.ts';
import { resolveNamed } from './resolve-named.ts';

const FORMATS = ['dot', 'mermaid', 'svg', 'json', 'tree'] as const;

export async function graphCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const format = (options.format ?? 'tree') as (typeof FORMATS)[number];
  if (args.length !== 1 || !FORMATS.includes(format)) {
    io.err(`mkimage: graph wants one distro and --format ${FORMATS.join('|')} (got ${args.join(' ') || 'no distro'}, ${format})`);
    return 2;
  }
  const named = await resolveNamed(args[0]!, options, io);
  if (!named.ok) {
    printDiagnostic(io, named.error);
    return 2;
  }
  for (const w of named.value.profile.warnings) io.err(`mkimage: warning: ${formatDiagnostic(w)}`);
  const config = configGraph(named.value.library, named.value.profile, { vars: options.vars ?? false });
  // The stages of the image type named (server-mini.tar), else of the ISO, and the package builds that feed them.
  const graph = options.stages ? withPackages(withStages(config, stagesFor((named.value.type ?? 'iso') as ImageType).map((s) => STAGES[s])), packageNodes(named.value.library, named.value.profile.distro)) : config;
  switch (format) {
    case 'dot':
      io.out(toDot(graph).trimEnd());
      return 0;
    case 'mermaid':
      io.out(toMermaid(graph).trimEnd());
      return 0;
    case 'json':
      io.out(toJson(graph).trimEnd());
      return 0;
    case 'tree':
      io.out(toTree(graph).trimEnd());
      return 0;
    case 'svg': {
      const r = spawnSync('dot', ['-Tsvg'], { input: toDot(graph), encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.error || r.status !== 0) {
        io.err(`mkimage: Graphviz could not render svg: ${r.error?.message ?? r.stderr.trim()} (hint: apt-get install graphviz)`);
        return 1;
      }
      io.out(r.stdout.trimEnd());
      return 0;
    }
  }
}

/**
 * The package builds the distro's image takes (declared by a feature of its profile, building
 * or replacing a binary its lock entry installs) and those they are built against, as the
 * lock has them; none before a build has locked the distro and its builds (the dependents
 * come from the archive's indexes then).
 */
function packageNodes(library: Library, distro: string): PackageNode[] {
  const lock = library.packages.size > 0 ? ProjectLock.read(library.root) : undefined;
  const entry = lock?.ok ? lock.value.entries.get(distro) : undefined;
  if (!lock?.ok || !entry) return [];
  const configs = lockedConfigs(library, lock.value);
  const { taken, needed } = buildsNeeded(imageUse(library, distro, entry), configs);
  return configs
    .filter((c) => needed.has(c.name))
    .map((c) => ({ name: c.name, version: c.version, ...(c.name === c.build && { feature: library.packages.get(c.build)!.feature }), after: c.after, taken: taken.has(c.name) }));
}
