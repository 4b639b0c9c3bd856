// What watch mode shows, as data: a view gets a fresh engine-event sink for each build and
// the watcher's own status messages. The views live in src/ui (plain, --json, live); a view
// draws, it decides nothing.

import type { Diagnostic } from '../core/diagnostic.ts';
import type { Emit } from '../core/events.ts';

export interface WatchView {
  /** A fresh sink for the engine events of one build (called as the engine starts it). */
  build(): Emit;
  /** The watcher's own messages, between and around builds. */
  status(status: WatchStatus): void;
}

/** Changed paths are relative to the project root (absolute when outside it); output paths are absolute. */
export type WatchStatus =
  /** Waiting for an edit. `last` says how the last build ended. */
  | { readonly type: 'watching'; readonly files: number; readonly dirs: number; readonly last: BuildEnding }
  /** Edits since the last build started (debounced): a build of them starts now. */
  | { readonly type: 'changed'; readonly paths: readonly string[] }
  /**
   * An edit landed while a build ran. `abort`: the build's remaining work used what changed,
   * so it is stopped now; `finish`: it did not, so the build runs to its end. Either way a
   * new build with every edit follows. Said once per build and decision.
   */
  | { readonly type: 'edit-during-build'; readonly path: string; readonly decision: 'abort' | 'finish'; readonly reason: string }
  /** The profile does not load, or names no such goal: nothing was built; a fix rebuilds. */
  | { readonly type: 'profile-error'; readonly diagnostic: Diagnostic }
  /** A diagnostic that did not stop the build (an image's warnings). */
  | { readonly type: 'warning'; readonly diagnostic: Diagnostic }
  /** The goals' outputs, copied out of the store (only those that changed). */
  | { readonly type: 'outputs'; readonly outputs: ReadonlyArray<{ readonly goal: string; readonly paths: readonly string[] }> }
  /** The file watcher failed (out of inotify watches, a permission); watching goes on. */
  | { readonly type: 'watch-error'; readonly message: string }
  /** Ctrl-C: the watcher stopped, after aborting the running build if there was one. */
  | { readonly type: 'stopped'; readonly abortedBuild: boolean };

export type BuildEnding =
  /** Every goal built. */
  | 'ok'
  /** A target failed. */
  | 'failed'
  /** The profile did not load. */
  | 'profile-error';
