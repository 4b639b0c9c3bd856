// What the users of mkimage.lock say of it: how a command uses the lock, and what moved
// between two entries of one distro (or chroot, or build) as a changelog.

import type { LockedDistro, LockedPackage } from '../archive/lock-file.ts';

/** build: resolve what is missing or stale; locked: refuse to (--locked); read: use what is current, resolve nothing. */
export type LockMode = 'build' | 'locked' | 'read';

/** What moved between two entries of one distro, as a changelog: `+jq 1.6-2.1, libc6 2.36-9 -> 2.36-10, -foo`. */
export function describeChanges(before: Pick<LockedDistro, 'packages'>, after: Pick<LockedDistro, 'packages'>): string {
  return packageChanges(before.packages, after.packages)
    .map((c) => (c.from === undefined ? `+${c.name} ${c.to}` : c.to === undefined ? `-${c.name} ${c.from}` : `${c.name} ${c.from} -> ${c.to}`))
    .join(', ');
}

export interface PackageChange {
  readonly name: string;
  readonly architecture: string;
  readonly from?: string;
  readonly to?: string;
}

export function packageChanges(before: readonly LockedPackage[], after: readonly LockedPackage[]): PackageChange[] {
  const key = (p: LockedPackage) => `${p.name}:${p.architecture}`;
  const old = new Map(before.map((p) => [key(p), p]));
  const now = new Map(after.map((p) => [key(p), p]));
  const out: PackageChange[] = [];
  for (const k of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(k);
    const b = now.get(k);
    if (a && b && a.version === b.version && a.sha256 === b.sha256) continue;
    const [name, architecture] = k.split(':') as [string, string];
    out.push({ name, architecture, ...(a && { from: a.version }), ...(b && { to: b.version }) });
  }
  return out;
}
