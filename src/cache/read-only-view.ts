// One read-only bind mount of trees/ per store instance, through which later targets read the
// outputs of earlier ones with no way to change the store (writes fail with EROFS). Callers
// share the mount; it goes when the last one disposes. Without root, or if mounting fails,
// the view is trees/ itself and `protected` is false.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../core/ids.ts';
import { bindReadOnly } from './mounts.ts';
import { once } from './once.ts';
import type { StoreLayout } from './store-layout.ts';

export interface ReadOnlyView {
  /** False when the view is the store's own trees/ dir (not root, or mounting failed). */
  readonly protected: boolean;
  /** Why the view is not protected. */
  readonly reason?: string;
  /** The directory whose children are the entries (`<root>/<digest>/tree`). */
  readonly root: string;
  treePath(digest: Digest): string;
  dispose(): Promise<void>;
}

export class SharedView {
  #view: { view: Promise<ReadOnlyView>; users: number } | undefined;

  constructor(private readonly layout: StoreLayout) {}

  get(): Promise<ReadOnlyView> {
    if (this.#view === undefined) {
      const created: { view: Promise<ReadOnlyView>; users: number } = { view: mountView(this.layout), users: 0 };
      // A failure must not be remembered: the next call tries again.
      created.view.catch(() => {
        if (this.#view === created) this.#view = undefined;
      });
      this.#view = created;
    }
    const shared = this.#view;
    shared.users++;
    return shared.view.then((v) => ({
      ...v,
      dispose: once(async () => {
        if (--shared.users === 0 && this.#view === shared) {
          this.#view = undefined;
          await v.dispose();
        }
      }),
    }));
  }

  /** The store is going: no view is handed out any more (its mount goes with the tmp dir). */
  forget(): void {
    this.#view = undefined;
  }
}

async function mountView(layout: StoreLayout): Promise<ReadOnlyView> {
  const direct = (reason: string): ReadOnlyView => ({
    protected: false,
    reason,
    root: layout.trees,
    treePath: (d) => join(layout.trees, d, 'tree'),
    dispose: async () => undefined,
  });
  if (process.getuid?.() !== 0) return direct('not running as root');
  const mountPoint = join(layout.tmpDir, 'ro-trees');
  await mkdir(mountPoint, { recursive: true });
  try {
    await bindReadOnly(layout.trees, mountPoint);
  } catch (err) {
    await rm(mountPoint, { recursive: true, force: true });
    return direct(err instanceof Error ? err.message : String(err));
  }
  return {
    protected: true,
    root: mountPoint,
    treePath: (d) => join(mountPoint, d, 'tree'),
    dispose: () => layout.removeTree(mountPoint),
  };
}
