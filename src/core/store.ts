// What the engine needs of an artifact store: an action cache (fingerprint -> output digest)
// and atomic publication of output trees. src/cache implements it; the engine never sees
// its layout.

import type { Digest, Fingerprint } from './ids.ts';

export interface ActionRecord {
  readonly digest: Digest;
  readonly target: string;
  readonly durationMs: number;
  readonly createdAt: number;
  /**
   * The canonical JSON of the fingerprint record that hashes to this entry's key: --explain
   * diffs a new record against the one of the previous build's fingerprint, found here, so
   * that the build state (read by every no-op) need not carry a record per target.
   */
  readonly record?: string;
}

export interface Scratch {
  readonly dir: string;
  dispose(): Promise<void>;
}

export interface ArtifactStore {
  /** The output of a fingerprint built before, if its tree is still stored. Sync: it is on the no-op path. */
  getAction(key: Fingerprint): ActionRecord | undefined;
  putAction(key: Fingerprint, record: ActionRecord): void;
  /** Marks an artifact as used now (for least-recently-used eviction). */
  touch(digest: Digest): void;
  /** A fresh directory on the store's filesystem, so that publishing is a rename. */
  scratch(label: string): Promise<Scratch>;
  /** Publishes a filled directory (consumed) atomically under its content digest. */
  put(treeDir: string): Promise<{ digest: Digest; existed: boolean }>;
  /**
   * A path where dependents read an artifact and cannot write it. Asked only when a recipe
   * runs, so a store may prepare its read-only view then, and a no-op never pays for it.
   */
  readPath(digest: Digest): Promise<string>;
  /** Cross-process mutual exclusion by name, so two processes never build one fingerprint twice. */
  lock(name: string, signal?: AbortSignal): Promise<() => Promise<void> | void>;
}
