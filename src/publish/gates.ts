// What a release must pass before it is promoted, each gate named in a refusal:
//   boot          every ISO of the release booted (a record in the release, of these bytes);
//   signatures    SHA256SUMS is signed by the key the release names, a key of the keyring
//                 (not the copy in the release), and every file is what it lists; so is the
//                 repository's InRelease;
//   installable   dose-distcheck: every package of the release's repository installs against
//                 the archive the lock names;
//   breaks-nothing  every package the target edition serves now and the release does not
//                 bring still installs beside the release (girar's "NEW unmet dependencies"):
//                 each broken one is named with the package of the release that breaks it.

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLockFile } from '../archive/lock-file.ts';
import { fetchCheckedIndex, fetchRelease } from '../archive/suite-index.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { APT_KEYRING } from '../image/tools/mmdebstrap.ts';
import { bootRecords } from './boot-record.ts';
import { distcheck, type Broken } from './distcheck.ts';
import { verifySignature } from './gpg.ts';
import type { ReleaseRecord } from './release-record.ts';
import { checkSums, SUMS } from './sums.ts';

export type GateName = 'boot' | 'signatures' | 'installable' | 'breaks-nothing';

export interface Gate {
  readonly name: GateName;
  readonly ok: boolean;
  /** What it found: why it passed, or each problem. */
  readonly said: readonly string[];
}

export interface GateInput {
  readonly dir: string;
  readonly record: ReleaseRecord;
  /** The release the target edition serves now, if any. */
  readonly served?: { readonly dir: string; readonly record: ReleaseRecord };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  /** Where the archive's indexes are put for dose-distcheck. */
  readonly tmp: string;
}

export async function promotionGates(g: GateInput): Promise<Result<Gate[]>> {
  const archive = await archivePackages(g);
  if (!archive.ok) return archive;
  return ok([bootGate(g), await signatureGate(g), await installableGate(g, archive.value), await breaksNothingGate(g, archive.value)]);
}

