// The files of a source the lock pins, through the package pool: its .dsc by the lock's sha256,
// then every file the .dsc names by the .dsc's; each downloaded once (checked before it is
// kept), kept by its sha256, and hashed again when used. So a package build needs the network
// only to fill the pool, as an image does; offline, what the pool lacks is named.

import { copyFile, link, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { LockedSourcePackage } from '../archive/lock-builds.ts';
import { parseDeb822 } from '../archive/deb822.ts';
import { PackagePool, type PoolPackage } from '../archive/pool.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { PoolAccess } from '../image/locked-install.ts';

/** What the pool needs of a locked source: where its .dsc is and what it must hash to. */
export type PooledSource = Pick<LockedSourcePackage, 'name' | 'version' | 'size' | 'sha256' | 'mirror' | 'dsc'>;

/** The .dsc's entry, and (once the pool has the .dsc) every file it names; a .dsc without checksums is an error. */
export async function sourcePoolFiles(s: PooledSource, pool: PackagePool): Promise<Result<{ readonly dsc: PoolPackage; readonly files?: readonly PoolPackage[] }>> {
  const dsc: PoolPackage = { name: s.name, version: s.version, filename: s.dsc, size: s.size, sha256: s.sha256 };
  if (!pool.has(dsc)) return ok({ dsc });
  const used = await pool.use(dsc);
  if (!used.ok) return used;
  const named = dscFiles(await readFile(used.value, 'utf8'), s.dsc);
  if (!named.ok) return named;
  return ok({ dsc, files: named.value.map((f) => ({ name: `${s.name} ${f.name}`, version: s.version, filename: `${dirname(s.dsc)}/${f.name}`, size: f.size, sha256: f.sha256 })) });
}

/** Every file of the source in the pool, fetched where missing unless offline; returns their entries, the .dsc first. */
export async function poolSource(s: PooledSource, access: PoolAccess, signal: AbortSignal): Promise<Result<PoolPackage[]>> {
  const pool = new PackagePool(access.dir);
  const fill = async (p: PoolPackage): Promise<Result<void>> => {
    if (pool.has(p)) return ok(undefined);
    if (access.offline) return fail({ message: `--offline, and the pool lacks ${basename(p.filename)} of the source ${s.name} ${s.version}`, hint: 'mkimage fetch fills the pool while the network is there' });
    const got = await pool.fetch(p, access.mirror ?? s.mirror, signal);
    return got.ok ? ok(undefined) : got;
  };
  const first = await sourcePoolFiles(s, pool);
  if (!first.ok) return first;
  const dscIn = await fill(first.value.dsc);
  if (!dscIn.ok) return dscIn;
  const all = first.value.files ? first : await sourcePoolFiles(s, pool);
  if (!all.ok) return all;
  const entries = [all.value.dsc, ...(all.value.files ?? [])];
  for (const p of entries) {
    const filled = await fill(p);
    if (!filled.ok) return filled;
  }
  return ok(entries);
}

/** The source's files from the pool (filled first, as poolSource), each hashed again and linked into `dir` by its name; returns the .dsc's path there. */
export async function sourceFromPool(s: PooledSource, access: PoolAccess, dir: string, signal: AbortSignal): Promise<Result<string>> {
  const entries = await poolSource(s, access, signal);
  if (!entries.ok) return entries;
  const pool = new PackagePool(access.dir);
  await mkdir(dir, { recursive: true });
  for (const p of entries.value) {
    const file = await pool.use(p);
    if (!file.ok) return file;
    const to = join(dir, basename(p.filename));
    // The pool and the step's scratch are usually on one file system; a copy where they are not.
    await link(file.value, to).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'EXDEV') return copyFile(file.value, to);
      throw e;
    });
  }
  return ok(join(dir, basename(s.dsc)));
}

/** The files a .dsc names, from its Checksums-Sha256 (the .dsc itself was checked against the lock). */
export function dscFiles(text: string, where: string): Result<Array<{ name: string; size: number; sha256: string }>> {
  const stanza = parseDeb822(text).find((st) => st.fields.has('source'));
  const list = stanza?.fields.get('checksums-sha256');
  if (!list) return fail({ message: `${where}: no Checksums-Sha256 in the .dsc` });
  const files = list.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const [sha256, size, name] = l.split(/\s+/) as [string, string, string];
    return { name, size: Number(size), sha256 };
  });
  // The names come from a checked .dsc, but a name that climbs out of the directory is never written.
  const bad = files.find((f) => f.name.includes('/') || f.name === '..' || f.name === '.' || !/^[0-9a-f]{64}$/.test(f.sha256) || !Number.isInteger(f.size));
  return bad ? fail({ message: `${where}: ${JSON.stringify(bad.name)} is no file of a source (${bad.sha256} ${bad.size})` }) : ok(files);
}
