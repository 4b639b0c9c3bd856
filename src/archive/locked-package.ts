// One package of the lock, pinned: which stage installs it, and its file by size and sha256
// under the mirror it was locked from (the signed index's facts).

/** The stage of an image that installs it; `build-deps`: a package build's build dependencies. */
export type LockStage = 'bootstrap' | 'packages' | 'build-deps';

export interface LockedPackage {
  readonly stage: LockStage;
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly size: number;
  readonly sha256: string;
  /** The mirror's root URL and the path under it. */
  readonly mirror: string;
  readonly filename: string;
  /** Its line in the lock file, when read from one: the entry a manifest and `show` point to. */
  readonly line?: number;
}
