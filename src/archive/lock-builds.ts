// The lock's package builds: for each declared build (a feature's debianSource), the inputs it
// was resolved from and every source it builds, its own first and then the dependents that must
// follow it, each pinned by its .dsc's sha256 (the .dsc names every other file's sha256):
//
//   build jansson inputs 3f2a9c0d1e2f3a4b
//   build jansson source jansson 2.14-2 bookworm 2071 <sha256> http://deb.debian.org/debian pool/main/j/jansson/jansson_2.14-2.dsc libjansson-dev,libjansson-doc,libjansson4
//   build jansson source jshon 20131105-1 bookworm 1876 <sha256> http://deb.debian.org/debian pool/main/j/jshon/jshon_20131105-1.dsc jshon
//
// A backport whose binaries are named otherwise than the suite's own version's ends with what
// it replaces there: `... slapd,slapi-dev replaces=libldap-2.5-0`.

import { fail, ok, type Result, type SourceLocation } from '../core/diagnostic.ts';

export interface LockedSourcePackage {
  readonly name: string;
  readonly version: string;
  /** The suite it was found in (`trixie` for a backport). */
  readonly suite: string;
  /** Size and sha256 of the .dsc. */
  readonly size: number;
  readonly sha256: string;
  readonly mirror: string;
  /** The .dsc's path under the mirror. */
  readonly dsc: string;
  /** The binary packages it builds (its Binary: field), sorted. */
  readonly binaries: readonly string[];
  /** The binaries of the image suite's version of the source that this one no longer builds (a renamed library). */
  readonly replaces?: readonly string[];
  readonly line?: number;
}

export interface LockedBuild {
  readonly inputs: string;
  /** The declared source first, then its dependents in build order. */
  readonly sources: readonly LockedSourcePackage[];
}

export type LockedBuilds = ReadonlyMap<string, LockedBuild>;

export function formatBuilds(builds: LockedBuilds): string[] {
  const lines: string[] = [];
  for (const [name, b] of [...builds].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))) {
    lines.push('', `build ${name} inputs ${b.inputs}`);
    for (const s of b.sources) lines.push(`build ${name} source ${s.name} ${s.version} ${s.suite} ${s.size} ${s.sha256} ${s.mirror} ${s.dsc} ${s.binaries.join(',')}${s.replaces?.length ? ` replaces=${s.replaces.join(',')}` : ''}`);
  }
  return lines;
}

/** One `build` line into `builds`; an error at the line otherwise. */
export function parseBuildLine(words: readonly string[], builds: Map<string, { inputs: string; sources: LockedSourcePackage[] }>, at: SourceLocation): Result<void> {
  const bad = (why: string) => fail({ message: why, at, hint: 'mkimage lock writes the file again' });
  const name = words[1] ?? '';
  const known = builds.get(name);
  if (words[2] === 'inputs') {
    if (words.length !== 4 || !/^[0-9a-f]{16,64}$/.test(words[3]!)) return bad('a build line is `build NAME inputs DIGEST`');
    if (known) return bad(`build ${name} is locked twice`);
    builds.set(name, { inputs: words[3]!, sources: [] });
    return ok(undefined);
  }
  if (words[2] !== 'source') return bad(`unknown build line ${JSON.stringify(words[2] ?? '')} (inputs or source)`);
  if (!known) return bad(`a source of build ${name} before its inputs line`);
  const replaces = words[11]?.startsWith('replaces=') ? words[11].slice('replaces='.length).split(',') : undefined;
  if (words.length !== (replaces ? 12 : 11)) return bad('a build source line is `build NAME source SOURCE VERSION SUITE SIZE SHA256 MIRROR DSC BINARIES [replaces=BINARIES]`');
  const [, , , source, version, suite, size, sha256, mirror, dsc, binaries] = words as [string, string, string, string, string, string, string, string, string, string, string];
  if (!/^\d+$/.test(size)) return bad(`size ${size} is not a number`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) return bad(`${source}: ${sha256} is not a sha256`);
  if (!dsc.endsWith('.dsc')) return bad(`${source}: ${dsc} is no .dsc`);
  known.sources.push({ name: source, version, suite, size: Number(size), sha256, mirror, dsc, binaries: binaries.split(','), ...(replaces && { replaces }), line: at.line });
  return ok(undefined);
}
