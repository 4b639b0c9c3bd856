// The engine's side of RecipeContext.progress: a recipe may call it on every line its tool
// prints; what reaches the event stream is each change of the whole percent or of the label,
// at most one per MIN_INTERVAL_MS, and always the latest one (a held report goes out later).

import type { RecipeProgress } from './target.ts';

/** About ten reports a second per target: more is noise to a person and work for a display. */
export const MIN_INTERVAL_MS = 100;

export interface ProgressClock {
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ProgressClock = {
  now: () => Date.now(),
  setTimeout: (f, ms) => {
    const t = setTimeout(f, ms);
    // A held report never keeps the process alive.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ProgressThrottle {
  report(p: RecipeProgress): void;
  /** No report after this: the recipe ended (a held one is dropped). */
  dispose(): void;
}

/** `send` gets the reports that pass, with the fraction clamped to 0..1. */
export function progressThrottle(send: (p: RecipeProgress, time: number) => void, clock: ProgressClock = realClock): ProgressThrottle {
  let lastKey: string | undefined;
  let lastTime = -Infinity;
  let held: RecipeProgress | undefined;
  let timer: unknown;
  let disposed = false;

  const flush = () => {
    timer = undefined;
    if (!held || disposed) return;
    const p = held;
    held = undefined;
    lastTime = clock.now();
    send(p, lastTime);
  };

  return {
    report(raw) {
      if (disposed) return;
      const p = normalise(raw);
      const key = `${p.fraction === undefined ? '' : Math.floor(p.fraction * 100)}\0${p.label}`;
      if (key === lastKey) return;
      lastKey = key;
      held = p;
      const wait = lastTime + MIN_INTERVAL_MS - clock.now();
      if (wait <= 0) flush();
      else if (timer === undefined) timer = clock.setTimeout(flush, wait);
    },
    dispose() {
      disposed = true;
      held = undefined;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}

function normalise(p: RecipeProgress): RecipeProgress {
  const label = String(p.label);
  if (typeof p.fraction !== 'number' || Number.isNaN(p.fraction)) return { label };
  return { label, fraction: Math.min(1, Math.max(0, p.fraction)) };
}
