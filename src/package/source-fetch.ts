// The files of one source package downloaded into a directory: each hashed as it arrives and
// kept only if its size and sha256 are the ones the signed index (or the checked .dsc) gives,
// so what dpkg-source unpacks is exactly what the archive published.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { ArchiveSource, SourceFile } from '../archive/sources-index.ts';
import { fetchFailure } from '../archive/suite-index.ts';

/** Downloads every file of `src` from `mirror` (`${mirror}/${src.directory}/${file.name}`) into `dir`, each checked against its size and sha256 before it is kept (written to a temp name, renamed after the check); returns the .dsc's path. A mismatch or HTTP error fails naming the file and the source. */
export async function fetchSourceFiles(src: ArchiveSource, mirror: string, dir: string, signal?: AbortSignal): Promise<Result<string>> {
  const what = `${src.name} ${src.version}`;
  const dsc = src.files.find((f) => f.name.endsWith('.dsc'));
  if (!dsc) return fail({ message: `${what}: no .dsc among its files (${src.from})` });
  await mkdir(dir, { recursive: true });
  for (const file of src.files) {
    // The names come from a signed index, but a name that climbs out of `dir` is never written.
    if (file.name.includes('/') || file.name === '..' || file.name === '.') return fail({ message: `${what}: ${JSON.stringify(file.name)} is not a file name (${src.from})` });
    const path = join(dir, file.name);
    // A file kept by an earlier fetch (or one that was interrupted after it) is not downloaded again.
    if (await holds(path, file)) continue;
    const got = await download(file, `${mirror.replace(/\/+$/, '')}/${src.directory}/${file.name}`, path, what, signal);
    if (!got.ok) return got;
  }
  return ok(join(dir, dsc.name));
}

async function download(file: SourceFile, url: string, path: string, what: string, signal?: AbortSignal): Promise<Result<void>> {
  const partial = `${path}.${process.pid}.partial`;
  try {
    const res = await fetch(url, signal ? { signal } : {});
    if (!res.ok || !res.body) {
      return fail({ message: `${what}: ${file.name}: ${url}: HTTP ${res.status} ${res.statusText}`, hint: res.status === 404 ? 'the archive no longer has this version: mkimage lock --update, or a snapshot mirror that still has it' : 'try again, or another mirror' });
    }
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(partial);
    try {
      for await (const chunk of Readable.fromWeb(res.body as ReadableStream<Uint8Array>)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
        if (!out.write(chunk)) await once(out, 'drain');
      }
    } finally {
      out.end();
      await finished(out).catch(() => undefined);
    }
    const sha256 = hash.digest('hex');
    if (size !== file.size || sha256 !== file.sha256) {
      return fail({ message: `${what}: ${file.name} from ${url} is not the file the signed index names (${size} bytes, sha256 ${sha256.slice(0, 16)}; expected ${file.size}, ${file.sha256.slice(0, 16)})`, hint: 'a broken or tampered mirror, or one in the middle of an update: nothing was kept' });
    }
    await rename(partial, path);
    return ok(undefined);
  } catch (e) {
    if (signal?.aborted) throw e;
    return fail({ message: `${what}: ${file.name}: ${url}: ${fetchFailure(e)}`, hint: 'is the network up, and the mirror reachable?' });
  } finally {
    await rm(partial, { force: true });
  }
}

/** Whether `path` is already the file: its size, then (only if that matches) its sha256. */
async function holds(path: string, file: SourceFile): Promise<boolean> {
  const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -1);
  if (size !== file.size) return false;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex') === file.sha256;
}
