// Paths inside an image root resolved as a process chrooted into it would see them: symlinks
// are followed within the root (absolute targets start at the root, `..` stops there), so a
// feature's lib/systemd/... lands in usr/lib/systemd/... of a merged-/usr root.

import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Most symlinks followed in one resolution, as the kernel's limit. */
const MAX_LINKS = 40;

/**
 * The path (relative to the root, no leading slash) that `path` leads to inside the root.
 * Components that do not exist are kept as written; with `followLast` false the last
 * component is not resolved (it is the entry itself, to be replaced or created).
 */
export async function resolveInRoot(root: string, path: string, followLast = true): Promise<string> {
  const pending = split(path);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (pending.length === 0 && !followLast) {
      resolved.push(part);
      break;
    }
    const here = join(root, ...resolved, part);
    const st = await lstat(here).catch(() => undefined);
    if (!st?.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links in ${path} inside ${root}`);
    const target = await readlink(here);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...split(target));
  }
  return resolved.join('/');
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}
