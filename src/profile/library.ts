// Loads a project's profile library: the distros of conf.d/*.ts and the feature folders of
// features/<name>/ (feature.ts, lists/, rootfs/, hooks/, README.md), checked for names,
// duplicates and folder shape. Resolution is separate (resolve.ts).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fail, formatLocation, ok, type Diagnostic, type Result, type SourceLocation } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import { isProfileValue, type FeatureDecl, type Node, type ProfilesDecl, type SettingDecl } from '../dsl/profile.ts';
import type { ModuleLoader } from '../project/load.ts';
import { checkHookReads } from './hook-reads.ts';
import { addPackageBuild, checkPackageDecl, type PackageBuild } from './package-decls.ts';
import { BUILTIN_SETTINGS } from './settings.ts';

export interface PackageList {
  readonly name: string;
  readonly feature: string;
  readonly file: string;
  readonly tags: ReadonlySet<string>;
  readonly packages: readonly string[];
  /** The line each package is first named on, for errors about it. */
  readonly lines: ReadonlyMap<string, number>;
}

export interface Hook {
  /** File name in hooks/: hooks run in name order. */
  readonly name: string;
  readonly path: string;
  readonly network: boolean;
  /** The variables it reads, as its feature declares them (FeatureDecl.reads), sorted. */
  readonly reads: readonly string[];
}

export interface FeatureInfo {
  readonly name: string;
  readonly dir: string;
  readonly description: string;
  readonly readme?: string;
  readonly mixins: readonly string[];
  readonly lists: readonly PackageList[];
  /** The rootfs/ overlay directory, if the feature has one. */
  readonly rootfs?: string;
  readonly hooks: readonly Hook[];
  readonly overrides: readonly string[];
  /** The variables its hooks read (FeatureDecl.reads). */
  readonly reads: readonly string[];
  readonly at?: SourceLocation;
}

export interface LibraryNode {
  readonly node: Node;
  /** The feature a mixin or alias belongs to; distros and conf.d aliases have none. */
  readonly feature?: string;
}

export interface Library {
  readonly root: string;
  readonly nodes: ReadonlyMap<string, LibraryNode>;
  readonly settings: ReadonlyMap<string, SettingDecl>;
  /** The feature that declared a setting; built-in settings have none. */
  readonly settingOwners: ReadonlyMap<string, string>;
  readonly features: ReadonlyMap<string, FeatureInfo>;
  readonly lists: ReadonlyMap<string, PackageList>;
  /** The Debian sources the features build, by source name. */
  readonly packages: ReadonlyMap<string, PackageBuild>;
  /** Every file the library was read from (what watch mode watches). */
  readonly files: readonly string[];
}

const DISTRO_NAME = /^\.?[a-z0-9][a-z0-9.-]*$/;
const MIXIN_NAME = /^use\/[a-z0-9][a-z0-9-]*(?:\/[a-z0-9][a-z0-9-]*)*$/;
const ALIAS_NAME = /^\+[a-z0-9][a-z0-9-]*$/;

