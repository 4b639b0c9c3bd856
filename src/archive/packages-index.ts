// A Packages index of one component and architecture: checked against the verified Release
// (its size and sha256, as fetched, compressed or not) before it is read, then each package
// with what a lock and a pool need: the file in the archive and its size and sha256.

import { createHash } from 'node:crypto';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { parseDeb822 } from './deb822.ts';
import type { Release } from './release.ts';

export interface ArchivePackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** Path of the .deb relative to the mirror's root (`pool/main/a/acl/acl_2.3.1-3_amd64.deb`). */
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  /** Where the package was read from (`main/binary-amd64/Packages.xz:1234`), for errors. */
  readonly from: string;
  /** The names it provides (virtual packages: `mail-transport-agent`). */
  readonly provides?: readonly string[];
  /** The names its Depends and Pre-Depends mention, every alternative (what `lock --update PKG` moves with it). */
  readonly depends?: readonly string[];
  /** Its source package's name (the Source field without a version; absent: the package's own name). */
  readonly source?: string;
}

/** `libc6 (>= 2.34), debconf | debconf-2.0` -> `libc6 debconf debconf-2.0`. */
const relationNames = (field: string | undefined): string[] =>
  (field ?? '').split(/[,|]/).map((r) => r.trim().split(/[\s(:\[]/)[0]!).filter((n) => n !== '');

/**
 * `bytes` is the index file as fetched from dists/<suite>/`path`; `text` is what it
 * decompresses to. Both the fetched bytes' checksum and size must be the Release's.
 */
export function checkIndexFile(release: Release, path: string, bytes: Buffer, source: string): Result<void> {
  const want = release.files.get(path);
  if (!want) return fail({ message: `${source}: the Release lists no ${path}`, hint: `the suite has ${release.components.join(', ')} for ${release.architectures.join(', ')}` });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== want.size || sha256 !== want.sha256) {
    return fail({ message: `${source}: ${path} is not what the signed Release says (${bytes.length} bytes, sha256 ${sha256.slice(0, 16)}; expected ${want.size}, ${want.sha256.slice(0, 16)})`, hint: 'a mirror in the middle of an update, or a tampered one: try again, or another mirror' });
  }
  return ok(undefined);
}

/** Every package stanza of a Packages text; a stanza missing a field a lock needs is an error at its line. */
export function parsePackages(text: string, source: string): Result<ArchivePackage[]> {
  const out: ArchivePackage[] = [];
  for (const stanza of parseDeb822(text)) {
    const f = (name: string) => stanza.fields.get(name);
    const name = f('package');
    const version = f('version');
    const architecture = f('architecture');
    const filename = f('filename');
    const size = Number(f('size'));
    const sha256 = f('sha256');
    if (!name || !version || !architecture || !filename || !Number.isSafeInteger(size) || !sha256 || !/^[0-9a-f]{64}$/.test(sha256)) {
      return fail({ message: `${source}:${stanza.line}: package stanza without Package, Version, Architecture, Filename, Size or SHA256` });
    }
    const provides = relationNames(f('provides'));
    const depends = [...new Set([...relationNames(f('pre-depends')), ...relationNames(f('depends'))])];
    const from = f('source')?.split(/\s/)[0];
    out.push({ name, version, architecture, filename, size, sha256, from: `${source}:${stanza.line}`, ...(provides.length > 0 && { provides }), ...(depends.length > 0 && { depends }), ...(from && from !== name && { source: from }) });
  }
  return ok(out);
}
