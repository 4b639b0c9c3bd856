// The file-system side of watch mode, behind a small port so the state machine can be driven
// by fake events in tests: chokidar watching what the latest WatchPlan asks, never the
// build's own outputs.

import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { watch as chokidar, type FSWatcher } from 'chokidar';
import type { PathChange, WatchPlan } from './watch-plan.ts';

export interface FileEvent {
  readonly change: PathChange;
  /** Absolute. */
  readonly path: string;
}

export interface FileWatcher {
  /** Watches what the plan asks instead of what the last one asked; resolves once it does. */
  watch(plan: WatchPlan): Promise<void>;
  /** Stops watching; no event is reported after it resolves. */
  close(): Promise<void>;
}

export type FileWatcherFactory = (onEvent: (e: FileEvent) => void, onError: (e: Error) => void) => FileWatcher;

const CHANGES = new Set<string>(['add', 'change', 'unlink', 'addDir', 'unlinkDir']);

/**
 * A plan whose paths differ gets a new chokidar instance, and the old one is closed only once
 * the new one is ready, so no edit falls into the gap. The ignore predicate reads the latest
 * plan, so a plan with the same paths (the usual case) costs nothing.
 */
export const chokidarWatcher: FileWatcherFactory = (onEvent, onError) => {
  let plan: WatchPlan | undefined;
  let current: { readonly key: string; readonly fsw: FSWatcher } | undefined;
  const live = new Set<FSWatcher>();
  let closed = false;
  let onClose!: () => void;
  const closing = new Promise<void>((resolve) => (onClose = resolve));
  let queue = Promise.resolve();

  const swap = async (next: WatchPlan) => {
    plan = next;
    const roots = next.roots();
    const key = roots.join('\0');
    if (closed || current?.key === key) return;
    const fsw = chokidar(existing(roots), { ignoreInitial: true, ignored: (path: string) => plan!.ignores(path) });
    live.add(fsw);
    fsw.on('all', (change, path) => {
      if (!closed && CHANGES.has(change)) onEvent({ change: change as PathChange, path });
    });
    fsw.on('error', (e) => onError(e instanceof Error ? e : new Error(String(e))));
    await Promise.race([new Promise<void>((resolve) => fsw.once('ready', resolve)), closing]);
    if (closed) return;
    const old = current;
    current = { key, fsw };
    if (old) {
      live.delete(old.fsw);
      await old.fsw.close();
    }
  };

  return {
    watch: (next) => {
      const done = queue.then(() => swap(next));
      queue = done.catch(() => undefined);
      return done;
    },
    close: async () => {
      closed = true;
      onClose();
      await Promise.all([...live].map((f) => f.close()));
      live.clear();
    },
  };
};

/**
 * Each path, or its nearest ancestor that exists: chokidar waits for a missing path only if
 * its parent exists. The plan's ignore predicate keeps ancestors and prunes the rest, so the
 * watcher walks down to the path when it appears.
 */
function existing(roots: readonly string[]): string[] {
  const out = new Set<string>();
  for (let p of roots) {
    while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
    out.add(p);
  }
  return [...out];
}
