// Running a command in the root an image tarball holds: unpacked into /var/tmp (not tmpfs:
// roots are large), chrooted into, removed afterwards.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';

/** What `command` prints in the root of `tarball` (a .tar.zst), given `input` on stdin. */
export function runInTarball(tarball: string, command: readonly string[], input?: string): string {
  const root = mkdtempSync('/var/tmp/mkimage-image-root-');
  try {
    execFileSync('tar', ['-C', root, '--zstd', '-xf', tarball]);
    return execFileSync('chroot', [root, ...command], { encoding: 'utf8', ...(input !== undefined && { input }) });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
