// Everything the engine reports, as one discriminated union. Loggers and the UI consume
// these and nothing else; they switch on `type` exhaustively.

import type { Digest, TargetId } from './ids.ts';

/** The life of a target in one build. */
export type TargetStatus =
  /** Not ready: waits for prerequisites. */
  | 'pending'
  /** Ready, and must run: waits for a job slot (or another process holding its lock). */
  | 'queued'
  /** Its recipe is running. */
  | 'running'
  /** Its fingerprint was found in the store: nothing ran. */
  | 'cached'
  /** Its recipe ran and its output was stored. */
  | 'succeeded'
  /** Its recipe (or storing its output) failed. */
  | 'failed'
  /** It did not run: a prerequisite failed, or the build stopped first. */
  | 'skipped'
  /** Its recipe was running when the build was interrupted. */
  | 'aborted';

interface At {
  readonly target: TargetId;
  /** Milliseconds since the epoch. */
  readonly time: number;
}

export interface Queued extends At {
  readonly type: 'queued';
}

export interface Started extends At {
  readonly type: 'started';
  /** Why it runs: the fields of its fingerprint that changed, or "no previous build". */
  readonly reasons: readonly string[];
  readonly logPath: string;
}

export interface Output extends At {
  readonly type: 'output';
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** Something the person should know that does not fail the target; kept in its log too. */
export interface Warning extends At {
  readonly type: 'warning';
  readonly message: string;
}

export interface Cached extends At {
  readonly type: 'cached';
  readonly digest: Digest;
}

export interface Succeeded extends At {
  readonly type: 'succeeded';
  readonly digest: Digest;
  readonly durationMs: number;
  /** Same output as the previous build: dependents keep their fingerprints (early cutoff). */
  readonly unchanged: boolean;
}

export type FailureReason =
  /** The recipe threw or its command exited non-zero. */
  | 'recipe-failed'
  /** The recipe succeeded but its output could not be read into the store. */
  | 'output-unstorable'
  /** A declared input file is missing or unreadable. */
  | 'input-missing'
  /** A declared input file changed while the recipe ran: the output may mix both versions, so it is not stored. */
  | 'input-changed'
  /** A declared tool could not tell its version (is it installed?). */
  | 'tool-missing';

export interface Failed extends At {
  readonly type: 'failed';
  readonly reason: FailureReason;
  readonly message: string;
  readonly exitCode?: number;
  readonly hint?: string;
  /** The last lines of the recipe's output. */
  readonly tail: readonly string[];
  readonly logPath?: string;
  readonly durationMs: number;
}

export type SkipReason =
  /** A prerequisite failed, or was skipped because one of its own failed (`cause` names which). */
  | 'prerequisite-failed'
  /** Another target failed and --keep-going was not given. */
  | 'build-stopped'
  /** The build was interrupted before this target started. */
  | 'interrupted';

export interface Skipped extends At {
  readonly type: 'skipped';
  readonly reason: SkipReason;
  /**
   * For prerequisite-failed: the target whose failure this skip comes from, which is a `failed`
   * target, never a skipped one. Through a chain (a <- b <- c, a failing) both b and c name a,
   * so "c skipped (a failed)" is true.
   */
  readonly cause?: TargetId;
}

export interface Aborted extends At {
  readonly type: 'aborted';
  readonly durationMs: number;
}

/**
 * How far a running recipe is, as its tool tells it (packages unpacked, percent written): for
 * live displays only, never part of a fingerprint. The engine passes on only changes of the
 * whole percent or of the label, at most about ten a second per target.
 */
export interface Progress extends At {
  readonly type: 'progress';
  /** Share done, 0..1, when the tool tells how much is left; absent when it only says what it does. */
  readonly fraction?: number;
  /** What the recipe is doing now, in a few words: `unpacking 34/89`, `compressing`. */
  readonly label: string;
}

export type TargetEvent = Queued | Started | Output | Warning | Progress | Cached | Succeeded | Failed | Skipped | Aborted;

export interface BuildStarted {
  readonly type: 'build-started';
  readonly time: number;
  readonly targets: readonly TargetId[];
  readonly jobs: number;
}

export interface BuildFinished {
  readonly type: 'build-finished';
  readonly time: number;
  readonly ok: boolean;
  readonly interrupted: boolean;
  readonly durationMs: number;
  readonly counts: Readonly<Record<'cached' | 'succeeded' | 'failed' | 'skipped' | 'aborted', number>>;
}

export type EngineEvent = TargetEvent | BuildStarted | BuildFinished;

export type Emit = (event: EngineEvent) => void;

export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
