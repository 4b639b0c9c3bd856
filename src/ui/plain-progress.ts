// Signs of life in a plain log: a line for each running target when its tool enters a phase
// it had not been in yet (the first word of the progress label: `downloading`, `unpacking`,
// `compressing`, a hook's name), and at least one every HEARTBEAT_MS while it runs, with the
// tool's latest progress. Without them a CI log says nothing for the minutes a bootstrap takes.

import type { Progress } from '../core/events.ts';
import type { TargetId } from '../core/ids.ts';
import { formatMs } from './format.ts';

/** A running target says something at least this often. */
export const HEARTBEAT_MS = 30_000;
/** How often the heartbeat looks: a line is at most this late. */
export const TICK_MS = 5_000;

/** Time and a repeating timer: the real ones, or a test's. */
export interface PlainClock {
  now(): number;
  every(ms: number, f: () => void): () => void;
}

export const realClock: PlainClock = {
  now: () => Date.now(),
  every(ms, f) {
    const t = setInterval(f, ms);
    // A heartbeat never keeps the process alive.
    t.unref();
    return () => clearInterval(t);
  },
};

interface Running {
  readonly since: number;
  /** When a line about it was last printed (its start counts). */
  last: number;
  readonly phases: Set<string>;
  progress?: Progress;
}

/** What a progress line says: `for 1m30s: unpacking 34/89 (38%)`. */
export interface ProgressLine {
  readonly target: TargetId;
  readonly time: number;
  readonly text: string;
}

export class RunningTargets {
  readonly #running = new Map<TargetId, Running>();

  started(target: TargetId, time: number): void {
    this.#running.set(target, { since: time, last: time, phases: new Set() });
  }

  ended(target: TargetId): void {
    this.#running.delete(target);
  }

  get size(): number {
    return this.#running.size;
  }

  /** A line when the tool entered a new phase, else nothing (the heartbeat speaks for it). */
  progress(e: Progress): ProgressLine | undefined {
    const r = this.#running.get(e.target);
    if (!r) return undefined;
    r.progress = e;
    const phase = e.label.split(' ')[0] ?? '';
    if (r.phases.has(phase)) return undefined;
    r.phases.add(phase);
    return this.#line(e.target, r, e.time);
  }

  /** A line for each target that said nothing for HEARTBEAT_MS. */
  heartbeat(now: number): ProgressLine[] {
    const lines: ProgressLine[] = [];
    for (const [target, r] of this.#running) if (now - r.last >= HEARTBEAT_MS) lines.push(this.#line(target, r, now));
    return lines;
  }

  #line(target: TargetId, r: Running, time: number): ProgressLine {
    r.last = time;
    const p = r.progress;
    const what = p ? `: ${p.label}${p.fraction === undefined ? '' : ` (${Math.floor(p.fraction * 100)}%)`}` : '';
    return { target, time, text: `for ${formatMs(time - r.since)}${what}` };
  }
}
