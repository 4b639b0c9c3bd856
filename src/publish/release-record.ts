// A release as its release.json describes it, and its id: the UTC date it was first
// published and the start of the digest of its SHA256SUMS (what it holds, byte for byte), so
// that the same bytes published again are recognised, and ids sort by date.

import { createHash } from 'node:crypto';

/** A file of the release as SHA256SUMS lists it. */
export interface ReleaseFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ReleaseRecord {
  readonly id: string;
  readonly distro: string;
  readonly edition: string;
  /** When it was first published (ISO 8601, UTC). */
  readonly created: string;
  /** sha256 of SHA256SUMS: what the release holds. */
  readonly digest: string;
  /** The images (paths in the release), each with its size. */
  readonly images: readonly ReleaseFile[];
  /** Every package the images install, from their manifests. */
  readonly packages: ReadonlyArray<{ readonly name: string; readonly version: string; readonly architecture: string }>;
  /** The project's own packages in repo/ (the .debs the images took from its builds). */
  readonly own: readonly ReleaseFile[];
  /** The key SHA256SUMS and repo/Release are signed with (its fingerprint). */
  readonly key: string;
  /** Where it came from: the edition and release it was promoted from, if it was. */
  readonly promotedFrom?: { readonly edition: string; readonly id: string };
}

export const RELEASE_ID = /^\d{8}-[0-9a-f]{12}$/;
export const EDITION_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** `20261203-1a2b3c4d5e6f`. */
export function releaseId(created: Date, digest: string): string {
  const d = created.toISOString().slice(0, 10).replaceAll('-', '');
  return `${d}-${digest.slice(0, 12)}`;
}

export const sha256Hex = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');
