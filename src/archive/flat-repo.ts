// A flat apt repository of pinned packages: the pool's files (each hashed again on the way
// in), their Packages index by dpkg-scanpackages, and a Release whose Suite is the suite the
// lock was resolved for (mmdebstrap finds the essential set by it). apt reads it as
// `deb [trusted=yes] file:DIR ./`: trusted because every file was checked against the lock,
// whose digests come from the archive's signed indexes.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { LockedPackage } from './lock-file.ts';
import type { PackagePool } from './pool.ts';

/** The sources line apt and mmdebstrap read the repository by. */
export const flatRepoSource = (dir: string) => `deb [trusted=yes] file://${dir} ./`;

export async function writeFlatRepo(dir: string, packages: readonly LockedPackage[], pool: PackagePool, suite: string): Promise<Result<void>> {
  await mkdir(join(dir, 'pool'), { recursive: true });
  for (const p of packages) {
    const file = await pool.use(p);
    if (!file.ok) return file;
    const to = join(dir, 'pool', basename(p.filename));
    // The pool and the repository are usually on one file system; a copy where they are not.
    await link(file.value, to).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'EXDEV') return copyFile(file.value, to);
      throw e;
    });
  }
  return indexFlatRepo(dir, suite, [...new Set(packages.map((p) => p.architecture))], 'mkimage lock');
}

/**
 * The Packages index of the .debs under DIR/pool, and a Release naming it (Origin mkimage, the
 * given Label); with `date` (seconds since the epoch: a fixed one, so that the same packages
 * give the same bytes) a Date field, which apt wants of a repository it reads signed.
 */
export async function indexFlatRepo(dir: string, suite: string, architectures: readonly string[], label: string, date?: number): Promise<Result<void>> {
  const scanned = await scan(dir);
  if (!scanned.ok) return scanned;
  await writeFile(join(dir, 'Packages'), scanned.value);
  const sha = createHash('sha256').update(scanned.value).digest('hex');
  await writeFile(
    join(dir, 'Release'),
    `Origin: mkimage\nLabel: ${label}\nSuite: ${suite}\nCodename: ${suite}\n${date === undefined ? '' : `Date: ${new Date(date * 1000).toUTCString().replace('GMT', 'UTC')}\n`}Architectures: ${[...new Set(architectures)].sort().join(' ')}\nComponents: main\nSHA256:\n ${sha} ${Buffer.byteLength(scanned.value)} Packages\n`,
  );
  return ok(undefined);
}

function scan(dir: string): Promise<Result<string>> {
  return new Promise((resolve) => {
    execFile('dpkg-scanpackages', ['--multiversion', 'pool', '/dev/null'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20 }, (error, stdout, stderr) => {
      resolve(error ? fail({ message: `dpkg-scanpackages in ${dir}: ${stderr.trim().split('\n').at(-1) ?? error.message}` }) : ok(stdout));
    });
  });
}
