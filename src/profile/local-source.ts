// A custom package's folder, read where it was declared (localSource): debian/control names the
// source and its binaries, debian/changelog its version, and every file of the folder is what
// its build reads. A folder that is no native Debian source is refused at the declaration.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { changelogHead } from '../archive/changelog-head.ts';
import { parseDeb822 } from '../archive/deb822.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';

export interface LocalSource {
  /** The folder, absolute. */
  readonly dir: string;
  /** Every regular file under it (absolute, sorted): what the build reads. */
  readonly files: readonly string[];
  /** Those of `files` that are executable (debian/rules), relative to the folder. */
  readonly executables: readonly string[];
  /** The version of debian/changelog's newest entry. */
  readonly version: string;
  /** The binary packages debian/control declares, sorted. */
  readonly binaries: readonly string[];
  /**
   * What an image's lock of its binaries depends on (debian/control and the version): an edit
   * of anything else rebuilds the package and leaves the lock alone.
   */
  readonly relations: string;
}

const NATIVE = new Set(['3.0 (native)', '1.0']);

/** The folder `dir` of the feature as a local source named `name`; a reason in one line otherwise (the caller adds where). */
export function readLocalSource(name: string, dir: string, featureDir: string): Result<LocalSource, { message: string; hint?: string }> {
  const root = join(featureDir, dir);
  const folder = `${relative(join(featureDir, '..'), root)}/`;
  if (!existsSync(root) || !statSync(root).isDirectory()) return fail({ message: `${dir} is not a folder of the feature`, hint: 'dir is relative to the feature folder and holds the source with its debian/ folder' });
  const control = readText(join(root, 'debian/control'));
  if (control === undefined) return fail({ message: `${folder}debian/control is missing`, hint: 'a local source is a Debian source folder: debian/control, debian/changelog, debian/rules' });
  const stanzas = parseDeb822(control);
  const declared = stanzas[0]?.fields.get('source');
  if (declared !== name) return fail({ message: `${folder}debian/control names source ${JSON.stringify(declared ?? '')}, not ${name}`, hint: `localSource('${declared ?? name}', ...) or Source: ${name}` });
  const binaries = stanzas.slice(1).map((s) => s.fields.get('package')).filter((b): b is string => b !== undefined).sort();
  if (binaries.length === 0) return fail({ message: `${folder}debian/control declares no binary package (no Package: stanza)` });
  const changelog = readText(join(root, 'debian/changelog'));
  if (changelog === undefined) return fail({ message: `${folder}debian/changelog is missing`, hint: 'dch --create writes a first entry' });
  const head = changelogHead(changelog);
  if (!head.ok) return fail({ message: `${folder}${head.error.message}`, ...(head.error.hint && { hint: head.error.hint }) });
  if (head.value.source !== name) return fail({ message: `${folder}debian/changelog is of source ${head.value.source}, not ${name}` });
  if (!existsSync(join(root, 'debian/rules'))) return fail({ message: `${folder}debian/rules is missing` });
  const format = (readText(join(root, 'debian/source/format')) ?? '1.0').trim();
  if (!NATIVE.has(format)) return fail({ message: `${folder} is a ${format} source; a local source is built as it is, a native one`, hint: 'echo "3.0 (native)" > debian/source/format, and a version without -revision' });
  const files = walk(root);
  const executables = files.filter((f) => (statSync(f).mode & 0o111) !== 0).map((f) => relative(root, f));
  const relations = createHash('sha256').update(`${head.value.version}\n${control}`).digest('hex').slice(0, 16);
  return ok({ dir: root, files, executables, version: head.value.version, binaries, relations });
}

function readText(path: string): string | undefined {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
}

/** Regular files under `dir`, sorted; a version-control folder is no part of the source. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, e.name);
    if (e.isDirectory() && e.name !== '.git') out.push(...walk(path));
    else if (e.isFile()) out.push(path);
  }
  return out;
}
