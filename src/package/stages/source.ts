// The source of a package build: its .dsc checked against the lock's sha256, every file it
// names checked against the .dsc's (all through the package pool, source-pool.ts), unpacked
// by dpkg-source; then what we change, in
// order: configure options, our patches after Debian's own (a patch that does not apply names
// its hunk), and our changelog entry, dated as the entry it follows so that two builds agree.

import { copyFile, mkdir, readFile, writeFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseDeb822 } from '../../archive/deb822.ts';
import type { LockedSourcePackage } from '../../archive/lock-builds.ts';
import type { ArchiveSource } from '../../archive/sources-index.ts';
import type { Json } from '../../core/canonical.ts';
import { RecipeFailure, type RecipeContext } from '../../core/target.ts';
import { run } from '../../proc/run.ts';
import { keepingOutput, runOptions, toolEnv } from '../../image/step-io.ts';
import type { Tool } from '../../image/tools/tool.ts';
import { closest } from '../../core/suggest.ts';
import { changelogEntry, changelogHead, prependEntry } from '../changelog.ts';
import type { PackageBuildConfig } from '../config.ts';
import type { PoolAccess } from '../../image/locked-install.ts';
import { sourceFromPool } from '../source-pool.ts';
import { onUpstream, type DeclaredUpstream } from './upstream.ts';
import { packageStepId, packageTarget } from '../step.ts';

export const DPKG_SOURCE: Tool = { file: 'dpkg-source', version: ['--version'], package: 'dpkg-dev' };
export const DPKG_PARSECHANGELOG: Tool = { file: 'dpkg-parsechangelog', version: ['--version'], package: 'dpkg-dev' };
export const PATCH: Tool = { file: 'patch', version: ['--version'], package: 'patch' };
export const TAR: Tool = { file: 'tar', version: ['--version'], package: 'tar' };
const QUILT = '3.0 (quilt)';

/** Where the unpacked source is in the step's output. */
export const SOURCE_DIR = 'src';

export type SourceValues = Pick<PackageBuildConfig, 'name' | 'version' | 'suite' | 'configureOptions' | 'changes' | 'dropPatches'> & {
  readonly source: Omit<LockedSourcePackage, 'line' | 'replaces'>;
  /** Patch files: their content is in `files`, their order here. */
  readonly patches: readonly string[];
  /** Another upstream version: the tarball's name (its content is in `files`), version and declared sha256. */
  readonly upstream?: DeclaredUpstream;
};

export function sourceTarget(c: PackageBuildConfig, pool?: PoolAccess) {
  // What the source replaces in the images is no input of the build: the images' packages stage has it.
  const { line: _, replaces: __, ...source } = c.source;
  const u = c.upstream;
  const values: SourceValues = {
    name: c.name, version: c.version, suite: c.suite, configureOptions: c.configureOptions, changes: c.changes, dropPatches: c.dropPatches, source, patches: c.patches.map((p) => basename(p)),
    ...(u && { upstream: { tarball: basename(u.path), version: u.version, sha256: u.sha256 } }),
  };
  const what = u ? `upstream ${u.version} with the packaging of ${c.source.version}` : c.source.version;
  return packageTarget({
    id: packageStepId(c.name, 'source'),
    step: 'source',
    description: `${c.name} ${what}: fetched, checked, unpacked${c.patches.length > 0 ? `, ${c.patches.length} patch${c.patches.length === 1 ? '' : 'es'} applied` : ''}`,
    deps: [],
    weight: 1,
    module: import.meta.url,
    ...(c.at && { at: c.at }),
    values: values as unknown as Json,
    files: [...c.patches, ...(u ? [u.path] : [])],
    tools: [DPKG_SOURCE, DPKG_PARSECHANGELOG, PATCH, TAR],
    run: (_v, ctx) => {
      if (!pool) throw new Error('a package build\'s source step needs the package pool');
      return prepareSource(values, c.patches, u?.path, pool, ctx);
    },
  });
}

