// Another upstream version with Debian's packaging: the tarball the project ships is checked
// against the sha256 declared beside it before a byte of it is unpacked, unpacked as
// dpkg-source unpacks an orig tarball (its one top folder stripped, its own debian/ replaced),
// and the archive source's debian/ folder put on it.

import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile } from '../../cache/hash-file.js';
import { RecipeFailure, type RecipeContext } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import { runOptions } from '../../image/step-io.ts';

/** The tarball as the declaration names it: its file name, upstream version and sha256. */
export interface DeclaredUpstream {
  readonly tarball: string;
  readonly version: string;
  readonly sha256: string;
}

/** The tarball's sha256 against the declared one: a differing tarball is refused, naming both. */
export function checkUpstreamDigest(name: string, u: DeclaredUpstream, got: string): RecipeFailure | undefined {
  if (got === u.sha256) return undefined;
  return new RecipeFailure(`package ${name}: upstream tarball ${u.tarball} has sha256 ${got}, not the declared ${u.sha256}`, {
    hint: `if this tarball is the one you mean, declare it: upstream: { ..., sha256: '${got}' }`,
  });
}

/** `src` made of the tarball with `debian` (the archive source's debian/ folder) in it. */
export async function onUpstream(name: string, u: DeclaredUpstream, tarball: string, debian: string, src: string, ctx: RecipeContext, env: Record<string, string>): Promise<void> {
  const wrong = checkUpstreamDigest(name, u, hashFile(tarball));
  if (wrong) throw wrong;
  const unpacked = join(ctx.tmp, 'upstream');
  await mkdir(unpacked);
  await run('tar', ['--no-same-owner', '--no-same-permissions', '-xf', tarball, '-C', unpacked], runOptions(ctx, env, ctx.tmp));
  const top = await readdir(unpacked);
  if (top.length === 0) throw new RecipeFailure(`package ${name}: upstream tarball ${u.tarball} is empty`);
  const one = top.length === 1 && (await stat(join(unpacked, top[0]!))).isDirectory();
  await rename(one ? join(unpacked, top[0]!) : unpacked, src);
  // An upstream's own debian/ is not the packaging (dpkg-source replaces it too).
  await rm(join(src, 'debian'), { recursive: true, force: true });
  await rename(debian, join(src, 'debian'));
}
