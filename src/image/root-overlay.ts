// The root a root-changing stage works on: the previous stage's root (read-only in the store)
// under an overlay whose writes go to a scratch upper dir. Nothing is copied up front, the
// previous root cannot be changed, and the store, handed the mount as the stage's output,
// keeps only what the stage changed (src/cache/overlay-fold.ts). Where overlayfs is not
// available (no root, a store on overlayfs itself), the root is copied as before.

import { chmod, chown, lstat, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { getAttributeSync, listAttributesSync, setAttributeSync } from 'fs-xattr';
import type { RecipeContext } from '../core/target.ts';
import { run } from '../proc/run.ts';
import { HOST_PATH } from './tools.ts';

/**
 * index=on: a file changed under one of its hardlinked names changes under all of them, as on
 * a plain copy. redirect_dir=off and metacopy=off: a renamed directory is copied and a
 * copied-up file carries its data, so the upper dir alone says what changed. volatile: no
 * syncfs of the whole host file system at unmount (seconds when much is being written); the
 * layers are never mounted again, and the store syncs what it keeps if asked to be durable.
 */
const OVERLAY_OPTIONS = ['index=on', 'redirect_dir=off', 'metacopy=off', 'volatile'];

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

async function mountOverlay(lower: string, ctx: RecipeContext): Promise<boolean> {
  const upper = join(ctx.tmp, 'root-upper');
  const work = join(ctx.tmp, 'root-work');
  const paths = [lower, upper, work];
  // These separate overlay options and layers.
  if (paths.some((p) => /[,:\\]/.test(p))) return false;
  await mkdir(upper);
  await mkdir(work);
  // The merged root shows the upper dir's owner, mode, xattrs and mtime: give it the lower's.
  const st = await lstat(lower, { bigint: true });
  let said = '';
  const opts = { cwd: ctx.tmp, env: { PATH: HOST_PATH }, signal: ctx.signal, output: (_: string, text: string) => void (said += text) };
  try {
    // Owner first: chown may clear setgid.
    await chown(upper, Number(st.uid), Number(st.gid));
    await chmod(upper, Number(st.mode & 0o7777n));
    for (const name of listAttributesSync(lower)) setAttributeSync(upper, name, getAttributeSync(lower, name));
    await run('touch', ['-m', '-d', touchDate(st.mtimeNs), upper], opts);
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

/** `@<seconds>.<9 digits>` as GNU touch -d reads it, exact to the nanosecond. */
function touchDate(ns: bigint): string {
  return `@${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}