async function prepareSource(v: SourceValues, patches: readonly string[], tarball: string | undefined, pool: PoolAccess, ctx: RecipeContext): Promise<void> {
  const downloads = join(ctx.tmp, 'files');
  const fetched = await sourceFromPool(v.source, pool, downloads, ctx.signal);
  if (!fetched.ok) throw new RecipeFailure(`${v.name}: ${fetched.error.message}`, fetched.error.hint ? { hint: fetched.error.hint } : {});
  const dsc = fetched.value;
  const src = join(ctx.out, SOURCE_DIR);
  const env = toolEnv({ sourceDateEpoch: 0 }, ctx);
  const format = await sourceFormat(dsc);
  if (tarball || v.dropPatches.length > 0) {
    // Debian's series applied here, not by dpkg-source: a patch can be left out, and one that does not apply is named.
    if (format !== QUILT) throw new RecipeFailure(`${v.name} ${v.source.version} is a ${format} source: ${tarball ? 'another upstream version' : 'dropPatches'} needs a 3.0 (quilt) one`);
    const debianSource = join(ctx.tmp, 'debian-source');
    await run(DPKG_SOURCE.file, ['--no-check', '--no-copy', '--skip-patches', '-x', dsc, tarball ? debianSource : src], runOptions(ctx, env, downloads));
    if (tarball && v.upstream) await onUpstream(v.name, v.upstream, tarball, join(debianSource, 'debian'), src, ctx, env);
    await applyDebianSeries(v, src, ctx, env);
  } else {
    await run(DPKG_SOURCE.file, ['--no-check', '--no-copy', '-x', dsc, src], runOptions(ctx, env, downloads));
  }
  if (v.configureOptions.length > 0) await addConfigureOptions(v, src);
  if (patches.length > 0) await applyPatches(v, patches, src, format, ctx, env);
  await writeChangelog(v, src, ctx, env);
}

