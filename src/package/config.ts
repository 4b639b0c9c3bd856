// What the stages of one package build read: a source pinned by the lock, what we change in
// it, and what it is built for and against. Plain data: it is what their fingerprints are
// made of (the declaration's file and line are not: moving it rebuilds nothing).

import type { LockedSourcePackage } from '../archive/lock-builds.ts';
import type { LockedPackage } from '../archive/lock-file.ts';
import type { SourceLocation } from '../core/diagnostic.ts';
import type { LockedChroot } from './stages/buildd.ts';

export interface PackageBuildConfig {
  /** The source package's name: the target's name (`jansson`). */
  readonly name: string;
  /** The declared build it belongs to: itself, or the build whose dependent it is. */
  readonly build: string;
  /** The features that declared its builds: only an image whose profile has one of them takes it. */
  readonly features: readonly string[];
  /** The source as the lock pins it (its .dsc's sha256). */
  readonly source: LockedSourcePackage;
  /** The version of our changelog entry: the archive's plus the suffix, or a binNMU-style `+bN`. */
  readonly version: string;
  /** The suite it is built for: its chroot, and its changelog's distribution. */
  readonly suite: string;
  /** Where the chroot and the build dependencies come from. */
  readonly mirror: string;
  readonly architecture: 'amd64';
  /** Absolute paths, applied in order after Debian's own. */
  readonly patches: readonly string[];
  /** Debian's patches (debian/patches/series names) left out. */
  readonly dropPatches: readonly string[];
  /** Another upstream version: the tarball (absolute path), its version and sha256; the lock's source gives debian/. */
  readonly upstream?: { readonly path: string; readonly version: string; readonly sha256: string };
  /** A custom package: its folder's files (absolute), those executable (relative); `source` then only names it. */
  readonly local?: { readonly dir: string; readonly files: readonly string[]; readonly executables: readonly string[] };
  readonly buildOptions: readonly string[];
  readonly profiles: readonly string[];
  /** Lines appended to debian/configure.options. */
  readonly configureOptions: readonly string[];
  /** The lines of our changelog entry. */
  readonly changes: readonly string[];
  /** Job slots its build takes (RecipeContext.slots becomes dpkg-buildpackage's parallel=N). */
  readonly jobs: number | 'all';
  /** Sources of the same plan it is built against (their repositories feed its build dependencies). */
  readonly after: readonly string[];
  /** Where the build was declared (its failures name it); no part of what is built. */
  readonly at?: SourceLocation;
  /** Clamp for the timestamps of what is not the package itself (the chroot). */
  readonly sourceDateEpoch: number;
  /** The build chroot as the lock pins it; absent, it is made from the mirror as it is. */
  readonly chroot?: LockedChroot;
  /** Its build dependencies as the lock pins them (archive packages; our builds' come from their repositories); absent, apt takes the archive's newest. */
  readonly buildDeps?: readonly LockedPackage[];
}
