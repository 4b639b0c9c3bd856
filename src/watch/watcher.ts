// Watch mode: build, then rebuild whenever a watched file changes. It owns when to build and
// when to stop one; a build cycle (load the profile fresh, build, copy out), the file
// watcher, the clock and the view are given to it.
//
//                 edit: kept for the next build; abort this one now
//                 ┌────┐   or let it finish (see `judge`), and say which
//                 ▼    │
//   start ──► building ┴──── ends, no edit kept ────► watching (or waiting for a fix,
//                ▲  │                                    │      if the profile did not load)
//                │  └─────── ends, edits kept ──┐        │ edit
//                │                              ▼        ▼
//                └──── quiet for debounceMs ──── debouncing ◄─┐
//                                                    │        │ edit: restart the timer
//                                                    └────────┘
//
//   any state ── stop (Ctrl-C) ──► stopped: a running build is aborted and awaited (the
//                                  engine's guarantees: recipes killed, nothing half-stored),
//                                  the file watcher closed; watch() resolves 130.
//
// Edits are paths the current WatchPlan says matter; everything else (the out dir, the
// store, files no target reads) is dropped before it reaches the state machine.

import { resolve } from 'node:path';
import type { Diagnostic } from '../core/diagnostic.ts';
import type { Emit } from '../core/events.ts';
import type { TargetId } from '../core/ids.ts';
import type { FileEvent, FileWatcherFactory, FileWatcher } from './file-watcher.ts';
import type { BuildEnding, WatchView } from './view.ts';
import type { Touch, WatchPlan } from './watch-plan.ts';

export interface BuildHooks {
  /** The build's sink for engine events. */
  readonly emit: Emit;
  /**
   * Called once the profile is loaded and the build's targets are known, before any target
   * runs; the build waits for it (the watcher watches the new plan first).
   */
  planned(plan: WatchPlan): Promise<void>;
}

export interface CycleEnd {
  /** 0 built, 1 a target failed, 2 the profile or the goals are invalid, 130 interrupted. */
  readonly code: 0 | 1 | 2 | 130;
  /** Why the profile did not load (with code 2). */
  readonly error?: Diagnostic;
}

/** One build: load the profile fresh, build, copy the outputs out. Aborting `signal` stops it. */
export type BuildCycle = (signal: AbortSignal, hooks: BuildHooks) => Promise<CycleEnd>;

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WatchOptions {
  readonly cycle: BuildCycle;
  readonly view: WatchView;
  /** What to watch until the first build has loaded the profile (the Targetfile, conf.d/...). */
  readonly initial: WatchPlan;
  readonly files: FileWatcherFactory;
  /** Aborting it stops watching. */
  readonly signal: AbortSignal;
  /** Quiet time after an edit before a build starts (default 200 ms). */
  readonly debounceMs?: number;
  readonly clock?: Clock;
}

export const DEFAULT_DEBOUNCE_MS = 200;

/** Builds, then rebuilds on every edit until `signal` is aborted; resolves 130 then. */
export function watch(o: WatchOptions): Promise<130> {
  return new Watcher(o).run();
}

interface Build {
  readonly controller: AbortController;
  /** The build's targets and inputs, once the profile has loaded. */
  plan?: WatchPlan;
  /** Targets that reached an end (cached, built, failed, skipped, aborted). */
  readonly finished: Set<TargetId>;
  /** What edits during the build decided; abort outranks finish. */
  decision?: 'abort' | 'finish';
  done?: Promise<void>;
}

type State =
  | { readonly name: 'watching' }
  | { readonly name: 'debouncing'; readonly timer: unknown }
  | { readonly name: 'building'; readonly build: Build }
  | { readonly name: 'stopped' };

interface Judgement {
  readonly decision: 'abort' | 'finish';
  readonly reason: string;
}

const FINISHED = new Set(['cached', 'succeeded', 'failed', 'skipped', 'aborted']);

class Watcher {
  private state: State = { name: 'watching' };
  /** What is watched now: the last build's plan (or the initial one). */
  private plan: WatchPlan;
  /** Edits not yet seen by a build: path -> what it touches. */
  private readonly edits = new Map<string, Touch>();
  private last: BuildEnding = 'ok';
  private readonly clock: Clock;
  private readonly debounceMs: number;
  private files!: FileWatcher;
  private crash: { error: unknown } | undefined;
  private resolveRun!: () => void;

