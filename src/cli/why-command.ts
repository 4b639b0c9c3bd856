// `mkimage why TARGET...`: what made each target of the goals run the last time it ran, as
// the builds kept it (the reasons --explain prints), so nobody has to have asked for
// --explain beforehand. Nothing is built; what would run now is `mkimage -n --explain`.

import { parseState } from '../core/state.ts';
import { LocalStore } from '../cache/local-store.ts';
import { localTime, whyLines } from '../ui/why-report.ts';
import { prepare, stateKey } from './build-cycle.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';

export async function whyCommand(goals: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  if (goals.length === 0) {
    io.err('mkimage: why needs a target or an image (hint: mkimage why server-mini.iso)');
    return 2;
  }
  // Warnings about the profile belong to builds; why only reads.
  const prepared = await prepare({ goals, options, io, jobs: 1, signal: new AbortController().signal, lockMode: 'read' }, () => undefined);
  if (!prepared.ok) {
    printDiagnostic(io, prepared.error);
    return 2;
  }
  const { graph, loaded } = prepared.value;
  const store = await LocalStore.open(prepared.value.storeRoot);
  let state;
  try {
    state = parseState(store.readState(stateKey(loaded)));
  } finally {
    await store.dispose();
  }
  const rows = graph.topological(graph.closure(prepared.value.goals)).map((id) => ({
    target: id,
    built: state.targets[id]?.digest !== undefined,
    ...(state.runs?.[id] && { run: state.runs[id] }),
  }));
  if (options.json) {
    io.out(JSON.stringify({ lastBuild: state.started ?? null, targets: rows }));
    return 0;
  }
  for (const line of whyLines({ goals, rows, time: localTime, ...(state.started !== undefined && { lastBuild: state.started }) })) io.out(line);
  io.out('(what would run now, and why: mkimage -n --explain ' + goals.join(' ') + ')');
  return 0;
}
