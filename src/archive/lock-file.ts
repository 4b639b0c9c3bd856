// The lock: every package of each distro's root, pinned, in a text a person reviews in a diff.
// One line per package, sorted by distro, stage and name, so that an upstream update reads as
// a changelog (`-... nginx 1.22.1-9+deb12u1 ...` / `+... nginx 1.22.1-9+deb12u2 ...`):
//
//   # mkimage lock 1: ... (comments)
//   distro server-mini inputs 3f2a9c0d1e2f3a4b
//   source server-mini http://deb.debian.org/debian bookworm 2026-07-11T10:16:37Z
//   package server-mini bootstrap acl 2.3.1-3 amd64 56024 <sha256> http://deb.debian.org/debian pool/main/a/acl/acl_2.3.1-3_amd64.deb
//
// `inputs` is a digest of what the distro's packages were resolved from (suite, mirrors,
// components, package lists): a lock resolved for other inputs is stale, not silently used.
// `source` lines say which suites of which mirrors, signed when, the packages came from.
// `local` lines name the binaries of the project's own packages (localSource) the distro
// installs: built from the feature's folder, not pinned to an index; what they depend on is.
//
//   local server-mini hello-motd hello-motd 1.2 amd64
//
// The build chroot of the project's package builds (mmdebstrap --variant=buildd) is pinned the
// same way, by suite and architecture, in `buildd` lines:
//
//   buildd bookworm-amd64 inputs 0a1b2c3d4e5f6a7b
//   buildd bookworm-amd64 source http://deb.debian.org/debian bookworm 2026-07-11T10:16:37Z
//   buildd bookworm-amd64 package gcc-12 12.2.0-14 amd64 19432 <sha256> http://deb.debian.org/debian pool/main/g/gcc-12/gcc-12_12.2.0-14_amd64.deb
//
// And what each source's build installs on that chroot, in `build-deps` lines (lock-build-deps.ts).

import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { LockedPackage } from './locked-package.ts';
import { formatBuildDeps, parseBuildDepsLine, type LockedBuildDepsMap } from './lock-build-deps.ts';
import { formatBuilds, parseBuildLine, type LockedBuilds, type LockedSourcePackage } from './lock-builds.ts';

export const LOCK_FILE = 'mkimage.lock';
const HEADER = '# mkimage lock 1: every package of each distro, pinned by `mkimage lock`. Commit it; review its diffs.';

export type { LockedPackage, LockStage } from './locked-package.ts';

export interface LockedSource {
  readonly mirror: string;
  readonly suite: string;
  /** The Release's Date, as ISO 8601. */
  readonly date: string;
}

/** A binary of a local source the distro installs (`local DISTRO BUILD NAME VERSION ARCH`). */
export interface LockedLocal {
  /** The local source's name (its package build). */
  readonly build: string;
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly line?: number;
}

export interface LockedDistro {
  readonly inputs: string;
  readonly sources: readonly LockedSource[];
  readonly packages: readonly LockedPackage[];
  /** The binaries of local sources it installs, when any. */
  readonly local?: readonly LockedLocal[];
}

export type Lock = ReadonlyMap<string, LockedDistro>;

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function formatLock(lock: Lock, builds: LockedBuilds = new Map(), chroots: Lock = new Map(), buildDeps: LockedBuildDepsMap = new Map()): string {
  const lines = [HEADER];
  for (const [distro, d] of [...lock].sort(byKey(([n]) => n))) {
    lines.push('', `distro ${distro} inputs ${d.inputs}`);
    for (const s of [...d.sources].sort(byKey((x) => `${x.mirror} ${x.suite}`))) lines.push(`source ${distro} ${s.mirror} ${s.suite} ${s.date}`);
    for (const p of sortedPackages(d.packages)) {
      lines.push(`package ${distro} ${p.stage} ${p.name} ${p.version} ${p.architecture} ${p.size} ${p.sha256} ${p.mirror} ${p.filename}`);
    }
    for (const l of [...(d.local ?? [])].sort(byKey((x) => `${x.build} ${x.name} ${x.architecture}`))) lines.push(`local ${distro} ${l.build} ${l.name} ${l.version} ${l.architecture}`);
  }
  lines.push(...formatBuilds(builds));
  for (const [key, c] of [...chroots].sort(byKey(([n]) => n))) {
    lines.push('', `buildd ${key} inputs ${c.inputs}`);
    for (const s of [...c.sources].sort(byKey((x) => `${x.mirror} ${x.suite}`))) lines.push(`buildd ${key} source ${s.mirror} ${s.suite} ${s.date}`);
    for (const p of sortedPackages(c.packages)) lines.push(`buildd ${key} package ${p.name} ${p.version} ${p.architecture} ${p.size} ${p.sha256} ${p.mirror} ${p.filename}`);
  }
  lines.push(...formatBuildDeps(buildDeps));
  return `${lines.join('\n')}\n`;
}

const sortedPackages = (packages: readonly LockedPackage[]) => [...packages].sort(byKey((x) => `${x.stage === 'bootstrap' ? 0 : 1} ${x.name} ${x.architecture}`));