export function bootGate(g: Pick<GateInput, 'dir' | 'record'>): Gate {
  const records = bootRecords(g.dir);
  const isos = g.record.images.filter((i) => i.path.endsWith('.iso'));
  if (isos.length === 0) return { name: 'boot', ok: true, said: ['no ISO in the release (nothing a boot check boots)'] };
  const said: string[] = [];
  let good = true;
  for (const iso of isos) {
    const file = iso.path.replace(/^images\//, '');
    // The latest check of these bytes under each firmware: a failure under one is not made up for by the other.
    const latest = [...new Map(records.filter((r) => r.image === file && r.sha256 === iso.sha256).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map((r) => [r.firmware, r])).values()];
    const failed = latest.filter((r) => !r.ok);
    if (latest.length > 0 && failed.length === 0) said.push(`${file}: booted (${latest.map((r) => `${r.firmware}: ${r.said}`).join('; ')})`);
    else {
      good = false;
      said.push(failed.length > 0 ? `${file} failed its boot check: ${failed.map((r) => `${r.firmware}: ${r.said}`).join('; ')}` : `${file} has no boot check (mkimage boot ${join(g.dir, iso.path)} records one)`);
    }
  }
  return { name: 'boot', ok: good, said };
}

async function signatureGate(g: GateInput): Promise<Gate> {
  const said: string[] = [];
  const signed = await verifySignature(join(g.dir, `${SUMS}.asc`), join(g.dir, SUMS), g);
  if (!signed.ok) said.push(signed.error.message);
  else if (signed.value !== g.record.key) said.push(`${SUMS} is signed by ${signed.value}, the release names ${g.record.key}`);
  said.push(...(await checkSums(g.dir, readFileSync(join(g.dir, SUMS), 'utf8'), g.signal)));
  if (existsSync(join(g.dir, 'repo/InRelease'))) {
    const repo = await verifySignature(join(g.dir, 'repo/InRelease'), undefined, g);
    if (!repo.ok) said.push(repo.error.message);
    else if (repo.value !== g.record.key) said.push(`repo/InRelease is signed by ${repo.value}, the release names ${g.record.key}`);
  }
  return said.length > 0 ? { name: 'signatures', ok: false, said } : { name: 'signatures', ok: true, said: [`${SUMS} and repo/InRelease signed by ${g.record.key}; every file as ${SUMS} lists it`] };
}

async function installableGate(g: GateInput, archive: readonly string[]): Promise<Gate> {
  const repo = join(g.dir, 'repo/Packages');
  if (!existsSync(repo)) return { name: 'installable', ok: true, said: ['no packages of ours in the release'] };
  const broken = await distcheck([repo], archive, 'amd64', g.signal);
  if (!broken.ok) return { name: 'installable', ok: false, said: [broken.error.message] };
  if (broken.value.length === 0) return { name: 'installable', ok: true, said: [`dose-distcheck: the ${g.record.own.length} package${g.record.own.length === 1 ? '' : 's'} of repo/ install${g.record.own.length === 1 ? 's' : ''} against the archive`] };
  return { name: 'installable', ok: false, said: broken.value.map((b) => `${b.name} ${b.version} cannot be installed: ${b.reasons.map((r) => (r.of === b.name ? `needs ${r.unmet}` : `${r.of} needs ${r.unmet}`)).join('; ')}`) };
}

async function breaksNothingGate(g: GateInput, archive: readonly string[]): Promise<Gate> {
  const servedRepo = g.served && join(g.served.dir, 'repo/Packages');
  if (!servedRepo || !existsSync(servedRepo)) return { name: 'breaks-nothing', ok: true, said: ['the target edition serves none of our packages now'] };
  const bringing = existsSync(join(g.dir, 'repo/Packages')) ? readFileSync(join(g.dir, 'repo/Packages'), 'utf8') : '';
  const brought = new Set(stanzas(bringing).map((s) => field(s, 'Package')));
  // What hosts of the edition keep: the packages served now that the release does not replace.
  const kept = stanzas(readFileSync(servedRepo, 'utf8')).filter((s) => !brought.has(field(s, 'Package')));
  if (kept.length === 0) return { name: 'breaks-nothing', ok: true, said: ['the release brings every package the edition serves now'] };
  await mkdir(g.tmp, { recursive: true });
  const keptFile = join(g.tmp, 'served-kept');
  const releaseFile = join(g.tmp, 'release-repo');
  await writeFile(keptFile, `${kept.join('\n\n')}\n`);
  await writeFile(releaseFile, bringing);
  const broken = await distcheck([keptFile], [releaseFile, ...archive], 'amd64', g.signal);
  if (!broken.ok) return { name: 'breaks-nothing', ok: false, said: [broken.error.message] };
  if (broken.value.length === 0) return { name: 'breaks-nothing', ok: true, said: [`the ${kept.length} packages served now and not in the release still install beside it`] };
  return { name: 'breaks-nothing', ok: false, said: broken.value.map((b) => breakage(b, stanzas(bringing))) };
}

/** `jshon 1+b1 (served now) needs libjansson4:amd64 (>= 2.15): the release brings libjansson4 2.14-2+mkimage2; put jshon in the release too`. */
function breakage(b: Broken, release: readonly string[]): string {
  const why = b.reasons.map((r) => {
    const name = r.unmet.replace(/^conflicts with /, '').split(/[\s:(]/)[0]!;
    const culprit = release.find((s) => field(s, 'Package') === name);
    return `${r.of === b.name ? '' : `${r.of} `}needs ${r.unmet}${culprit ? `, and the release brings ${name} ${field(culprit, 'Version')}` : ''}`;
  });
  return `${b.name} ${b.version} (served now) ${why.join('; ')}: the release must bring ${b.name} too`;
}

const stanzas = (text: string): string[] => text.split(/\n\s*\n/).map((s) => s.trim()).filter((s) => s !== '');
const field = (stanza: string, name: string): string => new RegExp(`^${name}: (.*)$`, 'm').exec(stanza)?.[1]?.trim() ?? '';

/** The main Packages index of every suite the release's lock names, checked against its signed Release, as files. */
async function archivePackages(g: GateInput): Promise<Result<string[]>> {
  const lockFile = join(g.dir, 'mkimage.lock');
  if (!existsSync(lockFile)) return fail({ message: `${g.record.id} has no mkimage.lock: the archive it targets is not known`, hint: 'publish from a project with a lock (mkimage lock)' });
  const lock = parseLockFile(readFileSync(lockFile, 'utf8'), lockFile);
  if (!lock.ok) return lock;
  const entry = lock.value.distros.get(g.record.distro);
  if (!entry) return fail({ message: `the lock of ${g.record.id} has no entry for ${g.record.distro}` });
  await mkdir(g.tmp, { recursive: true });
  const files: string[] = [];
  for (const [i, s] of entry.sources.entries()) {
    const release = await fetchRelease({ url: s.mirror, suite: s.suite, components: ['main'], keyring: APT_KEYRING.path }, g.signal);
    if (!release.ok) return release;
    const text = await fetchCheckedIndex(release.value, 'main/binary-amd64/Packages', 'the suite has no amd64 packages', g.signal);
    if (!text.ok) return text;
    const file = join(g.tmp, `archive-${i}`);
    await writeFile(file, text.value);
    files.push(file);
  }
  return ok(files);
}
