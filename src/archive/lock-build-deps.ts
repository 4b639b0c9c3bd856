// The build dependencies of each source the project builds, pinned like a distro's packages:
// what apt-get satisfy installs on the locked build chroot for the source's Build-Depends (as
// our patches leave them), each file by its sha256 from the archive's signed index. The builds'
// own binaries it needs (another build of the project) are not here: they come from that
// build's repository.
//
//   build-deps jansson inputs 0a1b2c3d4e5f6a7b
//   build-deps jansson package debhelper 13.11.4 all 1049896 <sha256> http://deb.debian.org/debian pool/main/d/debhelper/debhelper_13.11.4_all.deb
//
// `inputs` is a digest of what the set was resolved for (the Build-Depends, the build profiles,
// the chroot's set, the builds it is built against): another digest and the set is stale.

import { fail, ok, type Result, type SourceLocation } from '../core/diagnostic.ts';
import type { LockedPackage } from './locked-package.ts';

export interface LockedBuildDeps {
  readonly inputs: string;
  readonly packages: readonly LockedPackage[];
}

/** By source name. */
export type LockedBuildDepsMap = ReadonlyMap<string, LockedBuildDeps>;

export function formatBuildDeps(deps: LockedBuildDepsMap): string[] {
  const lines: string[] = [];
  const byName = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  for (const [source, d] of [...deps].sort(byName(([n]) => n))) {
    lines.push('', `build-deps ${source} inputs ${d.inputs}`);
    for (const p of [...d.packages].sort(byName((x) => `${x.name} ${x.architecture}`))) {
      lines.push(`build-deps ${source} package ${p.name} ${p.version} ${p.architecture} ${p.size} ${p.sha256} ${p.mirror} ${p.filename}`);
    }
  }
  return lines;
}

/** One `build-deps` line into `deps`; an error at the line otherwise. */
export function parseBuildDepsLine(words: readonly string[], deps: Map<string, { inputs: string; packages: LockedPackage[] }>, at: SourceLocation): Result<void> {
  const bad = (why: string) => fail({ message: why, at, hint: 'mkimage lock writes the file again' });
  const source = words[1] ?? '';
  const known = deps.get(source);
  if (words[2] === 'inputs') {
    if (words.length !== 4 || !/^[0-9a-f]{16,64}$/.test(words[3]!)) return bad('a build-deps line is `build-deps SOURCE inputs DIGEST`');
    if (known) return bad(`the build dependencies of ${source} are locked twice`);
    deps.set(source, { inputs: words[3]!, packages: [] });
    return ok(undefined);
  }
  if (words[2] !== 'package') return bad(`unknown build-deps line ${JSON.stringify(words[2] ?? '')} (inputs or package)`);
  if (!known) return bad(`a build dependency of ${source} before its inputs line`);
  if (words.length !== 10) return bad('a build-deps package line is `build-deps SOURCE package NAME VERSION ARCH SIZE SHA256 MIRROR PATH`');
  const [, , , name, version, architecture, size, sha256, mirror, filename] = words as [string, string, string, string, string, string, string, string, string, string];
  if (!/^\d+$/.test(size)) return bad(`size ${size} is not a number`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) return bad(`${name}: ${sha256} is not a sha256`);
  known.packages.push({ stage: 'build-deps', name, version, architecture, size: Number(size), sha256, mirror, filename, line: at.line });
  return ok(undefined);
}
