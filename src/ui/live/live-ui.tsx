// The live UI as the CLI sees it: start it on a terminal, feed it engine events, tell it the
// outputs, finish it. Events only update the model; a timer redraws at most FPS times a
// second when something changed (and once a second while targets run, for their clocks), so
// a build printing thousands of lines a second costs a few renders, not thousands.

import { render } from 'ink';
import type { EngineEvent } from '../../core/events.ts';
import type { TargetId } from '../../core/ids.ts';
import { LiveApp } from './app.tsx';
import type { LiveNode } from './graph-layers.ts';
import { LiveModel, type BuiltOutput } from './model.ts';
import { painter } from './paint.ts';

/** Redraws a second at most: enough for a person, little for the machine. */
export const FPS = 10;

export interface LiveUiOptions {
  /** A terminal (stdout.isTTY): the UI draws in place and follows its size. */
  readonly stdout: NodeJS.WriteStream;
  /** Keys are read when it is a terminal; without one, Ctrl-C is the terminal's SIGINT. */
  readonly stdin: NodeJS.ReadStream;
  /**
   * Targets and their prerequisites: at least those the build will report (build-started
   * says which of them are in the build; the others are not drawn).
   */
  readonly graph: readonly LiveNode[];
  /** Each target's duration in earlier builds (BuildState), for ETAs. */
  readonly expectedMs?: ReadonlyMap<TargetId, number>;
  /** No colour and no other SGR sequence (NO_COLOR; see colorAllowed). */
  readonly noColor?: boolean;
  /**
   * `q` or Ctrl-C: stop the build (abort its signal). The UI goes on drawing the aborted
   * targets until finish(); it does not exit or unmount by itself.
   */
  readonly onQuit: () => void;
  /** The clock the frames show; tests pass a fixed one. */
  readonly now?: () => number;
}

export interface LiveUi {
  /** The engine's emit: cheap, never draws by itself. */
  emit(e: EngineEvent): void;
  /** The files the build wrote out, for the summary (call before finish). */
  showOutputs(outputs: readonly BuiltOutput[]): void;
  /** Shows a one-line message in the footer (watch mode's edits during the build). */
  note(text: string): void;
  /** Draws the last frame (graph and summary), leaves it on the terminal, gives the keys back. */
  finish(): Promise<void>;
}

export function startLiveUi(o: LiveUiOptions): LiveUi {
  const now = o.now ?? Date.now;
  const model = new LiveModel(o.graph, o.expectedMs);
  const paint = painter(!o.noColor);
  let drawnVersion = -1;
  let drawnSecond = -1;
  let final = false;

  const frame = () => (
    <LiveApp
      model={model}
      now={now()}
      columns={o.stdout.columns || 80}
      rows={o.stdout.rows || 24}
      paint={paint}
      onQuit={o.onQuit}
      final={final}
    />
  );
  const ink = render(frame(), {
    stdout: o.stdout,
    stdin: o.stdin,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: FPS,
  });
  const draw = () => {
    drawnVersion = model.version;
    drawnSecond = Math.floor(now() / 1000);
    ink.rerender(frame());
  };
  const timer = setInterval(() => {
    const ticking = model.running.size > 0 && Math.floor(now() / 1000) !== drawnSecond;
    if (model.version !== drawnVersion || ticking) draw();
  }, 1000 / FPS);
  const onResize = () => draw();
  o.stdout.on('resize', onResize);

  let finished: Promise<void> | undefined;
  return {
    emit: (e) => model.apply(e),
    showOutputs: (outputs) => model.setOutputs(outputs),
    note: (text) => model.setNote(text),
    finish() {
      finished ??= (async () => {
        clearInterval(timer);
        o.stdout.off('resize', onResize);
        final = true;
        draw();
        ink.unmount();
        await ink.waitUntilExit();
      })();
      return finished;
    },
  };
}
