// The files of one source package downloaded into a directory: each hashed as it arrives and
// kept only if its size and sha256 are the ones the signed index (or the checked .dsc) gives,
// so what dpkg-source unpacks is exactly what the archive published.

import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { sha256File } from '../core/file-digest.ts';
import { downloadChecked, mismatchWords } from '../archive/checked-download.ts';
import type { ArchiveSource, SourceFile } from '../archive/sources-index.ts';

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
  const got = await downloadChecked(url, path, file, signal);
  if (got.ok) return got;
  const e = got.error;
  switch (e.kind) {
    case 'http':
      return fail({ message: `${what}: ${file.name}: ${url}: HTTP ${e.status} ${e.statusText}`, hint: e.status === 404 ? 'the archive no longer has this version: mkimage lock --update, or a snapshot mirror that still has it' : 'try again, or another mirror' });
    case 'mismatch':
      return fail({ message: `${what}: ${file.name} from ${url} is not the file the signed index names ${mismatchWords(e, file)}`, hint: 'a broken or tampered mirror, or one in the middle of an update: nothing was kept' });
    case 'unreachable':
      return fail({ message: `${what}: ${file.name}: ${url}: ${e.why}`, hint: 'is the network up, and the mirror reachable?' });
  }
}

/** Whether `path` is already the file: its size, then (only if that matches) its sha256. */
async function holds(path: string, file: SourceFile): Promise<boolean> {
  const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -1);
  if (size !== file.size) return false;
  return (await sha256File(path)) === file.sha256;
}
