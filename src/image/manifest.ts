// `<image>.manifest.json`: what an image is made of (every package with its version and
// size) and how it was made (each stage's output digest and duration), written beside it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LockedPackage } from '../archive/lock-file.ts';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** Installed-Size, KiB. */
  readonly installedKiB: number;
  /** The lock entry it was installed from (locked builds): its stage, file and the sha256 the signed index gave. */
  readonly locked?: { readonly stage: string; readonly sha256: string; readonly url: string; readonly line?: number };
}

export interface StageRecord {
  readonly stage: string;
  readonly target: string;
  readonly digest: string;
  readonly status: string;
  /** How long the stage took when it last ran (it may have been cached in this build). */
  readonly durationMs?: number;
}

export interface ImageManifest {
  readonly image: string;
  readonly distro: string;
  readonly type: string;
  /** The suite its packages come from (absent in manifests written before it was recorded). */
  readonly suite?: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly sourceDateEpoch: number;
  readonly commit: string;
  /** The profile had changes not in `commit` (null: not a git checkout). */
  readonly dirty: boolean | null;
  /** Those changes: paths relative to the project (at most 50). */
  readonly uncommitted?: readonly string[];
  /** The features applied, in order (their overlays apply in this order). */
  readonly features: readonly string[];
  /** The hooks run, in order, as feature/file. */
  readonly hooks: readonly string[];
  /** Where the build put this image's files. */
  readonly outputs: readonly string[];
  /** The image's root in the store (the cleanup stage's output): what `ls` and `diff` read. */
  readonly root?: string;
  /** The store it is in. */
  readonly store?: string;
  /** The lock the packages came from: its file, the distro's entry and the inputs it was resolved for. */
  readonly lock?: { readonly file: string; readonly distro: string; readonly inputs: string };
  readonly packages: readonly InstalledPackage[];
  /** The project's package builds the image took: each build's flat repository in the store (`store`). */
  readonly built?: ReadonlyArray<{ readonly source: string; readonly version: string; readonly target: string; readonly digest: string }>;
  readonly stages: readonly StageRecord[];
}

/** Each installed package with the lock entry it came from. */
export function withLockEntries(installed: readonly InstalledPackage[], locked: readonly LockedPackage[]): InstalledPackage[] {
  const byKey = new Map(locked.map((p) => [`${p.name}:${p.architecture}:${p.version}`, p]));
  return installed.map((i) => {
    const p = byKey.get(`${i.name}:${i.architecture}:${i.version}`);
    return p ? { ...i, locked: { stage: p.stage, sha256: p.sha256, url: `${p.mirror.replace(/\/+$/, '')}/${p.filename}`, ...(p.line !== undefined && { line: p.line }) } } : i;
  });
}

/** The installed packages of a root, from dpkg's status file. */
export function installedPackages(root: string): InstalledPackage[] {
  let text: string;
  try {
    text = readFileSync(join(root, 'var/lib/dpkg/status'), 'utf8');
  } catch {
    return [];
  }
  const out: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\n+/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
    const name = field('Package');
    if (!name || !/install ok installed/.test(field('Status') ?? '')) continue;
    out.push({ name, version: field('Version') ?? '', architecture: field('Architecture') ?? '', installedKiB: Number(field('Installed-Size') ?? 0) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
