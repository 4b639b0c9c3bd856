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

export interface BuildState {
  readonly version: number;
  readonly targets: Readonly<Record<string, TargetState>>;
  readonly stat: StatCache;
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
