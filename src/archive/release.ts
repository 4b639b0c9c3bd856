// A suite's InRelease: verified with gpgv against a keyring before anything of it is read
// (the Debian archive keyring, or a mirror's own), then its checksum table: every index file
// of the suite with its size and sha256, the root of the chain that makes each .deb trusted.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { parseDeb822 } from './deb822.ts';

export interface IndexFile {
  readonly sha256: string;
  readonly size: number;
}

export interface Release {
  readonly suite: string;
  readonly codename: string;
  /** As the archive wrote it (`Sat, 09 Nov 2026 10:12:47 UTC`). */
  readonly date: string;
  readonly components: readonly string[];
  readonly architectures: readonly string[];
  /** Path relative to dists/<suite>/ -> its checksum and size. */
  readonly files: ReadonlyMap<string, IndexFile>;
}

/**
 * The Release an InRelease holds, once gpgv says a key of `keyring` signed it. `source` names
 * the file in messages (its URL or path).
 */
export async function verifyInRelease(inRelease: string, keyring: string, source: string): Promise<Result<Release>> {
  const dir = await mkdtemp(join(tmpdir(), 'mkimage-release-'));
  try {
    await writeFile(join(dir, 'InRelease'), inRelease);
    // --output: what was signed, and only that (text outside the signature is not trusted).
    const signed = await gpgv(['--keyring', keyring, '--output', join(dir, 'signed'), join(dir, 'InRelease')], join(dir, 'signed'));
    if (!signed.ok) return fail({ message: `${source}: the signature does not verify: ${signed.error}`, hint: `is the mirror's key in ${keyring}?` });
    return parseRelease(signed.value, source);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The fields of a Release text (already verified). */
export function parseRelease(text: string, source: string): Result<Release> {
  const stanza = parseDeb822(text)[0];
  const field = (name: string) => stanza?.fields.get(name);
  const sums = field('sha256');
  if (!stanza || !sums) return fail({ message: `${source}: no SHA256 table`, hint: 'an InRelease without SHA256 sums cannot vouch for anything' });
  const files = new Map<string, IndexFile>();
  for (const line of sums.split('\n')) {
    const m = /^\s*([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) files.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  const words = (name: string) => (field(name) ?? '').split(/\s+/).filter(Boolean);
  return ok({
    suite: field('suite') ?? '',
    codename: field('codename') ?? '',
    date: field('date') ?? '',
    components: words('components'),
    architectures: words('architectures'),
    files,
  });
}

/** Runs gpgv; the signed text it wrote to `output`, or gpgv's reason for refusing. */
async function gpgv(args: string[], output: string): Promise<{ ok: true; value: string } | { ok: false; error: string }> {
  const run = await new Promise<{ error: Error | null; stderr: string }>((resolve) =>
    execFile('gpgv', args, { encoding: 'utf8' }, (error, _stdout, stderr) => resolve({ error, stderr })),
  );
  if (!run.error) return { ok: true, value: await readFile(output, 'utf8') };
  const lines = run.stderr.split('\n').map((l) => l.replace(/^gpgv: /, '').trim()).filter(Boolean);
  const why = lines.find((l) => /BAD signature|no valid OpenPGP data|Can't check signature|No public key|not found/i.test(l)) ?? lines.at(-1) ?? run.error.message;
  return { ok: false, error: why };
}
