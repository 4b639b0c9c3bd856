// Writes a synthetic tree shaped like a root filesystem: many small files in nested
// directories plus a few large ones; used by the kill test and the timings in the report.

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeShape {
  /** Number of small files. */
  readonly smallFiles: number;
  /** Mean size of a small file (sizes are spread 0..2*mean). */
  readonly smallMean: number;
  /** Number and size of large files. */
  readonly largeFiles: number;
  readonly largeSize: number;
  /** Files per directory before a new one is started. */
  readonly perDir?: number;
}

/** Fills `dir` (created if needed); returns the bytes written. */
export async function makeTree(dir: string, shape: TreeShape): Promise<number> {
  const perDir = shape.perDir ?? 100;
  // One random pool sliced at random offsets: fast, and content differs between files.
  const pool = randomBytes(Math.max(shape.smallMean * 4, 1 << 20));
  let bytes = 0;
  const jobs: Promise<void>[] = [];
  const flush = async (): Promise<void> => {
    await Promise.all(jobs.splice(0));
  };
  for (let i = 0; i < shape.smallFiles; i++) {
    const sub = join(dir, `d${Math.floor(i / (perDir * 10))}`, `e${Math.floor(i / perDir)}`);
    if (i % perDir === 0) await mkdir(sub, { recursive: true });
    const size = Math.floor(Math.random() * 2 * shape.smallMean);
    const off = Math.floor(Math.random() * (pool.length - size));
    const data = Buffer.concat([Buffer.from(`${i}\n`), pool.subarray(off, off + size)]);
    bytes += data.length;
    jobs.push(writeFile(join(sub, `f${i}`), data));
    if (jobs.length >= 64) await flush();
  }
  await flush();
  if (shape.largeFiles > 0) await mkdir(join(dir, 'large'), { recursive: true });
  for (let i = 0; i < shape.largeFiles; i++) {
    await writeFile(join(dir, 'large', `big${i}`), randomBytes(shape.largeSize));
    bytes += shape.largeSize;
  }
  return bytes;
}