export async function loadLibrary(root: string, decl: ProfilesDecl, loader: ModuleLoader): Promise<Result<Library>> {
  const nodes = new Map<string, LibraryNode>();
  const settings = new Map<string, SettingDecl>(BUILTIN_SETTINGS.map((s) => [s.name, s]));
  const settingOwners = new Map<string, string>();
  const features = new Map<string, FeatureInfo>();
  const lists = new Map<string, PackageList>();
  const packages = new Map<string, PackageBuild>();

  const addNode = (n: Node, feature: string | undefined, file: string): Diagnostic | undefined => {
    const bad = badName(n, feature);
    if (bad) return { message: bad.message, at: n.at ?? { file, line: 1 }, hint: bad.hint };
    const before = nodes.get(n.name);
    if (before) {
      // The same declaration seen again (a conf.d file imported by another).
      if (before.node === n || (before.node.at && n.at && formatLocation(before.node.at) === formatLocation(n.at))) return undefined;
      return { message: `${n.name} is declared twice (first at ${formatLocation(before.node.at)})`, at: n.at ?? { file, line: 1 } };
    }
    nodes.set(n.name, { node: n, ...(feature && { feature }) });
    return undefined;
  };

  const featuresDir = resolve(root, decl.features);
  const featureDirs: Array<[name: string, dir: string, file: string]> = [];
  for (const name of existsSync(featuresDir) ? readdirSync(featuresDir).sort() : []) {
    const dir = join(featuresDir, name);
    if (!statSync(dir).isDirectory()) continue;
    const file = join(dir, 'feature.ts');
    if (!existsSync(file)) {
      return fail({
        message: `feature folder ${relative(root, dir)}/ has no feature.ts`,
        at: { file: dir, line: 1 },
        hint: `every feature folder declares its use/${name} mixins in feature.ts: export default feature({ ... })`,
      });
    }
    featureDirs.push([name, dir, file]);
  }
  const distrosDir = resolve(root, decl.distros);
  const distroFiles = (existsSync(distrosDir) ? readdirSync(distrosDir).filter((f) => f.endsWith('.ts')).sort() : []).map((name) => join(distrosDir, name));
  // Imported all at once (the loader answers them in parallel), then taken in name order.
  const imports = new Map([...featureDirs.map(([, , file]) => file), ...distroFiles].map((file) => [file, loader.import(file)] as const));

  for (const [name, dir, file] of featureDirs) {
    const imported = await imports.get(file)!;
    if (!imported.ok) return imported;
    const decl = imported.value.exports.default;
    if (!isProfileValue(decl) || decl.kind !== 'feature') {
      return fail({ message: `${relative(root, file)} does not export default feature({...})`, at: { file, line: 1 }, hint: "import { feature } from 'mkimage'" });
    }
    const info = readFeatureFolder(name, dir, decl);
    if (!info.ok) return info;
    for (const m of decl.mixins) {
      const e = addNode(m, name, file);
      if (e) return fail(e);
    }
    for (const s of decl.settings) {
      const before = settings.get(s.name);
      if (before) return fail({ message: `setting ${s.name} is declared twice (first at ${formatLocation(before.at) || 'mkimage'})`, at: s.at ?? decl.at ?? { file, line: 1 } });
      settings.set(s.name, s);
      settingOwners.set(s.name, name);
    }
    for (const l of info.value.lists) {
      const before = lists.get(l.name);
      if (before) return fail({ message: `package list ${l.name} exists twice: ${before.file} and ${l.file}`, at: { file: l.file, line: 1 }, hint: 'list names are global; rename one' });
      lists.set(l.name, l);
    }
    for (const p of decl.packages ?? []) {
      const build = checkPackageDecl(p, name, dir);
      if (!build.ok) return build;
      const e = addPackageBuild(packages, build.value);
      if (e) return fail(e);
    }
    features.set(name, info.value);
  }
  const reads = checkHookReads(features, settings);
  if (reads) return fail(reads);

  for (const file of distroFiles) {
    const imported = await imports.get(file)!;
    if (!imported.ok) return imported;
    for (const value of exportedNodes(imported.value.exports)) {
      if (value.kind === 'mixin') {
        return fail({ message: `mixin ${value.name} is declared in ${relative(root, file)}`, at: value.at ?? { file, line: 1 }, hint: 'mixins live in their feature folder: features/<name>/feature.ts' });
      }
      const e = addNode(value, undefined, file);
      if (e) return fail(e);
    }
  }
  return ok({ root, nodes, settings, settingOwners, features, lists, packages, files: [...loader.modules] });
}

function badName(n: Node, feature: string | undefined): { message: string; hint: string } | undefined {
  switch (n.kind) {
    case 'distro':
      return DISTRO_NAME.test(n.name) ? undefined : { message: `invalid distro name ${JSON.stringify(n.name)}`, hint: 'lower-case letters, digits, - and .; a leading dot marks an intermediate' };
    case 'alias':
      return ALIAS_NAME.test(n.name) ? undefined : { message: `invalid alias name ${JSON.stringify(n.name)}`, hint: 'aliases start with +, like +power' };
    case 'mixin':
      if (!MIXIN_NAME.test(n.name)) return { message: `invalid mixin name ${JSON.stringify(n.name)}`, hint: 'mixins are named use/<feature>[/<variant>]' };
      if (feature && n.name.split('/')[1] !== feature) {
        return { message: `mixin ${n.name} is declared in feature ${feature}`, hint: `mixins of features/${feature} are named use/${feature} or use/${feature}/...` };
      }
      return undefined;
  }
}

