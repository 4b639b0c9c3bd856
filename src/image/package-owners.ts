// Which installed package ships a path of an image root, from dpkg's file lists
// (var/lib/dpkg/info/*.list), read once and only when first asked.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export class PackageOwners {
  #index: Promise<Map<string, string>> | undefined;

  constructor(private readonly root: string) {}

  /** The package that ships `path` (relative to the root, as the overlay resolved it), if any. */
  async ownerOf(path: string): Promise<string | undefined> {
    const index = await (this.#index ??= this.#read());
    const p = `/${path.replace(/^\/+/, '')}`;
    // Packages list merged-/usr paths as they ship them: /bin/x for what lands in /usr/bin/x.
    return index.get(p) ?? (p.startsWith('/usr/') ? index.get(p.slice(4)) : undefined);
  }

  async #read(): Promise<Map<string, string>> {
    const dir = join(this.root, 'var/lib/dpkg/info');
    const index = new Map<string, string>();
    const lists = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.list')).sort();
    for (const name of lists) {
      const pkg = name.slice(0, -'.list'.length).replace(/:[^:]+$/, '');
      for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) if (line && !index.has(line)) index.set(line, pkg);
    }
    return index;
  }
}
