// The content-addressed store of tree artifacts: what the rest of mkimage imports.

export { StoreError, type StoreErrorReason } from './errors.ts';
export {
  LocalStore,
  type ActionInput,
  type ActionRecord,
  type CorruptReason,
  type Corruption,
  type EntryInfo,
  type GcResult,
  type PutResult,
  type ReadOnlyView,
  type Scratch,
  type StoredManifest,
  type StoreOptions,
  type VerifyResult,
} from './local-store.ts';
export type { Release } from './locks.ts';
export { RESTORE_METHODS, type Restored, type RestoreMethod } from './restore.ts';
export { formatSize, parseSize } from './size.ts';
export { defaultStoreRoot, type Env } from './store-root.ts';
export { describeChanges, diffManifests, type EntryChange } from './tree-diff.ts';
export { scanTree, treeDigest, type EntryType, type TreeEntry, type TreeManifest } from './tree.ts';