/** Distros and aliases among a conf.d module's exports (directly or in arrays). */
function exportedNodes(exports: Record<string, unknown>): Node[] {
  const out = new Set<Node>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isProfileValue(v) && v.kind !== 'feature' && v.kind !== ('profiles' as string)) out.add(v as Node);
  };
  Object.values(exports).forEach(visit);
  return [...out];
}

function readFeatureFolder(name: string, dir: string, decl: FeatureDecl): Result<FeatureInfo> {
  const lists: PackageList[] = [];
  const listsDir = join(dir, 'lists');
  if (existsSync(listsDir)) {
    for (const file of readdirSync(listsDir).sort()) lists.push(readList(join(listsDir, file), name));
  }
  const hooksDir = join(dir, 'hooks');
  const hooks: Hook[] = [];
  if (existsSync(hooksDir)) {
    for (const file of readdirSync(hooksDir).sort()) {
      const path = join(hooksDir, file);
      if ((statSync(path).mode & 0o111) === 0) {
        return fail({ message: `hook ${basename(path)} of feature ${name} is not executable`, at: { file: path, line: 1 }, hint: `chmod +x ${path}` });
      }
      hooks.push({ name: file, path, network: decl.networkHooks.includes(file), reads: [...new Set(decl.reads)].sort() });
    }
  }
  const carried = checkCarriedHooks(name, decl, hooks);
  if (carried) return fail(carried);
  const readme = join(dir, 'README.md');
  const rootfs = join(dir, 'rootfs');
  return ok({
    name,
    dir,
    description: decl.description,
    ...(existsSync(readme) && { readme: readFileSync(readme, 'utf8') }),
    mixins: decl.mixins.map((m) => m.name),
    lists,
    ...(existsSync(rootfs) && { rootfs }),
    hooks,
    overrides: decl.overrides,
    reads: decl.reads,
    ...(decl.at && { at: decl.at }),
  });
}

/**
 * Every hook is carried by a mixin of its feature (a distro runs it when it uses that mixin),
 * and every hook a mixin names exists.
 */
function checkCarriedHooks(feature: string, decl: FeatureDecl, hooks: readonly Hook[]): Diagnostic | undefined {
  const names = hooks.map((h) => h.name);
  for (const m of decl.mixins) {
    if (m.kind !== 'mixin') continue;
    for (const h of m.hooks) {
      if (names.includes(h)) continue;
      const guess = closest(h, names);
      return {
        message: `mixin ${m.name} runs hook ${h}, which features/${feature}/hooks/ does not have`,
        ...((m.at ?? decl.at) && { at: (m.at ?? decl.at)! }),
        hint: guess ? `did you mean ${guess}?` : `put the script in features/${feature}/hooks/${h}`,
      };
    }
  }
  for (const h of hooks) {
    if (decl.mixins.some((m) => m.kind === 'mixin' && m.hooks.includes(h.name))) continue;
    const first = decl.mixins.find((m) => m.kind === 'mixin');
    return {
      message: `hook ${h.name} of feature ${feature} is run by no mixin`,
      at: { file: h.path, line: 1 },
      hint: `name it in the mixin that needs it: mixin('${first?.name ?? `use/${feature}`}', { hooks: ['${h.name}'] })`,
    };
  }
  return undefined;
}

/** A list file: one package per line, `#` comments, and an optional `# tags: a b c` line. */
function readList(file: string, feature: string): PackageList {
  const tags = new Set<string>();
  const packages: string[] = [];
  const lines = new Map<string, number>();
  for (const [i, raw] of readFileSync(file, 'utf8').split('\n').entries()) {
    const tagLine = /^#\s*tags:\s*(.*)$/.exec(raw.trim());
    if (tagLine) tagLine[1]!.split(/\s+/).filter(Boolean).forEach((t) => tags.add(t));
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    for (const p of line.split(/\s+/)) {
      packages.push(p);
      if (!lines.has(p)) lines.set(p, i + 1);
    }
  }
  return { name: basename(file), feature, file, tags, packages, lines };
}