/** A `buildd KEY ...` line as the distro line it mirrors (its packages are all of its bootstrap). */
function builddWords(w: readonly string[]): string[] | undefined {
  const [, key, kind, ...rest] = w;
  if (key === undefined) return undefined;
  if (kind === 'inputs') return ['distro', key, 'inputs', ...rest];
  if (kind === 'source') return ['source', key, ...rest];
  if (kind === 'package') return ['package', key, 'bootstrap', ...rest];
  return undefined;
}

/** Parses a lock's distros; anything it does not understand is an error at `file:line`. */
export function parseLock(text: string, file: string): Result<Lock> {
  const parsed = parseLockFile(text, file);
  return parsed.ok ? ok(parsed.value.distros) : parsed;
}

/** Parses a whole lock: the distros' entries and the package builds'. */
export function parseLockFile(text: string, file: string): Result<{ readonly distros: Lock; readonly builds: LockedBuilds; readonly chroots: Lock; readonly buildDeps: LockedBuildDepsMap }> {
  const builds = new Map<string, { inputs: string; sources: LockedSourcePackage[] }>();
  const buildDeps = new Map<string, { inputs: string; packages: LockedPackage[] }>();
  const distros = new Map<string, { inputs: string; sources: LockedSource[]; packages: LockedPackage[]; local?: LockedLocal[] }>();
  const chroots: typeof distros = new Map();
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = { file, line: i + 1 };
    const bad = (why: string) => fail({ message: `${why}: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line)}`, at, hint: 'mkimage lock writes the file again' });
    if (line.startsWith('build-deps ')) {
      const parsed = parseBuildDepsLine(line.split(/\s+/), buildDeps, at);
      if (!parsed.ok) return parsed;
      continue;
    }
    const chroot = line.startsWith('buildd ');
    // What the entry is called in errors: a buildd line is read as the distro line it mirrors.
    const kind = chroot ? 'buildd' : 'distro';
    const w = chroot ? builddWords(line.split(/\s+/)) : line.split(/\s+/);
    if (!w) return bad('a buildd line is `buildd SUITE-ARCH inputs DIGEST`, `... source MIRROR SUITE DATE` or `... package NAME VERSION ARCH SIZE SHA256 MIRROR PATH`');
    const distro = w[1] ?? '';
    const entries = chroot ? chroots : distros;
    const known = entries.get(distro);
    switch (w[0]) {
      case 'distro':
        if (w.length !== 4 || w[2] !== 'inputs' || !/^[0-9a-f]{16,64}$/.test(w[3]!)) return bad(chroot ? 'a buildd line is `buildd SUITE-ARCH inputs DIGEST`' : 'a distro line is `distro NAME inputs DIGEST`');
        if (known) return bad(`${kind} ${distro} is locked twice`);
        entries.set(distro, { inputs: w[3]!, sources: [], packages: [] });
        break;
      case 'source':
        if (!known) return bad(`a source of ${distro} before its ${kind} line`);
        if (w.length !== 5 || !/^https?:\/\/|^file:\//.test(w[2]!)) return bad(chroot ? 'a buildd source line is `buildd SUITE-ARCH source MIRROR SUITE DATE`' : 'a source line is `source DISTRO MIRROR SUITE DATE`');
        known.sources.push({ mirror: w[2]!, suite: w[3]!, date: w[4]! });
        break;
      case 'package': {
        if (!known) return bad(`a package of ${distro} before its ${kind} line`);
        if (w.length !== 10) return bad(chroot ? 'a buildd package line is `buildd SUITE-ARCH package NAME VERSION ARCH SIZE SHA256 MIRROR PATH`' : 'a package line is `package DISTRO STAGE NAME VERSION ARCH SIZE SHA256 MIRROR PATH`');
        const [, , stage, name, version, architecture, size, sha256, mirror, filename] = w as [string, string, string, string, string, string, string, string, string, string];
        if (stage !== 'bootstrap' && stage !== 'packages') return bad(`unknown stage ${stage} (bootstrap or packages)`);
        if (!/^\d+$/.test(size)) return bad(`size ${size} is not a number`);
        if (!/^[0-9a-f]{64}$/.test(sha256)) return bad(`${name}: ${sha256} is not a sha256`);
        known.packages.push({ stage, name, version, architecture, size: Number(size), sha256, mirror, filename, line: i + 1 });
        break;
      }
      case 'local': {
        if (!known) return bad(`a local package of ${distro} before its distro line`);
        if (w.length !== 6) return bad('a local line is `local DISTRO BUILD NAME VERSION ARCH`');
        const [, , build, name, version, architecture] = w as [string, string, string, string, string, string];
        (known.local ??= []).push({ build, name, version, architecture, line: i + 1 });
        break;
      }
      case 'build': {
        const built = parseBuildLine(w, builds, at);
        if (!built.ok) return built;
        break;
      }
      default:
        return bad(`unknown line ${JSON.stringify(w[0])} (distro, source, package, local, build, buildd or build-deps)`);
    }
  }
  return ok({ distros, builds, chroots, buildDeps });
}
