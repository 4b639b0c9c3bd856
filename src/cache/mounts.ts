// Reading /proc/self/mountinfo and the mounts the store makes (read-only binds, overlays),
// plus tearing down everything mounted below a directory before it is removed: `rm -rf`
// through a live bind mount would delete the store itself.

import { readFileSync } from 'node:fs';
import { StoreError } from './errors.ts';
import { hostCommand, hostCommandOrThrow } from './host-command.ts';

export interface MountPoint {
  readonly id: number;
  /** Canonical absolute path, unescaped. */
  readonly path: string;
  readonly fstype: string;
  /** The file system's own options (the last field), split at commas and unescaped. */
  readonly superOptions: readonly string[];
}

/** The mount table of this process's mount namespace. */
export function readMounts(): MountPoint[] {
  const out: MountPoint[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superopts
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 5 || sep < 0) continue;
    // Commas inside values come escaped (\054), so splitting first is safe.
    const superOptions = (f[sep + 3] ?? '').split(',').map(unescape);
    out.push({ id: Number(f[0]), path: unescape(f[4]!), fstype: f[sep + 1] ?? '', superOptions });
  }
  return out;
}

/** Mounts at `dir` or below it; `dir` must be canonical (realpath). */
export function mountsUnder(dir: string): MountPoint[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readMounts().filter((m) => m.path === dir || m.path.startsWith(prefix));
}

/**
 * Unmount everything at or below `dir`, deepest (then most recent) first, falling back to a
 * lazy unmount for a mount that is busy. Throws StoreError('busy') if a mount survives.
 */
export async function unmountUnder(dir: string): Promise<void> {
  for (let attempts = 0; attempts < 1000; attempts++) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) return;
    const top = mounts.reduce((a, b) => (depth(b.path) > depth(a.path) || (depth(b.path) === depth(a.path) && b.id > a.id) ? b : a));
    if ((await hostCommand('umount', [top.path])).ok) continue;
    // Gone meanwhile (another process cleaning the same dead dir)? Then just look again.
    if (!readMounts().some((m) => m.id === top.id)) continue;
    const lazy = await hostCommand('umount', ['-l', top.path]);
    if (!lazy.ok && readMounts().some((m) => m.id === top.id)) {
      throw new StoreError('busy', `cannot unmount ${top.path}: ${lazy.stderr}`);
    }
  }
  throw new StoreError('busy', `mounts under ${dir} keep reappearing`);
}

/** Bind `src` at `dst` (an existing dir) read-only: writes through `dst` fail with EROFS. */
export async function bindReadOnly(src: string, dst: string): Promise<void> {
  await hostCommandOrThrow('mount', ['--bind', src, dst]);
  // A bind mount takes the flags of its source; read-only needs a second, remount step.
  const ro = await hostCommand('mount', ['-o', 'remount,bind,ro', dst]);
  if (!ro.ok) {
    await hostCommand('umount', [dst]);
    throw new StoreError('command-failed', `mount -o remount,bind,ro ${dst}: ${ro.stderr}`);
  }
}

/** Mount an overlay of `lower` (never written) with `upper`/`work` (same fs) at `dst`. */
export async function mountOverlay(lower: string, upper: string, work: string, dst: string): Promise<void> {
  for (const p of [lower, upper, work]) {
    // These separate overlay options and lower layers; escaping differs between kernels.
    if (/[,:\\]/.test(p)) throw new StoreError('invalid-argument', `overlay paths may not contain ',', ':' or '\\': ${p}`);
  }
  await hostCommandOrThrow('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, dst]);
}

const depth = (path: string): number => path.split('/').length;

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
