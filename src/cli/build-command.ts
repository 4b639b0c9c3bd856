// `mkimage [TARGET...]`: build (or, with -n, plan) the goals, then copy their outputs out.
// Goals are plain targets of the Targetfile or images of its profiles (`server-mini.iso`).

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { formatDiagnostic } from '../core/diagnostic.ts';
import { build } from '../core/engine.ts';
import type { EngineEvent } from '../core/events.ts';
import { TargetGraph } from '../core/graph.ts';
import type { TargetId } from '../core/ids.ts';
import { plan } from '../core/plan.ts';
import { parseState } from '../core/state.ts';
import { defaultStoreRoot, LocalStore } from '../cache/local-store.ts';
import { parseImageTarget, type ImageTarget } from '../profile/image-targets.ts';
import { jsonLogger } from '../ui/json-logger.ts';
import { plainLogger } from '../ui/plain-logger.ts';
import { planImages, type ImagePlan } from './image-goals.ts';
import { writeImageRecords } from './image-outputs.ts';
import { printDiagnostic, type ExitCode, type Io } from './main.ts';
import type { Options } from './options.ts';
import { materialize } from './outputs.ts';
import { openProject } from './project.ts';
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
  const { loaded, library } = project.value;
  const storeRoot = resolve(io.cwd, options.store ?? defaultStoreRoot(io.env));

  // Sort the goals: plain targets, or images of the profiles.
  const plainGoals: TargetId[] = [];
  const imageNames: ImageTarget[] = [];
  for (const name of positionals) {
    const image = library && !project.value.graph.has(name) ? parseImageTarget(library, name) : undefined;
    if (image && !image.ok) {
      printDiagnostic(io, image.error);
      return 2;
    }
    if (image) {
      imageNames.push(image.value);
      continue;
    }
    const goal = project.value.graph.goal(name);
    if (!goal.ok) {
      printDiagnostic(io, goal.error);
      return 2;
    }
    plainGoals.push(goal.value);
  }
  if (positionals.length === 0) plainGoals.push(...project.value.graph.sinks());
  let images: ImagePlan | undefined;
  if (imageNames.length > 0) {
    const planned = planImages(library!, imageNames, io.env, storeRoot, options.mirror);
    if (!planned.ok) {
      printDiagnostic(io, planned.error);
      return 2;
    }
    images = planned.value;
    for (const w of images.warnings) io.err(`mkimage: warning: ${formatDiagnostic(w)}`);
  }
  const graph = images ? TargetGraph.build([...project.value.specs, ...images.specs]) : { ok: true as const, value: project.value.graph };
  if (!graph.ok) {
    printDiagnostic(io, graph.error);
    return 2;
  }
  const goals = [...plainGoals, ...(images?.goals.map((g) => g.goal) ?? [])];

  const store = await LocalStore.open(storeRoot);
  try {
    // The state of a project is keyed by its Targetfile's path: two checkouts keep their own.
    const key = createHash('sha256').update(loaded.file).digest('hex').slice(0, 16);
    const previous = parseState(store.readState(key));
    const common = { graph: graph.value, goals, root: loaded.root, previous, env: io.env, alwaysMake: options['always-make'] ?? false };
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
        logsDir: join(store.logsDir, key),
        jobs,
        keepGoing: options['keep-going'] ?? false,
        emit,
        signal: io.signal,
      });
      if (result.stateChanged) store.writeState(key, result.state);
      if (result.interrupted) return 130;
      const outDir = resolve(io.cwd, options.out ?? join(loaded.root, 'out'));
      const imageGoals = new Set(images?.goals.map((g) => g.goal));
      const built = goals.filter((g) => result.outcomes.get(g)?.digest);
      const written = await materialize(
        store,
        outDir,
        built.map((g) => ({ goal: g, digest: result.outcomes.get(g)!.digest!, layout: imageGoals.has(g) ? ('files' as const) : ('dir' as const) })),
      );
      if (images) await writeImageRecords({ store, view, outDir, images, result, previous: result.state, written });
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
