// One suite of a mirror, as far as a lock needs it: its InRelease fetched and verified, then
// each component's Packages index fetched, checked against the Release and read. Every byte is
// checked before use; the compressed index is the one the Release lists (xz preferred).

import { spawn } from 'node:child_process';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { checkIndexFile, parsePackages, type ArchivePackage } from './packages-index.ts';
import { verifyInRelease, type Release } from './release.ts';

export interface SuiteSource {
  /** The mirror's root: `http://deb.debian.org/debian`. */
  readonly url: string;
  readonly suite: string;
  readonly components: readonly string[];
  /** The keyring its InRelease must be signed by. */
  readonly keyring: string;
}

export interface SuiteIndex {
  readonly source: SuiteSource;
  readonly release: Release;
  /** Every package of the suite's components for the architecture (and `all`), by name. */
  readonly packages: ReadonlyMap<string, readonly ArchivePackage[]>;
}

export async function fetchSuiteIndex(source: SuiteSource, architecture: string, signal?: AbortSignal): Promise<Result<SuiteIndex>> {
  const release = await fetchRelease(source, signal);
  if (!release.ok) return release;
  const packages = new Map<string, ArchivePackage[]>();
  for (const component of source.components) {
    const stem = `${component}/binary-${architecture}/Packages`;
    const text = await fetchCheckedIndex(release.value, stem, `the suite has components ${release.value.release.components.join(', ')} for ${release.value.release.architectures.join(', ')}`, signal);
    if (!text.ok) return text;
    const parsed = parsePackages(text.value, `${release.value.base}/${stem}`);
    if (!parsed.ok) return parsed;
    for (const p of parsed.value) {
      if (p.architecture !== architecture && p.architecture !== 'all') continue;
      const list = packages.get(p.name);
      if (list) list.push(p);
      else packages.set(p.name, [p]);
    }
  }
  return ok({ source, release: release.value.release, packages });
}

/** A suite's verified Release and the URL of its `dists/SUITE` directory. */
export interface VerifiedRelease {
  readonly base: string;
  readonly release: Release;
}

/** The suite's InRelease, fetched and verified against the source's keyring. */
export async function fetchRelease(source: SuiteSource, signal?: AbortSignal): Promise<Result<VerifiedRelease>> {
  const base = `${source.url.replace(/\/+$/, '')}/dists/${source.suite}`;
  const inRelease = await get(`${base}/InRelease`, signal);
  if (!inRelease.ok) return inRelease;
  const release = await verifyInRelease(inRelease.value.toString('utf8'), source.keyring, `${base}/InRelease`);
  return release.ok ? ok({ base, release: release.value }) : release;
}

/**
 * One index the Release lists (`main/source/Sources`): its .xz if listed, else the plain file,
 * checked against the Release before it is read; `hint` says what the suite has when neither is listed.
 */
export async function fetchCheckedIndex(r: VerifiedRelease, stem: string, hint: string, signal?: AbortSignal): Promise<Result<string>> {
  const path = [`${stem}.xz`, stem].find((p) => r.release.files.has(p));
  if (!path) return fail({ message: `${r.base}/InRelease lists no ${stem}`, hint });
  const bytes = await get(`${r.base}/${path}`, signal);
  if (!bytes.ok) return bytes;
  const checked = checkIndexFile(r.release, path, bytes.value, r.base);
  if (!checked.ok) return checked;
  return ok(path.endsWith('.xz') ? await unxz(bytes.value) : bytes.value.toString('utf8'));
}

export async function get(url: string, signal?: AbortSignal): Promise<Result<Buffer>> {
  try {
    const res = await fetch(url, signal ? { signal } : {});
    if (!res.ok) return fail({ message: `${url}: HTTP ${res.status} ${res.statusText}`, ...(res.status === 404 && { hint: 'is the mirror URL and the suite right?' }) });
    return ok(Buffer.from(await res.arrayBuffer()));
  } catch (e) {
    if (signal?.aborted) throw e;
    return fail({ message: `${url}: ${fetchFailure(e)}`, hint: 'is the network up, and the mirror reachable?' });
  }
}

/** xz -dc: the compressed bytes were checked already, so a failure here is the tool's. */
export function unxz(bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const xz = spawn('xz', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    xz.stdout.on('data', (b: Buffer) => out.push(b));
    xz.stderr.on('data', (b: Buffer) => (err += b.toString()));
    xz.on('error', reject);
    xz.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`xz -dc exited with ${code}: ${err.trim()}`))));
    xz.stdin.end(bytes);
  });
}

/** Why fetch() threw, in the words of the system call under it (`connect ECONNREFUSED 127.0.0.1:80`). */
export function fetchFailure(e: unknown): string {
  return e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
}
