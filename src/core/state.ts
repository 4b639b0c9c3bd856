// What one build leaves for the next: each target's last fingerprint (to tell why it runs),
// its output digest and duration (for early-cutoff reporting and scheduling priority), and
// the input stat cache (for a fast no-op). Fingerprint records are not here: every no-op
// reads this document, and a record is needed only for a target that runs, so it is kept in
// the action cache under its fingerprint (ActionRecord.record).

import type { Digest, Fingerprint } from './ids.ts';
import type { StatCache } from './inputs.ts';

/** 2: records moved to the action cache. */
export const STATE_VERSION = 2;

export interface TargetState {
  readonly fingerprint: Fingerprint;
  readonly digest?: Digest;
  readonly durationMs?: number;
}

/** The last time a target's recipe ran, kept so that `why` can say it after the fact. */
export interface LastRun {
  /** When it ended, in ms since the epoch. */
  readonly at: number;
  readonly outcome: 'succeeded' | 'failed' | 'aborted';
  /** What made it run: what changed since the build before (--explain's sentences). */
  readonly reasons: readonly string[];
  readonly durationMs: number;
  /** It succeeded with the output it had before, so what needs it was not rerun (early cutoff). */
  readonly unchanged?: boolean;
}

export interface BuildState {
  readonly version: number;
  readonly targets: Readonly<Record<string, TargetState>>;
  readonly stat: StatCache;
  /** When the last build that ran a recipe started, in ms since the epoch. */
  readonly started?: number;
  /** Each target's last run, failed and interrupted ones too (those leave `targets` as it was). */
  readonly runs?: Readonly<Record<string, LastRun>>;
}

export const emptyState = (): BuildState => ({ version: STATE_VERSION, targets: {}, stat: {} });

/**
 * A state document of another version is no previous build, rather than misread. (Version 1
 * kept records inline; the action cache of those builds has none to explain against either.)
 */
export function parseState(value: unknown): BuildState {
  const doc = isObject(value) ? (value as Partial<BuildState>) : undefined;
  return doc?.version === STATE_VERSION && isObject(doc.targets) && isObject(doc.stat) ? (doc as BuildState) : emptyState();
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;
