// The root a root-changing stage works on: the previous stage's root (read-only in the store)
// under an overlay whose writes go to a scratch upper dir. Nothing is copied up front, the
// previous root cannot be changed, and the store, handed the mount as the stage's output,
// keeps only what the stage changed (src/cache/overlay-fold.ts). Where overlayfs is not
// available (no root, a store on overlayfs itself), the root is copied as before.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { copyDirAttributes } from '../cache/dir-attributes.ts';
import type { RecipeContext } from '../core/target.ts';
import { run } from '../proc/run.ts';
import { HOST_PATH } from './tools/tool.ts';

/**
 * index=on: a file changed under one of its hardlinked names changes under all of them, as on
 * a plain copy. redirect_dir=off and metacopy=off: a renamed directory is copied and a
 * copied-up file carries its data, so the upper dir alone says what changed. volatile: no
 * syncfs of the whole host file system at unmount (seconds when much is being written); the
 * layers are never mounted again, and the store syncs what it keeps if asked to be durable.
 */
export const OVERLAY_OPTIONS = ['index=on', 'redirect_dir=off', 'metacopy=off', 'volatile'];

/** Makes ctx.out the root of the stage's one prerequisite, writable: what a root stage works on. */
export async function openPreviousRoot(ctx: RecipeContext): Promise<void> {
  const roots = Object.values(ctx.deps);
  if (roots.length !== 1) throw new Error(`a root stage reads one previous root, not ${roots.length}`);
  await rootFrom(roots[0]!, ctx);
}

/** Makes ctx.out show `previous`, writable. */
export async function rootFrom(previous: string, ctx: RecipeContext): Promise<void> {
  if (process.getuid?.() === 0 && (await mountOverlay(previous, ctx))) return;
  await run('cp', ['-a', '--reflink=auto', '--no-target-directory', `${previous}/.`, ctx.out], {
    cwd: ctx.tmp,
    env: { PATH: HOST_PATH },
    signal: ctx.signal,
    output: ctx.output,
  });
}

/** Whether paths can be overlay layers: `,`, `:` and `\\` separate the mount's options and layers. */
export const overlayPathsOk = (paths: readonly string[]): boolean => !paths.some((p) => /[,:\\]/.test(p));

async function mountOverlay(lower: string, ctx: RecipeContext): Promise<boolean> {
  const upper = join(ctx.tmp, 'root-upper');
  const work = join(ctx.tmp, 'root-work');
  const paths = [lower, upper, work];
  if (!overlayPathsOk(paths)) return false;
  await mkdir(upper);
  await mkdir(work);
  let said = '';
  const opts = { cwd: ctx.tmp, env: { PATH: HOST_PATH }, signal: ctx.signal, output: (_: string, text: string) => void (said += text) };
  try {
    // The merged root shows the upper dir's owner, mode, xattrs and mtime: give it the lower's.
    await copyDirAttributes(lower, upper);
    await run('mount', ['-t', 'overlay', 'overlay', '-o', [`lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`, ...OVERLAY_OPTIONS].join(','), ctx.out], opts);
    return true;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const why = `${err instanceof Error ? err.message : String(err)} ${said.trim()}`.trim();
    ctx.output('stderr', `no overlay over the previous root (${why}); copying it instead\n`);
    await rm(upper, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
    return false;
  }
}
