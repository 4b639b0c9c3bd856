// `mkimage publish DISTRO[.TYPE]... --root DIR --sign-key KEY [--edition NAME]`: builds what
// is not built yet (as `mkimage DISTRO.TYPE` would, outputs in out/), then writes one signed
// release per distro into the edition of the publish root and makes it current.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LocalStore } from '../cache/local-store.ts';
import type { Digest } from '../core/ids.ts';
import type { ImageManifest } from '../image/manifest.ts';
import { Edition } from '../publish/edition.ts';
import { signingKey } from '../publish/gpg.ts';
import { publishRelease } from '../publish/publish.ts';
import { EDITION_NAME } from '../publish/release-record.ts';
import { buildCommand } from './build-command.ts';
import { outDir, printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { openProject } from './project.ts';
import { LOCK_FILE } from '../archive/lock-file.ts';

export const DEFAULT_EDITION = 'testing';

/** The publish root from --root or $MKIMAGE_PUBLISH_ROOT; a line saying how to give one otherwise. */
export function publishRoot(options: Options, io: Io, command: string): string | undefined {
  const root = options.root ?? io.env.MKIMAGE_PUBLISH_ROOT;
  if (root) return resolve(io.cwd, root);
  io.err(`mkimage: ${command} needs a publish root (hint: --root DIR, or MKIMAGE_PUBLISH_ROOT=DIR)`);
  return undefined;
}

/** The edition named, checked; a line naming the bad one otherwise. */
export function editionName(options: Options, io: Io): string | undefined {
  const name = options.edition ?? DEFAULT_EDITION;
  if (EDITION_NAME.test(name)) return name;
  io.err(`mkimage: edition ${JSON.stringify(name)} is not a name (hint: lower-case letters, digits and -, e.g. testing, production)`);
  return undefined;
}

export async function publishCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  if (args.length === 0) {
    io.err('mkimage: publish wants the distros to publish (hint: mkimage publish ldap-server --root /srv/mkimage --sign-key KEY)');
    return 2;
  }
  const root = publishRoot(options, io, 'publish');
  const edition = editionName(options, io);
  const key = options['sign-key'] ?? io.env.MKIMAGE_SIGN_KEY;
  if (!root || !edition) return 2;
  if (!key) {
    io.err('mkimage: publish signs what it writes and needs a gpg key (hint: --sign-key KEY or MKIMAGE_SIGN_KEY=KEY; gpg --list-secret-keys shows yours)');
    return 2;
  }
  // A key gpg does not have is said before a build that may take an hour.
  const signer = { key, env: io.env, signal: io.signal };
  const usable = await signingKey(signer);
  if (!usable.ok) {
    printDiagnostic(io, usable.error);
    return 2;
  }
  const goals = args.map((a) => (a.includes('.') ? a : `${a}.iso`));
  const built = await buildCommand(goals, options, io);
  if (built !== 0) return built;
  const project = await openProject(options, io);
  if (!project.ok) {
    printDiagnostic(io, project.error);
    return 2;
  }
  const projectRoot = project.value.loaded.root;
  const out = outDir(options, io, projectRoot);
  const lock = join(projectRoot, LOCK_FILE);
  const now = new Date();
  const manifests = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.manifest.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as ImageManifest) : [];
  for (const goal of goals) {
    const [distro, type] = [goal.slice(0, goal.lastIndexOf('.')), goal.slice(goal.lastIndexOf('.') + 1)];
    const manifest = manifests.find((m) => m.distro === distro && m.type === type);
    if (!manifest) {
      io.err(`mkimage: ${goal} was built, but no manifest of it is in ${out} (hint: build it again)`);
      return 1;
    }
    const r = await publishRelease({
      edition: new Edition(root, manifest.distro, edition),
      images: manifest.outputs.map((file) => ({ file, manifest: `${file}.manifest.json` })),
      ...(existsSync(lock) && { lock }),
      own: await ownDebs(manifest),
      suite: manifest.suite ?? 'stable',
      signer,
      now,
    });
    if (!r.ok) {
      printDiagnostic(io, r.error);
      return 1;
    }
    io.out(r.value.created ? `published ${manifest.distro} ${edition} ${r.value.id}: ${r.value.dir}` : `${manifest.distro} ${edition}: the same bytes are release ${r.value.id} already; it is current`);
  }
  return 0;
}

/** The .debs of the project's builds the image installs, from the builds' repositories in the store. */
async function ownDebs(m: ImageManifest): Promise<string[]> {
  if (!m.built?.length || !m.store) return [];
  const store = await LocalStore.open(m.store);
  // dpkg-scanpackages's names: the version without its epoch.
  const installed = new Set(m.packages.map((p) => `${p.name}_${p.version.replace(/^\d+:/, '')}_${p.architecture}.deb`));
  const out: string[] = [];
  for (const b of m.built) {
    const pool = join(store.treePath(b.digest as Digest), 'pool');
    for (const f of existsSync(pool) ? readdirSync(pool) : []) if (installed.has(f)) out.push(join(pool, f));
  }
  return out.sort();
}
