// The package builds a profile library declares (features' `packages:`), checked where they
// were written: a source name Debian would take, a version suffix that sorts above Debian's,
// patches that exist, and no source built twice.

import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fail, formatLocation, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import type { PackageDecl } from '../dsl/package.ts';
import { readLocalSource, type LocalSource } from './local-source.ts';

/** A declared package build, as the library holds it. */
export interface PackageBuild {
  readonly decl: PackageDecl;
  /** The feature that declared it. */
  readonly feature: string;
  /** Its patches' absolute paths, in order. */
  readonly patches: readonly string[];
  /** The upstream tarball's absolute path, when it builds another upstream version. */
  readonly upstream?: string;
  /** A custom package's folder, read (localSource). */
  readonly local?: LocalSource;
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** A suffix starts with `+` (sorts above the archive's version) and holds what a Debian version may. */
const SUFFIX = /^\+[A-Za-z0-9.+~]*[A-Za-z0-9]$/;
const WORD = /^[A-Za-z0-9][A-Za-z0-9.=_+-]*$/;
/** An upstream version as Debian writes one (no epoch, no revision). */
const UPSTREAM_VERSION = /^[0-9][A-Za-z0-9.+~]*$/;
const TARBALL = /\.(tar\.(gz|xz|bz2)|tgz)$/;

export function checkPackageDecl(decl: PackageDecl, feature: string, featureDir: string): Result<PackageBuild> {
  const at = decl.at ?? { file: join(featureDir, 'feature.ts'), line: 1 };
  const bad = (message: string, hint?: string): Result<never> => fail({ message: `package ${decl.source}: ${message}`, at, ...(hint && { hint }) });
  if (!SOURCE_NAME.test(decl.source)) return fail({ message: `invalid source package name ${JSON.stringify(decl.source)}`, at, hint: 'a Debian source name: lower-case letters, digits, + - and .' });
  if (!(decl.local !== undefined && decl.suffix === '') && !SUFFIX.test(decl.suffix)) return bad(`version suffix ${JSON.stringify(decl.suffix)} does not start with + and end in a letter or digit`, "e.g. '+mkimage1': it sorts above the archive's version");
  for (const w of [...decl.buildOptions, ...decl.profiles]) if (!WORD.test(w)) return bad(`${JSON.stringify(w)} is not one word of DEB_BUILD_OPTIONS or DEB_BUILD_PROFILES`);
  const parallel = decl.buildOptions.find((w) => w.startsWith('parallel='));
  if (parallel) return bad(`${parallel} in buildOptions: the job slots a build gets are mkimage's to give`, `jobs: ${parallel.slice('parallel='.length) || 1} takes that many of -j`);
  if (decl.jobs !== 'all' && !(Number.isInteger(decl.jobs) && decl.jobs >= 1)) return bad(`jobs ${JSON.stringify(decl.jobs)} is not a whole number of job slots or 'all'`, "e.g. jobs: 4, or 'all' for a build that should have the machine (-j) to itself");
  for (const line of decl.configureOptions) if (line.includes('\n')) return bad(`a configure option holds a line break: ${JSON.stringify(line)}`, 'give one option per list item');
  const folder = `${relative(join(featureDir, '..'), featureDir)}/`;
  if (decl.local !== undefined) {
    const local = readLocalSource(decl.source, decl.local, featureDir);
    return local.ok ? ok({ decl, feature, patches: [], local: local.value }) : bad(local.error.message, local.error.hint);
  }
  const patches: string[] = [];
  for (const p of decl.patches) {
    const path = join(featureDir, p);
    if (!isFile(path)) return bad(`patch ${p} is not a file of ${folder}`, `patches are paths relative to the feature folder, e.g. patches/${p.split('/').at(-1)}`);
    patches.push(path);
  }
  for (const p of decl.dropPatches) if (p === '' || /\s/.test(p)) return bad(`dropPatches ${JSON.stringify(p)} is not a patch's name in debian/patches/series`);
  const u = decl.upstream;
  if (!u) return ok({ decl, feature, patches });
  const upstream = join(featureDir, u.tarball);
  if (!TARBALL.test(u.tarball)) return bad(`upstream tarball ${u.tarball} is no .tar.gz, .tar.xz or .tar.bz2`);
  if (!isFile(upstream)) return bad(`upstream tarball ${u.tarball} is not a file of ${folder}`, 'the project ships the tarball: a path relative to the feature folder, e.g. upstream/NAME-VERSION.tar.gz');
  if (!UPSTREAM_VERSION.test(u.version)) return bad(`upstream version ${JSON.stringify(u.version)} is not a Debian upstream version`, 'digits first, then letters, digits, . + ~ (no epoch, no -revision: mkimage adds -0+mkimage1)');
  if (!/^[0-9a-f]{64}$/.test(u.sha256)) return bad(`upstream sha256 ${JSON.stringify(u.sha256)} is not 64 hex digits`, `sha256sum ${folder}${u.tarball} prints it`);
  return ok({ decl, feature, patches, upstream });
}

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/** Adds a build to the library's map; a source declared twice is an error at the second place. */
export function addPackageBuild(builds: Map<string, PackageBuild>, build: PackageBuild): Diagnostic | undefined {
  const before = builds.get(build.decl.source);
  if (!before) {
    builds.set(build.decl.source, build);
    return undefined;
  }
  return {
    message: `package ${build.decl.source} is built twice (first at ${formatLocation(before.decl.at)}, feature ${before.feature})`,
    ...(build.decl.at && { at: build.decl.at }),
    hint: 'one feature declares a source; others use its mixin',
  };
}
