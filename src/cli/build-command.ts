// `mkimage [TARGET...]`: build (or, with -n, only decide) the goals, then copy their outputs
// out: one build cycle (build-cycle.ts), drawn live on a terminal or logged line by line.
// With --watch, watch mode runs the cycle again after each edit (watch-command.ts).

import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.ts';
import { dryRun } from '../core/dry-run.ts';
import { parseState } from '../core/state.ts';
import { LocalStore } from '../cache/local-store.ts';
import { jsonLogger } from '../ui/json-logger.ts';
import { plainLogger } from '../ui/plain-logger.ts';
import { buildCycle, prepare, stateKey, type CycleOutcome, type CycleRequest } from './build-cycle.ts';
import { printDiagnostic, type ExitCode, type Io, type Terminal } from './io.ts';
import { LiveBuild, liveTerminal } from './live-view.ts';
import type { Options } from './options.ts';

export async function buildCommand(positionals: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const jobs = options.jobs === undefined ? io.cores : Number(options.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    io.err(`mkimage: -j wants a positive whole number, not ${options.jobs}`);
    return 2;
  }
  if (options.watch) {
    if (options['dry-run']) {
      io.err('mkimage: --watch builds and --dry-run builds nothing: give one of them');
      return 2;
    }
    // Loaded only for watch mode: chokidar is not part of a plain build's start-up.
    const { watchCommand } = await import('./watch-command.ts');
    return watchCommand(positionals, options, io, jobs);
  }
  const request: CycleRequest = { goals: positionals, options, io, jobs, signal: io.signal };
  const warning = (w: Diagnostic) => io.err(`mkimage: warning: ${formatDiagnostic(w)}`);
  if (options['dry-run']) return printDryRun(request, warning);
  const terminal = liveTerminal(options, io);
  const outcome = terminal
    ? await liveCycle(request, terminal, warning)
    : await buildCycle(request, {
        emit: options.json ? jsonLogger(io.out) : plainLogger({ write: io.out, explain: options.explain ?? false, verbose: options.verbose ?? false }),
        warning,
        written: (written) => {
          for (const m of written) {
            // --json: every output, a cached one too, so a script learns where the image is.
            if (options.json) io.out(JSON.stringify({ type: 'written', target: m.goal, paths: m.paths, copied: m.copied, time: Date.now() }));
            else if (m.copied) io.out(`output   ${m.goal} -> ${m.paths.join(', ')}`);
          }
        },
      });
  // After the build's last line (and the live UI's last frame): why nothing was built, or why its outputs are not in out/.
  if (outcome.kind !== 'built') printDiagnostic(io, outcome.error);
  return outcome.code;
}

/** One build drawn by the live UI; `q` in it aborts the build like Ctrl-C. */
async function liveCycle(request: CycleRequest, terminal: Terminal, warning: (d: Diagnostic) => void): Promise<CycleOutcome> {
  const quit = new AbortController();
  const live = new LiveBuild(terminal, request.io.env, () => quit.abort(new Error('quit')));
  let outputs: Promise<void> = Promise.resolve();
  try {
    return await buildCycle(
      { ...request, signal: AbortSignal.any([request.signal, quit.signal]) },
      { emit: live.emit, warning, starting: (picture) => live.start(picture), written: (w) => void (outputs = live.outputs(w)) },
    );
  } finally {
    await outputs;
    await live.finish();
  }
}

/** `-n`: what would run and why; runs nothing. */
async function printDryRun(request: CycleRequest, warning: (d: Diagnostic) => void): Promise<ExitCode> {
  const { options, io } = request;
  // Runs nothing: the lock is used where it is current, never resolved or written.
  const prepared = await prepare({ ...request, lockMode: 'read' }, warning);
  if (!prepared.ok) {
    printDiagnostic(io, prepared.error);
    return 2;
  }
  const { loaded, storeRoot, graph, goals } = prepared.value;
  const store = await LocalStore.open(storeRoot);
  try {
    const previous = parseState(store.readState(stateKey(loaded)));
    const steps = await dryRun({ graph, goals, root: loaded.root, previous, env: io.env, alwaysMake: options['always-make'] ?? false, store });
    for (const s of steps) {
      if (options.json) io.out(JSON.stringify(s));
      else if (s.action === 'cached') io.out(`cached     ${s.target}`);
      else io.out(`${s.action === 'would-run' ? 'would run' : 'would fail'}  ${s.target}: ${s.reasons.join('; ')}`);
    }
    return 0;
  } finally {
    await store.dispose();
  }
}

