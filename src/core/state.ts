// What one build leaves for the next: the last fingerprint record of each target (for
// --explain and the reason a target runs), its output digest and duration (for early-cutoff
// reporting and scheduling priority), and the input stat cache (for a fast no-op).

import type { FingerprintRecord } from './fingerprint.ts';
import type { Digest, Fingerprint } from './ids.ts';
import type { StatCache } from './inputs.ts';

export const STATE_VERSION = 1;

export interface TargetState {
  readonly fingerprint: Fingerprint;
  readonly record: FingerprintRecord;
  readonly digest?: Digest;
  readonly durationMs?: number;
}

export interface BuildState {
  readonly version: number;
  readonly targets: Readonly<Record<string, TargetState>>;
  readonly stat: StatCache;
}

export const emptyState = (): BuildState => ({ version: STATE_VERSION, targets: {}, stat: {} });

/** A state file from another version is ignored rather than misread. */
export function parseState(value: unknown): BuildState {
  if (value && typeof value === 'object' && (value as BuildState).version === STATE_VERSION) {
    return value as BuildState;
  }
  return emptyState();
}
