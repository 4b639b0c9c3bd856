// `mkimage [TARGET...]`: build (or, with -n, plan) the goals, then copy their outputs out.

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { build } from '../core/engine.ts';
import type { EngineEvent } from '../core/events.ts';
import type { TargetId } from '../core/ids.ts';
import { plan } from '../core/plan.ts';
import { parseState } from '../core/state.ts';
import { defaultStoreRoot, LocalStore } from '../cache/local-store.ts';
import { jsonLogger } from '../ui/json-logger.ts';
import { plainLogger } from '../ui/plain-logger.ts';
import { printDiagnostic, type ExitCode, type Io } from './main.ts';
import type { Options } from './options.ts';
import { materialize } from './outputs.ts';
import { openProject } from './project.ts';
import { parseImageTarget } from '../profile/image-targets.ts';
import { engineStore } from './store-port.ts';

export async function buildCommand(positionals: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const jobs = options.jobs === undefined ? io.cores : Number(options.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    io.err(`mkimage: -j wants a positive whole number, not ${options.jobs}`);
    return 2;
  }
  const project = await openProject(options, io);
  if (!project.ok) {
    printDiagnostic(io, project.error);
    return 2;
  }
  const { graph, loaded, library } = project.value;
  const goals: TargetId[] = [];
  for (const name of positionals) {
    const image = library && !graph.has(name) ? parseImageTarget(library, name) : undefined;
    if (image && !image.ok) {
      printDiagnostic(io, image.error);
      return 2;
    }
    const goal = graph.goal(name);
    if (!goal.ok) {
      printDiagnostic(io, goal.error);
      return 2;
    }
    goals.push(goal.value);
  }
  if (goals.length === 0) goals.push(...graph.sinks());

  const store = await LocalStore.open(resolve(io.cwd, options.store ?? defaultStoreRoot(io.env)));
  try {
    // The state of a project is keyed by its Targetfile's path: two checkouts keep their own.
    const project = createHash('sha256').update(loaded.file).digest('hex').slice(0, 16);
    const previous = parseState(store.readState(project));
    const common = { graph, goals, root: loaded.root, previous, env: io.env, alwaysMake: options['always-make'] ?? false };
    if (options['dry-run']) {
      const steps = await plan({ ...common, store });
      for (const s of steps) {
        if (options.json) io.out(JSON.stringify(s));
        else if (s.action === 'cached') io.out(`cached     ${s.target}`);
        else io.out(`${s.action === 'would-run' ? 'would run' : 'would fail'}  ${s.target}: ${s.reasons.join('; ')}`);
      }
      return 0;
    }
    const emit: (e: EngineEvent) => void = options.json
      ? jsonLogger(io.out)
      : plainLogger({ write: io.out, explain: options.explain ?? false, verbose: options.verbose ?? false });
    const release = await store.acquireShared(io.signal).catch(() => undefined);
    if (!release) return 130;
    const view = await store.readOnlyView();
    try {
      const result = await build({
        ...common,
        store: engineStore(store, view),
        logsDir: join(store.logsDir, project),
        jobs,
        keepGoing: options['keep-going'] ?? false,
        emit,
        signal: io.signal,
      });
      store.writeState(project, result.state);
      if (result.interrupted) return 130;
      const outDir = resolve(io.cwd, options.out ?? join(loaded.root, 'out'));
      const built = goals.filter((g) => result.outcomes.get(g)?.digest);
      const written = await materialize(store, outDir, built.map((g) => ({ goal: g, digest: result.outcomes.get(g)!.digest!, layout: 'dir' as const })));
      for (const m of written) if (!options.json && m.copied) io.out(`output   ${m.goal} -> ${m.paths.join(', ')}`);
      return result.ok ? 0 : 1;
    } finally {
      await view.dispose();
      await release();
    }
  } finally {
    await store.dispose();
  }
}
