// The content-addressed store of tree artifacts: what the rest of mkimage imports.

export type { ActionInput, ActionRecord } from './action-cache.ts';
export type { EntryInfo } from './entries.ts';
export { StoreError, type StoreErrorReason } from './errors.ts';
export { LocalStore, type GcResult, type Scratch, type StoreOptions } from './local-store.ts';
export type { Release } from './locks.ts';
export type { PutResult } from './publish.ts';
export type { ReadOnlyView } from './read-only-view.ts';
export { RESTORE_METHODS, type Restored, type RestoreMethod } from './restore.ts';
export { parseSize } from './size.ts';
export type { StoredManifest } from './store-layout.ts';
export { defaultStoreRoot, type Env } from './store-root.ts';
export { describeChanges, diffManifests, type EntryChange } from './tree-diff.ts';
export { scanTree, treeDigest, type EntryType, type TreeEntry, type TreeManifest } from './tree.ts';
export type { CorruptReason, Corruption, VerifyResult } from './verify.ts';
