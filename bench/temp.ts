// The temporary directories of a bench run and what is open in them (stores, views,
// restores): undone last-in first-out at the end, on error and on Ctrl-C. Nothing is
// removed through a live mount: whatever is still mounted below a directory is unmounted
// first, and `rm --one-file-system` refuses to cross into anything missed.

import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from './exec.ts';

type Undo = () => Promise<void> | void;

export class TempDirs {
  readonly #undo: Undo[] = [];
  readonly #base: string;
  #disposing: Promise<void> | undefined;

  /** `base`: where temp dirs go (default: $MKIMAGE_BENCH_TMP, else the OS temp dir). */
  constructor(base = process.env.MKIMAGE_BENCH_TMP || tmpdir()) {
    this.#base = base;
  }

  /** A new empty directory, removed by dispose(). Canonical, so mount paths compare equal. */
  dir(label: string): string {
    const dir = realpathSync(mkdtempSync(join(this.#base, `mkimage-bench-${label}-`)));
    this.#undo.push(() => removeTree(dir));
    return dir;
  }

  /** Runs `undo` at dispose() unless the returned function ran it first. */
  defer(undo: Undo): () => Promise<void> {
    let done = false;
    const once = async () => {
      if (done) return;
      done = true;
      await undo();
    };
    this.#undo.push(once);
    return once;
  }

  /** A nested scope, disposed on its own (at the end of a step) or with this one. */
  child(): TempDirs {
    const child = new TempDirs(this.#base);
    this.defer(() => child.dispose());
    return child;
  }

  /** Undoes everything, newest first; one failure does not stop the rest. */
  dispose(): Promise<void> {
    this.#disposing ??= (async () => {
      for (let undo = this.#undo.pop(); undo; undo = this.#undo.pop()) {
        try {
          await undo();
        } catch (e) {
          process.stderr.write(`bench: cleanup: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
    })();
    return this.#disposing;
  }
}

/** Unmount everything below `dir` (deepest first, lazily if busy), then remove it. */
export async function removeTree(dir: string): Promise<void> {
  for (let left = mountsUnder(dir); left.length > 0; left = mountsUnder(dir)) {
    const deepest = left.sort((a, b) => b.split('/').length - a.split('/').length)[0]!;
    if ((await exec('umount', [deepest])).code !== 0 && (await exec('umount', ['-l', deepest])).code !== 0) {
      throw new Error(`cannot unmount ${deepest}; left ${dir} in place`);
    }
  }
  const rm = await exec('rm', ['-rf', '--one-file-system', dir]);
  if (rm.code !== 0) throw new Error(`rm -rf ${dir}: ${rm.stderr.trim()}`);
}

function mountsUnder(dir: string): string[] {
  const prefix = `${dir}/`;
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const path = line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (path !== undefined && (path === dir || path.startsWith(prefix))) out.push(path);
  }
  return out;
}
