// The package DSL: a feature's own builds of Debian sources (a backport, a patched library, a
// rebuild with other options), declared beside its mixins. Pure data with the file and line
// it came from; src/package turns it into engine targets.

import type { SourceLocation } from '../core/diagnostic.ts';
import { callerLocation } from './location.ts';
import { PROFILE } from './mark.ts';

/**
 * Another upstream version built with Debian's packaging: the project ships the tarball, and
 * its sha256 is declared beside it (a tarball that differs is refused before it is unpacked).
 */
export interface UpstreamTarball {
  /** The tarball, relative to the feature folder (`upstream/jansson-2.14.1.tar.gz`). */
  readonly tarball: string;
  /** Its upstream version: the built version is `VERSION-0+mkimage1`. */
  readonly version: string;
  /** Its sha256, as `sha256sum` prints it. */
  readonly sha256: string;
}

/** What follows a rebuilt package: `none` refuses an image left with unmet dependencies; `dependents` rebuilds them. */
export type RebuildMode = 'none' | 'dependents';

export interface PackageDecl {
  readonly [PROFILE]: true;
  readonly kind: 'package';
  /** The Debian source package's name (`jansson`, `openldap`). */
  readonly source: string;
  /** The suite the source comes from (`trixie` for a backport); default: the image's suite. */
  readonly from?: string;
  /** An exact version of the source; default: the highest the suite has when it is locked. */
  readonly version?: string;
  /** Patches (relative to the feature folder), applied in order after Debian's own. */
  readonly patches: readonly string[];
  /** Debian's own patches (names in debian/patches/series) left out: one a new upstream version already has. */
  readonly dropPatches: readonly string[];
  /** Another upstream version, built with the archive source's debian/ folder. */
  readonly upstream?: UpstreamTarball;
  /** A custom package: its folder (with debian/ in it), relative to the feature folder; no archive source. */
  readonly local?: string;
  /** Appended to the version of every binary package (`+mkimage1`), so a host can tell ours from Debian's; a local source's is '' unless given. */
  readonly suffix: string;
  /** DEB_BUILD_OPTIONS words (`nocheck`, `noopt`). */
  readonly buildOptions: readonly string[];
  /** Build profiles (DEB_BUILD_PROFILES: `nodoc`, `pkg.openldap.noslapd`). */
  readonly profiles: readonly string[];
  /** Lines added to the package's `debian/configure.options` (openldap's configure flags, one per line). */
  readonly configureOptions: readonly string[];
  readonly rebuild: RebuildMode;
  /** The changelog line of our entry. */
  readonly reason: string;
  /** Job slots of `-j` its build takes (`parallel=N` of dpkg-buildpackage); `all` takes every one. */
  readonly jobs: number | 'all';
  readonly at?: SourceLocation;
}

export interface PackageOptions {
  readonly from?: string;
  readonly version?: string;
  readonly patches?: readonly string[];
  readonly dropPatches?: readonly string[];
  readonly upstream?: UpstreamTarball;
  readonly suffix?: string;
  readonly buildOptions?: readonly string[];
  readonly profiles?: readonly string[];
  readonly configureOptions?: readonly string[];
  readonly rebuild?: RebuildMode;
  readonly reason?: string;
  readonly jobs?: number | 'all';
}

export const DEFAULT_SUFFIX = '+mkimage1';

/** A Debian source built by mkimage: `debianSource('jansson', { patches: ['patches/strict.patch'], rebuild: 'dependents' })`. */
export function debianSource(source: string, options: PackageOptions = {}): PackageDecl {
  const at = callerLocation();
  return {
    [PROFILE]: true,
    kind: 'package',
    source,
    ...(options.from !== undefined && { from: options.from }),
    ...(options.version !== undefined && { version: options.version }),
    patches: options.patches ?? [],
    dropPatches: options.dropPatches ?? [],
    ...(options.upstream !== undefined && { upstream: options.upstream }),
    suffix: options.suffix ?? DEFAULT_SUFFIX,
    buildOptions: options.buildOptions ?? [],
    profiles: options.profiles ?? [],
    configureOptions: options.configureOptions ?? [],
    rebuild: options.rebuild ?? 'none',
    reason: options.reason ?? 'Rebuilt by mkimage.',
    jobs: options.jobs ?? 1,
    ...(at && { at }),
  };
}

export interface LocalOptions {
  /** The folder holding the source, debian/ in it, relative to the feature folder. */
  readonly dir: string;
  /** Added to the version of its changelog (none by default: the package is ours already). */
  readonly suffix?: string;
  readonly buildOptions?: readonly string[];
  readonly profiles?: readonly string[];
  /** The changelog line of our entry, when a suffix is given. */
  readonly reason?: string;
  readonly jobs?: number | 'all';
}

/**
 * A custom package, built from a folder of the feature: `localSource('hello-motd', { dir: 'hello-motd' })`.
 * The name is debian/control's Source; it is built as the folder is (a native source), in the
 * same clean chroot as Debian's sources, and an image's lock pins what its binaries depend on.
 */
export function localSource(source: string, options: LocalOptions): PackageDecl {
  const at = callerLocation();
  return {
    [PROFILE]: true,
    kind: 'package',
    source,
    local: options.dir,
    patches: [],
    dropPatches: [],
    suffix: options.suffix ?? '',
    buildOptions: options.buildOptions ?? [],
    profiles: options.profiles ?? [],
    configureOptions: [],
    rebuild: 'none',
    reason: options.reason ?? 'Built by mkimage.',
    jobs: options.jobs ?? 1,
    ...(at && { at }),
  };
}
