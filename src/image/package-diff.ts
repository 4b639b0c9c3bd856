// Two package sets compared by name: what a rebuild added, removed and moved to another
// version, each sorted by name.

import type { InstalledPackage } from './manifest.ts';

export interface PackageChanges<P extends { readonly name: string; readonly version: string } = InstalledPackage> {
  readonly added: readonly P[];
  readonly removed: readonly P[];
  readonly changed: ReadonlyArray<{ readonly name: string; readonly from: string; readonly to: string }>;
}

export function diffPackages<P extends { readonly name: string; readonly version: string }>(before: readonly P[], after: readonly P[]): PackageChanges<P> {
  const old = new Map(before.map((p) => [p.name, p]));
  const now = new Map(after.map((p) => [p.name, p]));
  const byName = <T extends { name: string }>(xs: T[]) => xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    added: byName(after.filter((p) => !old.has(p.name))),
    removed: byName(before.filter((p) => !now.has(p.name))),
    changed: byName(after.flatMap((p) => {
      const o = old.get(p.name);
      return o && o.version !== p.version ? [{ name: p.name, from: o.version, to: p.version }] : [];
    })),
  };
}
