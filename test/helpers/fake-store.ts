// An in-memory ArtifactStore for engine unit tests: real directories, a digest over file
// names and contents, actions in a Map. The real store has its own suite (test/cache).

import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { digest, type Digest, type Fingerprint } from '../../src/core/ids.ts';
import type { ActionRecord, ArtifactStore } from '../../src/core/store.ts';

export class FakeStore implements ArtifactStore {
  readonly root = mkdtempSync(join(tmpdir(), 'mkimage-fake-store-'));
  readonly actions = new Map<Fingerprint, ActionRecord>();
  private readonly locks = new Map<string, Promise<void>>();

  getAction(key: Fingerprint) {
    const a = this.actions.get(key);
    return a && existsSync(this.pathOf(a.digest)) ? a : undefined;
  }
  putAction(key: Fingerprint, record: ActionRecord) {
    this.actions.set(key, record);
  }
  touch() {}
  async scratch(label: string) {
    const dir = mkdtempSync(join(this.root, `scratch-${label.replaceAll('/', '_')}-`));
    return { dir, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  async put(treeDir: string) {
    const d = treeHash(treeDir);
    const dest = this.pathOf(d);
    if (existsSync(dest)) {
      rmSync(treeDir, { recursive: true });
      return { digest: d, existed: true };
    }
    mkdirSync(join(this.root, 'trees'), { recursive: true });
    renameSync(treeDir, dest);
    return { digest: d, existed: false };
  }
  async readPath(d: Digest) {
    return this.pathOf(d);
  }
  pathOf(d: Digest) {
    return join(this.root, 'trees', d);
  }
  async lock(name: string) {
    while (this.locks.has(name)) await this.locks.get(name);
    let release!: () => void;
    this.locks.set(name, new Promise<void>((r) => (release = r)));
    return () => {
      this.locks.delete(name);
      release();
    };
  }
  dispose() {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function treeHash(dir: string): Digest {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      h.update(`${relative(dir, p)}\0`);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return digest(h.digest('hex'));
}
