// Adapts the local store to the engine's ArtifactStore port: dependents read artifacts
// through the store's read-only view, so no recipe can write into the cache.

import type { ArtifactStore } from '../core/store.ts';
import type { LocalStore, ReadOnlyView } from '../cache/local-store.ts';

export function engineStore(store: LocalStore, view: ReadOnlyView): ArtifactStore {
  return {
    getAction: (key) => store.getAction(key),
    putAction: (key, record) => store.putAction(key, record),
    touch: (digest) => store.touch(digest),
    scratch: (label) => store.scratch(label),
    put: async (dir) => {
      const { digest, existed } = await store.put(dir);
      return { digest, existed };
    },
    readPath: (digest) => view.treePath(digest),
    lock: (name, signal) => store.lock(name, signal),
  };
}
