// `mkimage --watch [TARGET...]`: the composition root of watch mode. It picks the view and
// gives the watcher one build cycle of the build command, chokidar and the CLI's abort signal.

import { dirname, join, resolve } from 'node:path';
import { chokidarWatcher } from '../watch/file-watcher.ts';
import { jsonView } from '../ui/json-watch-view.ts';
import { plainView } from '../ui/plain-watch-view.ts';
import type { WatchView } from '../watch/view.ts';
import { isDirectory, WatchPlan } from '../watch/watch-plan.ts';
import { watch, type BuildCycle, type BuildHooks } from '../watch/watcher.ts';
import { buildCycle } from './build-cycle.ts';
import { liveTerminal, liveWatchView, type BuildPicture } from './live-view.ts';
import { outDir, storeRoot, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';

export interface WatchOverrides {
  /** Another view (the ink UI; a recording one in tests). */
  readonly view?: WatchView;
  readonly debounceMs?: number;
}

/** Builds, then rebuilds on each edit until io.signal is aborted: exits 130. */
export async function watchCommand(goals: readonly string[], options: Options, io: Io, jobs: number, overrides: WatchOverrides = {}): Promise<ExitCode> {
  // `q` in the live UI stops watching, like Ctrl-C.
  const quit = new AbortController();
  const terminal = overrides.view ? undefined : liveTerminal(options, io);
  const live = terminal && liveWatchView(terminal, io, () => quit.abort(new Error('quit')));
  const view = overrides.view ?? live ?? pickView(options, io);
  const targetfile = resolve(io.cwd, options.file ?? 'Targetfile.ts');
  const root = dirname(targetfile);
  // Until the first load says where the profiles are: the Targetfile and the usual folders.
  const initial = WatchPlan.of({
    root,
    modules: [targetfile],
    profileDirs: ['conf.d', 'features'].map((d) => join(root, d)).filter(isDirectory),
    targets: [],
    ignored: [outDir(options, io, root), storeRoot(options, io)],
  });
  const cycle: BuildCycle = async (signal, hooks) => {
    const outcome = await runCycle(signal, hooks);
    if (outcome.kind !== 'unwritable') return outcome;
    // A full disk is no profile error: said, and the next edit tries again.
    view.status({ type: 'warning', diagnostic: outcome.error });
    return { code: outcome.code };
  };
  const runCycle = (signal: AbortSignal, hooks: BuildHooks) =>
    buildCycle(
      { goals, options, io, jobs, signal },
      {
        emit: hooks.emit,
        planned: (input) => hooks.planned(WatchPlan.of(input)),
        warning: (diagnostic) => view.status({ type: 'warning', diagnostic }),
        ...(live && { starting: (picture: BuildPicture) => live.picture(picture) }),
        written: (written) => {
          if (live) void live.written(written);
          const copied = written.filter((m) => m.copied);
          if (copied.length > 0) view.status({ type: 'outputs', outputs: copied.map((m) => ({ goal: m.goal, paths: m.paths })) });
        },
      },
    );
  return watch({
    cycle,
    view,
    initial,
    files: chokidarWatcher,
    signal: AbortSignal.any([io.signal, quit.signal]),
    ...(overrides.debounceMs !== undefined && { debounceMs: overrides.debounceMs }),
  });
}

/** --json: JSON lines; otherwise plain lines. (The ink view plugs in here.) */
export function pickView(options: Options, io: Io): WatchView {
  return options.json
    ? jsonView(io.out)
    : plainView({ out: io.out, err: io.err, explain: options.explain ?? false, verbose: options.verbose ?? false });
}
