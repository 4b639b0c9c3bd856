// Adapts the local store to the engine's ArtifactStore port: dependents read artifacts
// through the store's read-only view, so no recipe can write into the cache. The view (a bind
// mount) is made when a recipe first reads a prerequisite: a no-op build never mounts it.

import type { ArtifactStore } from '../core/store.ts';
import type { Digest } from '../core/ids.ts';
import type { LocalStore, ReadOnlyView } from '../cache/local-store.ts';

export interface EngineStore extends ArtifactStore {
  /** Unmounts the view, if a recipe made one. */
  dispose(): Promise<void>;
}

export function engineStore(store: LocalStore): EngineStore {
  let view: Promise<ReadOnlyView> | undefined;
  return {
    getAction: (key) => store.getAction(key),
    putAction: (key, record) => store.putAction(key, record),
    touch: (digest) => store.touch(digest),
    scratch: (label) => store.scratch(label),
    put: async (dir) => {
      const { digest, existed } = await store.put(dir);
      return { digest, existed };
    },
    readPath: async (digest: Digest) => (await (view ??= store.readOnlyView())).treePath(digest),
    lock: (name, signal) => store.lock(name, signal),
    dispose: async () => {
      if (view) await (await view).dispose();
    },
  };
}
