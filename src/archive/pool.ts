// The package pool: every .deb a lock names, kept by its sha256 (`<root>/<aa>/<sha256>.deb`),
// and the files of the sources the project builds (`<sha256>.src`: a .dsc and what it names).
// A file enters only after its bytes hashed to the digest the signed index gave (written to a
// temporary name, renamed into place: an interrupt leaves nothing half-written), and is hashed
// again before it is used, so a pool file that rotted or was replaced is never installed.

import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { sha256File } from '../core/file-digest.ts';
import type { ArchivePackage } from './packages-index.ts';
import { downloadChecked, mismatchWords } from './checked-download.ts';

/** The pool's directory under a store's root. */
export const POOL_DIR = 'pool';

/** What the pool needs of a package: its name for messages, where it is, and what it must hash to. */
export type PoolPackage = Pick<ArchivePackage, 'name' | 'version' | 'filename' | 'size' | 'sha256'>;

/**
 * Downloads in flight in this process, by the file they fill: two stages that lock the same
 * package (an image's bootstrap and the build chroot) wait for one download.
 */
const inflight = new Map<string, Promise<Result<string>>>();

export class PackagePool {
  constructor(readonly root: string) {}

  /** Where a file of that sha256 is kept; `filename` (the path under the mirror) says whether it is a package or a source's file. */
  path(sha256: string, filename = '.deb'): string {
    return join(this.root, sha256.slice(0, 2), `${sha256}.${filename.endsWith('.deb') ? 'deb' : 'src'}`);
  }

  has(p: PoolPackage): boolean {
    return existsSync(this.path(p.sha256, p.filename));
  }

  /** Downloads the package from the mirror unless the pool has it; the file is checked before it is kept. */
  async fetch(p: PoolPackage, mirror: string, signal?: AbortSignal): Promise<Result<string>> {
    const path = this.path(p.sha256, p.filename);
    if (existsSync(path)) return ok(path);
    const running = inflight.get(path);
    if (running) return running;
    const download = this.#download(p, path, mirror, signal).finally(() => inflight.delete(path));
    inflight.set(path, download);
    return download;
  }

  async #download(p: PoolPackage, path: string, mirror: string, signal?: AbortSignal): Promise<Result<string>> {
    const url = `${mirror.replace(/\/+$/, '')}/${p.filename}`;
    await mkdir(join(this.root, p.sha256.slice(0, 2)), { recursive: true });
    const got = await downloadChecked(url, path, p, signal);
    if (got.ok) return ok(path);
    const e = got.error;
    switch (e.kind) {
      case 'http':
        return fail({ message: `${p.name} ${p.version}: ${url}: HTTP ${e.status} ${e.statusText}`, hint: e.status === 404 ? 'the archive no longer has this version: mkimage lock --update, or fill the pool where it is still found' : 'try again, or another mirror' });
      case 'mismatch':
        return fail({ message: `${p.name} ${p.version}: ${url} is not the package the signed index names ${mismatchWords(e, p)}`, hint: 'a broken or tampered mirror: nothing was kept' });
      case 'unreachable':
        return fail({ message: `${p.name} ${p.version}: ${url}: ${e.why}` });
    }
  }

  /** Every file of the pool: its sha256 (its name) and size. */
  async list(): Promise<Array<{ readonly sha256: string; readonly bytes: number; readonly path: string }>> {
    const out: Array<{ sha256: string; bytes: number; path: string }> = [];
    for (const dir of (await readdir(this.root).catch(() => [] as string[])).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort()) {
      for (const name of (await readdir(join(this.root, dir))).sort()) {
        const m = /^([0-9a-f]{64})\.(?:deb|src)$/.exec(name);
        if (!m || !m[1]!.startsWith(dir)) continue;
        const path = join(this.root, dir, name);
        out.push({ sha256: m[1]!, bytes: (await stat(path)).size, path });
      }
    }
    return out;
  }

  /** Hashes every file again; each that is not what its name says is removed and returned. */
  async verify(signal?: AbortSignal): Promise<{ readonly checked: number; readonly corrupt: ReadonlyArray<{ readonly sha256: string; readonly file: string; readonly got: string }> }> {
    const files = await this.list();
    const corrupt: Array<{ sha256: string; file: string; got: string }> = [];
    for (const f of files) {
      signal?.throwIfAborted();
      const got = await sha256File(f.path);
      if (got === f.sha256) continue;
      await rm(f.path, { force: true });
      corrupt.push({ sha256: f.sha256, file: basename(f.path), got });
    }
    return { checked: files.length, corrupt };
  }

  /** Removes every file whose sha256 `keep` does not hold; returns what went. */
  async prune(keep: (sha256: string) => boolean): Promise<{ readonly removed: number; readonly removedBytes: number; readonly keptBytes: number }> {
    let removed = 0;
    let removedBytes = 0;
    let keptBytes = 0;
    for (const f of await this.list()) {
      if (keep(f.sha256)) {
        keptBytes += f.bytes;
        continue;
      }
      await rm(f.path, { force: true });
      removed++;
      removedBytes += f.bytes;
    }
    return { removed, removedBytes, keptBytes };
  }

  /** The pool's file of the package, hashed again now; a file that does not match is removed. */
  async use(p: PoolPackage): Promise<Result<string>> {
    const path = this.path(p.sha256, p.filename);
    const size = await stat(path).then((s) => s.size, () => undefined);
    if (size === undefined) return fail({ message: `${p.name} ${p.version} is not in the pool (${this.root})`, hint: 'mkimage fetch fills it' });
    const got = await sha256File(path);
    if (got === p.sha256 && size === p.size) return ok(path);
    await rm(path, { force: true });
    return fail({ message: `${p.name} ${p.version}: the pool's file ${path} does not match its sha256 (${size} bytes, ${got.slice(0, 16)}); it was removed`, hint: 'mkimage fetch downloads it again' });
  }
}
