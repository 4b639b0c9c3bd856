// A suite's Sources indexes: each component's `source/Sources` checked against the verified
// Release, like the Packages indexes, then each source package with what a package build needs:
// its files and their sha256, the binaries it makes and its build dependencies.

import { fail, ok, type Result } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import { parseDeb822 } from './deb822.ts';
import { fetchCheckedIndex, fetchRelease, type SuiteSource } from './suite-index.ts';
import { compareVersions } from './version.ts';

export interface SourceFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ArchiveSource {
  readonly name: string;
  readonly version: string;
  /** The binary packages it builds (its Binary: field). */
  readonly binaries: readonly string[];
  /** Build-Depends, Build-Depends-Arch and Build-Depends-Indep as written, joined with ", " (what `apt-get satisfy` takes). */
  readonly buildDepends: string;
  /** Every name the build dependencies mention, alternatives included, without version, architecture or profile qualifiers. */
  readonly buildDependsNames: readonly string[];
  /** Its files' directory relative to the mirror's root (`pool/main/j/jansson`). */
  readonly directory: string;
  /** `3.0 (quilt)`, `3.0 (native)`, `1.0`. */
  readonly format: string;
  /** The .dsc and every file it names, from Checksums-Sha256. */
  readonly files: readonly SourceFile[];
  /** Where it was read from (`<index url>:<line>`), for errors. */
  readonly from: string;
}

export interface SourcesIndex {
  readonly source: SuiteSource;
  /** Every source package of the suite's components, by name (a name can have several versions). */
  readonly sources: ReadonlyMap<string, readonly ArchiveSource[]>;
}

/** The relations of a field, one by one, with continuation lines and a trailing comma gone. */
const relations = (field: string | undefined): string[] =>
  (field ?? '').split(',').map((r) => r.replace(/\s+/g, ' ').trim()).filter((r) => r !== '');

/**
 * `libjansson-dev (>= 2.14) [!hurd-i386] <!nocheck> | foo:native` -> `libjansson-dev foo`: a
 * name ends where a version, an architecture list, a profile or an arch qualifier begins.
 */
const relationNames = (rels: readonly string[]): string[] =>
  rels.flatMap((r) => r.split('|')).map((alt) => /^\s*([^\s(\[<:|]+)/.exec(alt)?.[1] ?? '').filter((n) => n !== '');

/** Every source stanza of a Sources text; a stanza missing a field a build needs is an error at its line. */
export function parseSources(text: string, source: string): Result<ArchiveSource[]> {
  const out: ArchiveSource[] = [];
  for (const stanza of parseDeb822(text)) {
    const f = (name: string) => stanza.fields.get(name);
    const name = f('package');
    const version = f('version');
    const directory = f('directory');
    const sums = f('checksums-sha256');
    const at = `${source}:${stanza.line}`;
    if (!name || !version || !directory || !sums) {
      return fail({ message: `${at}: source stanza without Package, Version, Directory or Checksums-Sha256` });
    }
    const files: SourceFile[] = [];
    for (const line of sums.split('\n')) {
      if (line.trim() === '') continue;
      const m = /^\s*([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
      if (!m) return fail({ message: `${at}: ${name} ${version}: a Checksums-Sha256 line is not \`SHA256 SIZE NAME\`: ${line.trim()}` });
      files.push({ name: m[3]!, size: Number(m[2]), sha256: m[1]! });
    }
    if (!files.some((x) => x.name.endsWith('.dsc'))) return fail({ message: `${at}: ${name} ${version} lists no .dsc in Checksums-Sha256` });
    const deps = [...relations(f('build-depends')), ...relations(f('build-depends-arch')), ...relations(f('build-depends-indep'))];
    out.push({
      name,
      version,
      binaries: relations(f('binary')),
      buildDepends: deps.join(', '),
      buildDependsNames: [...new Set(relationNames(deps))],
      directory: directory.replace(/\/+$/, ''),
      format: f('format') ?? '1.0',
      files,
      from: at,
    });
  }
  return ok(out);
}

export async function fetchSourcesIndex(source: SuiteSource, signal?: AbortSignal): Promise<Result<SourcesIndex>> {
  const release = await fetchRelease(source, signal);
  if (!release.ok) return release;
  const sources = new Map<string, ArchiveSource[]>();
  for (const component of source.components) {
    const stem = `${component}/source/Sources`;
    const text = await fetchCheckedIndex(release.value, stem, `the suite has components ${release.value.release.components.join(', ')}; is it a mirror without sources?`, signal);
    if (!text.ok) return text;
    const parsed = parseSources(text.value, `${release.value.base}/${stem}`);
    if (!parsed.ok) return parsed;
    for (const s of parsed.value) {
      const list = sources.get(s.name);
      if (list) list.push(s);
      else sources.set(s.name, [s]);
    }
  }
  return ok({ source, sources });
}

/** The source `name` (at `version` if given, else the highest by compareVersions); a missing one: did-you-mean over the index's names (closest), or the versions it has. */
export function findSource(index: SourcesIndex, name: string, version?: string): Result<ArchiveSource> {
  const where = `${index.source.suite} (${index.source.url})`;
  const list = index.sources.get(name);
  if (!list || list.length === 0) {
    const guess = closest(name, index.sources.keys());
    return fail({ message: `no source package ${name} in ${where}`, hint: guess ? `did you mean ${guess}?` : 'the name of a source package, not of a binary one: apt-cache showsrc BINARY names its source' });
  }
  if (version !== undefined) {
    const found = list.find((s) => s.version === version);
    if (found) return ok(found);
    const has = [...new Set(list.map((s) => s.version))].sort((a, b) => compareVersions(b, a));
    return fail({ message: `no source package ${name} ${version} in ${where}`, hint: `it has ${has.join(', ')}` });
  }
  return ok(list.reduce((best, s) => (compareVersions(s.version, best.version) > 0 ? s : best)));
}