/** Debian's series, in order, but for the patches the build leaves out (each of which must be in it). */
async function applyDebianSeries(v: SourceValues, src: string, ctx: RecipeContext, env: Record<string, string>): Promise<void> {
  const file = join(src, 'debian/patches/series');
  const lines = existsSync(file) ? (await readFile(file, 'utf8')).split('\n') : [];
  const names = lines.map((l) => l.replace(/#.*/, '').trim().split(/\s+/)[0] ?? '').filter((n) => n !== '');
  const unknown = v.dropPatches.find((d) => !names.includes(d));
  if (unknown) {
    const guess = closest(unknown, names);
    throw new RecipeFailure(`dropPatches ${unknown}: no such patch in ${v.name}'s debian/patches/series${names.length === 0 ? ' (it has none)' : ''}`, guess ? { hint: `did you mean ${guess}?` } : {});
  }
  const kept = names.filter((n) => !v.dropPatches.includes(n));
  if (v.dropPatches.length > 0) await writeFile(file, kept.length > 0 ? `${kept.join('\n')}\n` : '');
  await applyPatchFiles(v, kept.map((n) => ({ file: join(src, 'debian/patches', n), name: n, ours: false })), src, true, ctx, env);
}

async function sourceFormat(dsc: string): Promise<string> {
  return parseDeb822(await readFile(dsc, 'utf8')).find((s) => s.fields.has('source'))?.fields.get('format') ?? '1.0';
}

async function addConfigureOptions(v: SourceValues, src: string): Promise<void> {
  const file = join(src, 'debian/configure.options');
  if (!existsSync(file)) {
    throw new RecipeFailure(`${v.name} ${v.source.version} has no debian/configure.options for configureOptions`, { hint: 'configureOptions is for packages whose rules read that file (openldap); use patches for others' });
  }
  const text = await readFile(file, 'utf8');
  await appendFile(file, `${text.endsWith('\n') || text === '' ? '' : '\n'}${v.configureOptions.join('\n')}\n`);
}

/**
 * Each patch applied with the flags dpkg-source gives patch (no fuzz, no reversed patches),
 * in order, and stopped at the first that does not apply. 3.0 (quilt): each also joins
 * debian/patches/ and the series and is recorded as applied (.pc), as dpkg-source would leave
 * it, so that dpkg-buildpackage sees the series applied. (dpkg-source --before-build itself
 * skips the series silently when its first patch does not apply.)
 */
async function applyPatches(v: SourceValues, patches: readonly string[], src: string, format: string, ctx: RecipeContext, env: Record<string, string>): Promise<void> {
  const quilt = format === QUILT;
  const named = patches.map((p, i) => ({ file: p, name: quilt ? `mkimage-${String(i + 1).padStart(2, '0')}-${basename(p)}` : basename(p), ours: true }));
  if (quilt) {
    await mkdir(join(src, 'debian/patches'), { recursive: true });
    for (const p of named) {
      await copyFile(p.file, join(src, 'debian/patches', p.name));
      await appendLine(join(src, 'debian/patches/series'), p.name);
    }
  }
  await applyPatchFiles(v, named, src, quilt, ctx, env);
}

/** Each patch with patch's strictest flags (dpkg-source's), stopped at the first that does not apply; under quilt each is recorded as applied (.pc), as dpkg-source leaves it. */
async function applyPatchFiles(v: SourceValues, patches: ReadonlyArray<{ file: string; name: string; ours: boolean }>, src: string, quilt: boolean, ctx: RecipeContext, env: Record<string, string>): Promise<void> {
  for (const p of patches) {
    const kept = keepingOutput(ctx);
    const backup = quilt ? ['-b', '-B', `.pc/${p.name}/`] : ['--no-backup-if-mismatch'];
    try {
      await run(PATCH.file, ['-t', '-F', '0', '-N', '-p1', '-u', '-V', 'never', '-E', ...backup, '--reject-file=-', '-i', p.file], runOptions(kept.io, env, src));
    } catch (e) {
      if (e instanceof RecipeFailure && !ctx.signal.aborted) throw patchFailure(v, kept.text(), p.ours ? basename(p.file) : p.name, !p.ours);
      throw e;
    }
    if (!quilt) continue;
    await mkdir(join(src, '.pc'), { recursive: true });
    await appendLine(join(src, '.pc/applied-patches'), p.name);
  }
}

async function appendLine(file: string, line: string): Promise<void> {
  const before = existsSync(file) ? await readFile(file, 'utf8') : '';
  await writeFile(file, `${before}${before === '' || before.endsWith('\n') ? '' : '\n'}${line}\n`);
}

/** The patch that did not apply, and its first failed hunk (`Hunk #2 FAILED at 40` of which file); Debian's own named as such. */
export function patchFailure(v: Pick<SourceValues, 'name' | 'source' | 'upstream'>, said: string, patch: string, debians = false): RecipeFailure {
  let file = '';
  let hunk = '';
  for (const line of said.split('\n').map((l) => l.trim())) {
    const f = /^patching file (.+)$/.exec(line);
    if (f) file = f[1]!;
    const h = /^(Hunk #\d+ FAILED at \d+)/.exec(line);
    if (h && !hunk) hunk = `${h[1]} of ${file}`;
    if (!hunk && /can't find file to patch|No file to patch/.test(line)) hunk = 'a file it patches is not in the source';
    if (!hunk && /Reversed \(or previously applied\) patch detected/.test(line)) hunk = `it is applied already (to ${file})`;
  }
  const to = v.upstream ? `${v.name} upstream ${v.upstream.version}` : `${v.name} ${v.source.version}`;
  return new RecipeFailure(`${debians ? "Debian's patch" : 'patch'} ${patch} does not apply to ${to}: ${hunk || 'see the log'}`, {
    hint: debians ? `a new upstream version may have it already: dropPatches: ['${patch}'] leaves it out` : `refresh it against the unpacked source: mkimage shell ${packageStepId(v.name, 'source')}`,
  });
}

/** Our entry on top, dated as the newest entry of the archive's changelog: the same source gives the same bytes. */
export async function writeChangelog(v: Pick<SourceValues, 'name' | 'version' | 'suite' | 'changes'>, src: string, ctx: RecipeContext, env: Record<string, string>): Promise<void> {
  const file = join(src, 'debian/changelog');
  const text = await readFile(file, 'utf8');
  const head = changelogHead(text);
  if (!head.ok) throw new RecipeFailure(`${v.name}: ${head.error.message}`);
  let stamp = '';
  await run(DPKG_PARSECHANGELOG.file, ['-l', file, '-STimestamp'], runOptions({ ...ctx, output: (s, t) => (s === 'stdout' ? (stamp += t) : ctx.output(s, t)) }, env, ctx.tmp));
  const entry = changelogEntry({ source: head.value.source, version: v.version, distribution: v.suite, changes: v.changes, maintainer: 'mkimage <mkimage@localhost>', date: Number(stamp.trim()) });
  await writeFile(file, prependEntry(text, entry));
}
