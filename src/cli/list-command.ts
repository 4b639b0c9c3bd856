// `mkimage list`: buildable targets, one line each with its description, like `make help`;
// `mkimage features`: the features with their mixins.

import { buildableTargets, IMAGE_TYPES } from '../profile/image-targets.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { openProject, requireLibrary } from './project.ts';

export async function listCommand(options: Options, io: Io): Promise<ExitCode> {
  const project = await openProject(options, io);
  if (!project.ok) {
    printDiagnostic(io, project.error);
    return 2;
  }
  const { graph, library } = project.value;
  const rows: Array<[string, string]> = [];
  for (const t of library ? buildableTargets(library) : []) {
    rows.push([t.name, [t.distro.description, IMAGE_TYPES[t.type]].filter(Boolean).join('; ')]);
  }
  for (const id of graph.ids().sort()) rows.push([id, graph.spec(id).description ?? '']);
  const width = Math.min(40, Math.max(...rows.map(([n]) => n.length)));
  for (const [name, text] of rows) io.out(`${name.padEnd(width)}  ${text}`.trimEnd());
  return 0;
}

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
