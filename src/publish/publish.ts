// Writing a release: the images with their manifests, the lock, and an apt repository of the
// project's own packages the images took, each copied into a temporary directory of the
// edition; the repository's Release signed (Release.gpg, InRelease), SHA256SUMS of it all
// and its signature; then one rename makes it a release and one more makes it current. The
// same bytes already published make no second release (the existing one becomes current).
// Whatever fails (a full disk, a read-only root, an interrupt) removes the temporary
// directory and leaves the current release as it was.

import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { indexFlatRepo } from '../archive/flat-repo.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { errnoFailure } from '../cache/errors.ts';
import { Edition, RECORD } from './edition.ts';
import { clearSign, detachSign, exportKey, signingKey, verifySignature, type Signer } from './gpg.ts';
import { releaseId, sha256Hex, type ReleaseRecord } from './release-record.ts';
import { contentFiles, formatSums, SUMS } from './sums.ts';

export interface PublishInput {
  readonly edition: Edition;
  /** Each image file and its manifest (absolute paths). */
  readonly images: ReadonlyArray<{ readonly file: string; readonly manifest: string }>;
  /** mkimage.lock, when the project has one. */
  readonly lock?: string;
  /** The project's own .debs the images took. */
  readonly own: readonly string[];
  /** The suite the repository is for (its Release's Suite). */
  readonly suite: string;
  readonly signer: Signer;
  readonly now: Date;
}

export interface Published {
  readonly id: string;
  /** False: the same bytes were published before, as `id`. */
  readonly created: boolean;
  readonly dir: string;
}

export const SIGNING_KEY = 'signing-key.asc';
export const REPO = 'repo';

export async function publishRelease(p: PublishInput): Promise<Result<Published>> {
  const fingerprint = await signingKey(p.signer);
  if (!fingerprint.ok) return fingerprint;
  const prepared = await preparable(p.edition);
  if (!prepared.ok) return prepared;
  let unlock: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  try {
    unlock = await p.edition.lock(p.signer.signal);
    tmp = await p.edition.newTemporary();
    const written = await writeContent(p, tmp);
    if (!written.ok) return written;
    const content = await contentFiles(tmp, p.signer.signal);
    const sums = formatSums(content);
    await writeFile(join(tmp, SUMS), sums);
    const digest = sha256Hex(sums);
    const same = p.edition.releases().find((r) => r.digest === digest);
    if (same) {
      if ((await p.edition.current()) !== same.id) await p.edition.makeCurrent(same.id);
      return ok({ id: same.id, created: false, dir: p.edition.releaseDir(same.id) });
    }
    const sumsSigned = await signed(join(tmp, SUMS), `${join(tmp, SUMS)}.asc`, p.signer);
    if (!sumsSigned.ok) return sumsSigned;
    const id = releaseId(p.now, digest);
    const record: ReleaseRecord = {
      id,
      distro: p.edition.distro,
      edition: p.edition.name,
      created: p.now.toISOString(),
      digest,
      images: content.filter((f) => f.path.startsWith('images/') && !f.path.endsWith('.manifest.json')),
      packages: await manifestPackages(p.images.map((i) => i.manifest)),
      own: content.filter((f) => f.path.startsWith(`${REPO}/pool/`)),
      key: fingerprint.value,
    };
    await writeFile(join(tmp, RECORD), `${JSON.stringify(record, null, 2)}\n`);
    await rename(tmp, p.edition.releaseDir(id));
    tmp = undefined;
    await p.edition.makeCurrent(id);
    return ok({ id, created: true, dir: p.edition.releaseDir(id) });
  } catch (e) {
    const failure = errnoFailure(e);
    if (!failure) throw e;
    return fail({ message: `cannot write a release of ${p.edition.distro} into ${p.edition.root}: ${failure.words}`, hint: `the current release is as it was${failure.noSpace ? '; free space, or publish to another root' : ''}` });
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
    await unlock?.();
  }
}

/** The edition's folders, or why they cannot be made (a read-only root). */
async function preparable(edition: Edition): Promise<Result<void>> {
  try {
    await mkdir(edition.releasesDir, { recursive: true });
    return ok(undefined);
  } catch (e) {
    const failure = errnoFailure(e);
    if (!failure) throw e;
    return fail({ message: `cannot publish into ${edition.root}: ${failure.words}`, hint: '--root DIR names another publish root' });
  }
}

/** images/, mkimage.lock, repo/ (signed) and the public key, in `dir`; read-only once written. */
async function writeContent(p: PublishInput, dir: string): Promise<Result<void>> {
  await mkdir(join(dir, 'images'), { recursive: true });
  const place = async (from: string, to: string) => {
    await copyFile(from, to);
    await chmod(to, 0o444);
  };
  for (const image of p.images) {
    await place(image.file, join(dir, 'images', basename(image.file)));
    await place(image.manifest, join(dir, 'images', basename(image.manifest)));
  }
  if (p.lock) await place(p.lock, join(dir, 'mkimage.lock'));
  const key = await exportKey(p.signer);
  if (!key.ok) return key;
  await writeFile(join(dir, SIGNING_KEY), key.value);
  if (p.own.length === 0) return ok(undefined);
  const repo = join(dir, REPO);
  await mkdir(join(repo, 'pool'), { recursive: true });
  for (const deb of p.own) await place(deb, join(repo, 'pool', basename(deb)));
  const architectures = p.own.map((d) => /_([a-z0-9]+)\.deb$/.exec(d)?.[1] ?? 'all');
  // Dated as the images' builds (their SOURCE_DATE_EPOCH): the same packages, the same Release.
  const indexed = await indexFlatRepo(repo, p.suite, architectures, 'mkimage release', await buildDate(p.images.map((i) => i.manifest)));
  if (!indexed.ok) return indexed;
  const release = join(repo, 'Release');
  const detached = await signed(release, join(repo, 'Release.gpg'), p.signer);
  if (!detached.ok) return detached;
  const inRelease = await clearSign(release, join(repo, 'InRelease'), p.signer);
  return inRelease.ok ? ok(undefined) : inRelease;
}

/** A detached signature of `file`, verified before it is trusted to be there. */
async function signed(file: string, to: string, s: Signer): Promise<Result<void>> {
  const made = await detachSign(file, to, s);
  if (!made.ok) return made;
  const good = await verifySignature(to, file, s);
  return good.ok ? ok(undefined) : good;
}

async function buildDate(manifests: readonly string[]): Promise<number> {
  let newest = 0;
  for (const m of manifests) newest = Math.max(newest, (JSON.parse(await readFile(m, 'utf8')) as { sourceDateEpoch?: number }).sourceDateEpoch ?? 0);
  return newest;
}

async function manifestPackages(manifests: readonly string[]): Promise<ReleaseRecord['packages']> {
  const all = new Map<string, ReleaseRecord['packages'][number]>();
  for (const m of manifests) {
    const parsed = JSON.parse(await readFile(m, 'utf8')) as { packages?: Array<{ name: string; version: string; architecture: string }> };
    for (const x of parsed.packages ?? []) all.set(`${x.name}:${x.architecture}`, { name: x.name, version: x.version, architecture: x.architecture });
  }
  return [...all.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
