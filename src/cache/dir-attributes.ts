// A directory's owner, mode, xattrs and mtime, given to another directory: what an overlay's
// upper directory needs so that the merged root looks like its lower one.

import { lstatSync } from 'node:fs';
import { chmod, chown } from 'node:fs/promises';
import { getAttributeSync, listAttributesSync, setAttributeSync } from 'fs-xattr';
import { hostCommandOrThrow } from './host-command.ts';

/** Owner, then mode (chown may clear setgid), then xattrs, then mtime (the others touch ctime only). */
export async function copyDirAttributes(src: string, dst: string): Promise<void> {
  const st = lstatSync(src, { bigint: true });
  await chown(dst, Number(st.uid), Number(st.gid));
  await chmod(dst, Number(st.mode & 0o7777n));
  for (const name of listAttributesSync(src)) setAttributeSync(dst, name, getAttributeSync(src, name));
  // Node's utimes goes through a double (~240 ns steps today); touch sets the exact ns.
  await hostCommandOrThrow('touch', ['-m', '-d', touchDate(st.mtimeNs), dst]);
}

/** `@<seconds>.<9 digits>` as GNU touch -d reads it, exact to the nanosecond. */
export function touchDate(ns: bigint): string {
  const abs = ns < 0n ? -ns : ns;
  return `@${ns < 0n ? '-' : ''}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`;
}
