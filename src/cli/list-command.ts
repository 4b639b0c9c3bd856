// `mkimage list`: buildable targets, one line each with its description, like `make help`;
// `mkimage features`: the features with their mixins.

import { relative } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.ts';
import { buildableTargets, IMAGE_TYPES, type ImageTarget } from '../profile/image-targets.ts';
import type { Library } from '../profile/library.ts';
import { resolveDistro } from '../profile/resolve.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { openProject, requireLibrary } from './project.ts';
import { ProjectLock } from './project-lock.ts';
import { packageStepId } from '../package/step.ts';

export async function listCommand(options: Options, io: Io): Promise<ExitCode> {
  const project = await openProject(options, io);
  if (!project.ok) {
    printDiagnostic(io, project.error);
    return 2;
  }
  const { graph, library } = project.value;
  const images = library ? imageRows(library, io.cwd) : { rows: [], broken: 0 };
  const rows = [...images.rows, ...(library ? packageRows(library, project.value.loaded.root) : [])];
  for (const id of graph.ids().sort()) rows.push([id, graph.spec(id).description ?? '']);
  const width = Math.min(40, Math.max(...rows.map(([n]) => n.length)));
  for (const [name, text] of rows) io.out(`${name.padEnd(width)}  ${text}`.trimEnd());
  // The others are still listed, but a script asking what can be built must learn that not all can.
  return images.broken > 0 ? 1 : 0;
}

/**
 * A row per package build: each declared one, and the dependents the lock says follow it (a
 * build not locked yet shows its declaration only; the first image build locks it).
 */
function packageRows(library: Library, root: string): Array<[string, string]> {
  const lock = ProjectLock.read(root);
  const builds = lock.ok ? lock.value.builds : new Map();
  const rows: Array<[string, string]> = [];
  for (const [name, b] of [...library.packages].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const d = b.decl;
    const what = [b.local ? `local source ${name} from ${relative(root, b.local.dir)}/` : `Debian source ${name}${d.from ? ` from ${d.from}` : ''}`, ...(d.upstream ? [`upstream ${d.upstream.version} from ${d.upstream.tarball}`] : []), ...(b.patches.length > 0 ? [`${b.patches.length} patch${b.patches.length === 1 ? '' : 'es'}`] : []), ...(d.suffix ? [`version suffix ${d.suffix}`] : []), `feature ${b.feature}`];
    const locked = builds.get(name);
    // Built with the images of its feature that install its binaries, or alone once one of them is locked.
    rows.push([packageStepId(name), `${what.join(', ')}${b.local ? `; version ${b.local.version}` : locked ? `; locked ${locked.sources[0]!.version}` : '; not locked yet'}; built with the images that take it, or alone`]);
    for (const dep of locked?.sources.slice(1) ?? []) rows.push([packageStepId(dep.name), `rebuilt against ${name}: ${dep.name} ${dep.version}, a dependent`]);
  }
  return rows;
}

/**
 * A row per buildable image; a distro that does not resolve gets one row instead, marked with
 * the diagnostic `mkimage show` gives for it, since none of its types can be built.
 */
function imageRows(library: Library, cwd: string): { rows: Array<[string, string]>; broken: number } {
  const rows: Array<[string, string]> = [];
  const errors = new Map<string, Diagnostic | undefined>();
  for (const t of buildableTargets(library)) {
    const seen = errors.has(t.distro.name);
    const error = seen ? errors.get(t.distro.name) : resolutionError(library, t);
    errors.set(t.distro.name, error);
    if (!error) rows.push([t.name, [t.distro.description, IMAGE_TYPES[t.type]].filter(Boolean).join('; ')]);
    else if (!seen) rows.push([t.distro.name, `BROKEN: ${formatDiagnostic(relativeTo(cwd, error))}`]);
  }
  return { rows, broken: [...errors.values()].filter(Boolean).length };
}

function resolutionError(library: Library, t: ImageTarget): Diagnostic | undefined {
  const profile = resolveDistro(library, t.distro.name);
  return profile.ok ? undefined : profile.error;
}

/** A listing is read in the project: paths relative to where it was asked, like `show`'s history. */
const relativeTo = (cwd: string, d: Diagnostic): Diagnostic => (d.at ? { ...d, at: { ...d.at, file: relative(cwd, d.at.file) } } : d);

export async function featuresCommand(options: Options, io: Io): Promise<ExitCode> {
  const project = await openProject(options, io);
  const library = project.ok ? requireLibrary(project.value) : project;
  if (!library.ok) {
    printDiagnostic(io, library.error);
    return 2;
  }
  const features = [...library.value.features.values()];
  if (options.json) {
    for (const f of features) {
      io.out(JSON.stringify({ feature: f.name, description: f.description, mixins: f.mixins, lists: f.lists.map((l) => l.name), hooks: f.hooks.map((h) => h.name), rootfs: Boolean(f.rootfs) }));
    }
    return 0;
  }
  for (const f of features) {
    io.out(`${f.name}: ${f.description}`);
    for (const m of f.mixins) {
      const node = library.value.nodes.get(m)!.node;
      io.out(`  ${m}${node.description ? `  ${node.description}` : ''}`);
    }
  }
  return 0;
}

export async function settingsCommand(options: Options, io: Io): Promise<ExitCode> {
  const project = await openProject(options, io);
  const library = project.ok ? requireLibrary(project.value) : project;
  if (!library.ok) {
    printDiagnostic(io, library.error);
    return 2;
  }
  for (const [name, s] of [...library.value.settings].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const owner = library.value.settingOwners.get(name);
    const row = { name, type: s.type, ...(s.choices && { choices: s.choices }), default: s.default, ...(s.derive && { derived: true }), help: s.help, ...(owner && { feature: owner }) };
    if (options.json) io.out(JSON.stringify(row));
    else io.out(`${name.padEnd(16)} ${(s.type === 'enum' ? s.choices!.join('|') : s.type).padEnd(22)} default ${(s.derive ? '(derived)' : JSON.stringify(s.default)).padEnd(20)} ${s.help}${owner ? ` [${owner}]` : ''}`);
  }
  return 0;
}
