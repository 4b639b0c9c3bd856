// Picks the way a build is shown, and composes the live terminal UI (src/ui/live) with the
// build command and watch mode. The live UI is used only on a terminal, and not with --json,
// --plain or in CI; ink and React are loaded only then.

import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Emit } from '../core/events.ts';
import type { TargetGraph } from '../core/graph.ts';
import type { TargetId } from '../core/ids.ts';
import type { BuildState } from '../core/state.ts';
import type { LiveNode, LiveUi } from '../ui/live/index.ts';
import type { WatchStatus, WatchView } from '../watch/view.ts';
import { statusLine } from '../ui/plain-watch-view.ts';
import type { Io, Terminal } from './io.ts';
import type { Options } from './options.ts';
import type { Materialized } from './outputs.ts';

/** The build about to run, as the live UI draws it. */
export interface BuildPicture {
  readonly graph: TargetGraph;
  readonly goals: readonly TargetId[];
  readonly previous: BuildState;
}

/** The terminal to draw on, when the live UI is wanted; undefined for the plain logger. */
export function liveTerminal(options: Options, io: Io): Terminal | undefined {
  if (!io.terminal || options.json || options.plain) return undefined;
  const ci = io.env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false') return undefined;
  return io.terminal;
}

/** One build drawn live: started when the build's picture is known, finished by the caller. */
export class LiveBuild {
  private ui: LiveUi | undefined;

  constructor(
    private readonly terminal: Terminal,
    private readonly env: Io['env'],
    private readonly onQuit: () => void,
  ) {}

  /** Draws `picture`; the build awaits this before its first event. */
  async start(picture: BuildPicture): Promise<void> {
    const { startLiveUi, colorAllowed } = await import('../ui/live/index.ts');
    this.ui = startLiveUi({
      stdout: this.terminal.stdout,
      stdin: this.terminal.stdin,
      graph: liveNodes(picture.graph, picture.graph.closure(picture.goals)),
      expectedMs: expectedDurations(picture.previous),
      noColor: !colorAllowed(this.env),
      onQuit: this.onQuit,
    });
  }

  readonly emit: Emit = (e) => this.ui?.emit(e);

  note(text: string): void {
    this.ui?.note(text);
  }

  async outputs(written: readonly Materialized[]): Promise<void> {
    const files = written.flatMap((m) => m.paths);
    const sized = await Promise.all(files.map(async (path) => ({ path, bytes: await bytesOf(path) })));
    this.ui?.showOutputs(sized);
  }

  /** The last frame (graph and summary) stays on the terminal. */
  async finish(): Promise<void> {
    await this.ui?.finish();
    this.ui = undefined;
  }
}

/**
 * Watch mode on a terminal: each build drawn live, the watcher's messages as lines between
 * builds (an edit seen during a build in the live footer). `q` stops watching.
 */
export function liveWatchView(terminal: Terminal, io: Io, onQuit: () => void): WatchView & { picture(p: BuildPicture): Promise<void>; written(w: readonly Materialized[]): Promise<void> } {
  let current: LiveBuild | undefined;
  // Lines and frames go out in order: a line waits for the frame before it to finish.
  let queue: Promise<void> = Promise.resolve();
  const later = (step: () => Promise<void> | void) => {
    queue = queue.then(step).catch((e: unknown) => io.err(`mkimage: the live view failed: ${e instanceof Error ? e.message : String(e)}`));
  };
  const finishCurrent = () => {
    const done = current;
    current = undefined;
    if (done) later(() => done.finish());
  };
  return {
    picture(p) {
      finishCurrent();
      const next = new LiveBuild(terminal, io.env, onQuit);
      current = next;
      later(() => next.start(p));
      return queue;
    },
    build: () => {
      const live = current;
      return live ? live.emit : () => {};
    },
    written(w) {
      const live = current;
      if (live) later(() => live.outputs(w));
      return queue;
    },
    status(s: WatchStatus) {
      if (s.type === 'edit-during-build' && current) {
        const live = current;
        const line = statusLine(s);
        later(() => live.note(line));
        return;
      }
      if (s.type === 'outputs') return; // shown in the build's summary
      finishCurrent();
      later(() => (s.type === 'warning' || s.type === 'profile-error' ? io.err(`mkimage: ${statusLine(s)}`) : io.out(statusLine(s))));
    },
  };
}

/** A file's size, or the sum of the files' sizes under a directory (a plain target's output). */
async function bytesOf(path: string): Promise<number> {
  const top = await lstat(path).catch(() => undefined);
  if (!top?.isDirectory()) return top?.size ?? 0;
  const names = await readdir(path, { recursive: true });
  const sizes = await Promise.all(
    names.map(async (n) => {
      const s = await lstat(join(path, n));
      return s.isFile() ? s.size : 0;
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/** The targets (all of the graph, or `ids`) with their prerequisites: what the live UI lays out. */
export function liveNodes(graph: TargetGraph, ids: readonly TargetId[] = graph.ids()): LiveNode[] {
  return ids.map((id) => ({ id, deps: graph.spec(id).deps.map((d) => d.id) }));
}

/** Each target's duration in the build that last ran it: the ETA's basis. */
export function expectedDurations(state: BuildState): Map<TargetId, number> {
  const out = new Map<TargetId, number>();
  for (const [id, t] of Object.entries(state.targets)) if (t.durationMs !== undefined) out.set(id as TargetId, t.durationMs);
  return out;
}