  constructor(private readonly o: WatchOptions) {
    this.plan = o.initial;
    this.clock = o.clock ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    this.debounceMs = o.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  async run(): Promise<130> {
    const stopped = new Promise<void>((resolve) => (this.resolveRun = resolve));
    this.files = this.o.files(
      (e) => this.onFileEvent(e),
      (e) => this.o.view.status({ type: 'watch-error', message: e.message }),
    );
    const onAbort = () => void this.stop();
    this.o.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.o.signal.aborted) await this.stop();
      else {
        await this.watchFiles();
        if (this.state.name === 'watching') this.startBuild();
      }
      await stopped;
    } finally {
      this.o.signal.removeEventListener('abort', onAbort);
    }
    if (this.crash) throw this.crash.error;
    return 130;
  }

  private onFileEvent(e: FileEvent): void {
    if (this.state.name === 'stopped') return;
    const touch = this.plan.touches(e.path, e.change);
    if (!touch) return;
    this.edits.set(e.path, touch);
    switch (this.state.name) {
      case 'watching':
      case 'debouncing':
        return this.debounce();
      case 'building':
        return this.duringBuild(this.state.build, e.path, touch);
    }
  }

  private debounce(): void {
    if (this.state.name === 'debouncing') this.clock.clearTimeout(this.state.timer);
    const timer = this.clock.setTimeout(() => {
      if (this.state.name === 'debouncing' && this.state.timer === timer) this.startBuild();
    }, this.debounceMs);
    this.state = { name: 'debouncing', timer };
  }

  private startBuild(): void {
    const changed = [...this.edits.keys()].map((p) => this.plan.display(p)).sort();
    this.edits.clear();
    if (changed.length > 0) this.o.view.status({ type: 'changed', paths: changed });
    const build: Build = { controller: new AbortController(), finished: new Set() };
    this.state = { name: 'building', build };
    // The view hears of a build only once the engine starts one (not for a profile error).
    let sink: Emit | undefined;
    const emit: Emit = (e) => {
      if (FINISHED.has(e.type)) build.finished.add((e as { target: TargetId }).target);
      (sink ??= this.o.view.build())(e);
    };
    const planned = async (plan: WatchPlan) => {
      build.plan = plan;
      this.plan = plan;
      await this.watchFiles();
    };
    build.done = this.o.cycle(build.controller.signal, { emit, planned }).then(
      (end) => this.onBuildEnd(build, end),
      (error: unknown) => {
        // A bug, not an expected failure: stop watching and let the CLI report it.
        this.crash = { error };
        void this.stop();
      },
    );
  }

  /** An edit landed during a build: abort it now or let it finish, and say which and why. */
  private duringBuild(build: Build, path: string, touch: Touch): void {
    if (build.decision === 'abort') return;
    const j = this.judge(build, path, touch);
    if (j.decision === 'finish' && build.decision === 'finish') return;
    build.decision = j.decision;
    this.o.view.status({ type: 'edit-during-build', path: this.plan.display(path), decision: j.decision, reason: j.reason });
    if (j.decision === 'abort') build.controller.abort(new Error(`changed: ${path}`));
  }

  /**
   * Abort when the build's remaining work depends on what changed: it would be redone anyway,
   * and a recipe running on a file being edited may store an output that does not match its
   * fingerprint. That is: the profile was still loading; profile code changed (it may change
   * any target, and the graph) while targets are left; or the path is an input of a target
   * not finished, or of one whose unfinished dependents need it. Otherwise let the build
   * finish: what is left does not read the path, so it is work the next build would keep.
   */
  private judge(build: Build, path: string, touch: Touch): Judgement {
    const shown = this.plan.display(path);
    const plan = build.plan;
    if (!plan) return { decision: 'abort', reason: 'the build was still loading the profile' };
    const left = [...plan.targets.keys()].filter((id) => !build.finished.has(id));
    if (left.length === 0) return { decision: 'finish', reason: 'every target of the build is done' };
    if (touch.profile) return { decision: 'abort', reason: `${shown} is profile code, which may change any target, and ${count(left.length)} not finished` };
    const running = touch.targets.filter((id) => !build.finished.has(id));
    if (running.length > 0) return { decision: 'abort', reason: `${shown} is an input of ${names(running)}, which ${running.length === 1 ? 'has' : 'have'} not finished` };
    const waiting = [...downstream(plan, touch.targets)].filter((id) => !build.finished.has(id));
    if (waiting.length > 0) {
      return { decision: 'abort', reason: `${shown} is an input of ${names(touch.targets)}, and ${names(waiting)}, not finished, ${waiting.length === 1 ? 'needs' : 'need'} ${touch.targets.length === 1 ? 'it' : 'them'}` };
    }
    return { decision: 'finish', reason: `${shown} is an input of ${names(touch.targets)} only, already done; the rest of the build does not need it` };
  }

  private async onBuildEnd(build: Build, end: CycleEnd): Promise<void> {
    if (this.state.name !== 'building' || this.state.build !== build) return;
    if (end.error) {
      this.o.view.status({ type: 'profile-error', diagnostic: end.error });
      // Keep watching what was watched, and the file at fault: fixing it rebuilds.
      if (end.error.at) this.plan = this.plan.withModule(resolve(this.plan.root, end.error.at.file));
    }
    this.last = end.error ? 'profile-error' : end.code === 0 ? 'ok' : 'failed';
    this.state = { name: 'watching' };
    await this.watchFiles();
    if (this.state.name !== 'watching') return; // an edit arrived meanwhile, or a stop
    if (this.edits.size > 0) return this.debounce();
    const { files, dirs } = this.plan.counts();
    this.o.view.status({ type: 'watching', files, dirs, last: this.last });
  }

  private async watchFiles(): Promise<void> {
    try {
      await this.files.watch(this.plan);
    } catch (e) {
      this.o.view.status({ type: 'watch-error', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private async stop(): Promise<void> {
    const was = this.state;
    if (was.name === 'stopped') return;
    this.state = { name: 'stopped' };
    if (was.name === 'debouncing') this.clock.clearTimeout(was.timer);
    if (was.name === 'building') {
      was.build.controller.abort(new Error('watch stopped'));
      await was.build.done;
    }
    await this.files.close();
    if (!this.crash) this.o.view.status({ type: 'stopped', abortedBuild: was.name === 'building' });
    this.resolveRun();
  }
}

/** The targets and everything in the build that needs them. */
function downstream(plan: WatchPlan, from: readonly TargetId[]): Set<TargetId> {
  const seen = new Set<TargetId>();
  const stack = [...from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(plan.targets.get(id)?.dependents ?? []));
  }
  return seen;
}

const MAX_NAMES = 3;
const names = (ids: readonly string[]) =>
  ids.length <= MAX_NAMES ? ids.join(', ') : `${ids.slice(0, MAX_NAMES).join(', ')} and ${ids.length - MAX_NAMES} more`;
const count = (n: number) => `${n} target${n === 1 ? ' is' : 's are'}`;
