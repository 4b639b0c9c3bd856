// `mkimage show DISTRO [--json]`: every resolved variable, its value, and the chain of
// operations that produced it, overrides included; then the overlays' files and the hooks in
// the order the build applies them.

import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { formatDiagnostic, formatLocation } from '../core/diagnostic.ts';
import type { ImageConfig } from '../image/config.ts';
import { imageConfig } from '../image/from-profile.ts';
import { show, type ResolvedProfile } from '../profile/resolve.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { resolveNamed } from './resolve-named.ts';
import { ProjectLock } from './project-lock.ts';

export async function showCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  if (args.length !== 1) {
    io.err('mkimage: show wants one distro, e.g. mkimage show server-mini');
    return 2;
  }
  const resolved = await resolveNamed(args[0]!, options, io);
  if (!resolved.ok) {
    printDiagnostic(io, resolved.error);
    return 2;
  }
  const profile = resolved.value.profile;
  for (const w of profile.warnings) io.err(`mkimage: warning: ${formatDiagnostic(w)}`);
  if (options.json) {
    io.out(JSON.stringify(profile, (k, v: unknown) => (k === 'setting' ? undefined : v instanceof Set ? [...v] : v), 2));
    return 0;
  }
  printProfile(profile, io.out, io.cwd);
  const config = imageConfig(profile, resolved.value.library, { sourceDateEpoch: 0 });
  if (!config.ok) return 0;
  printLayers(config.value, io.out, io.cwd);
  const lock = ProjectLock.read(resolved.value.library.root);
  if (!lock.ok) {
    printDiagnostic(io, lock.error);
    return 2;
  }
  await printLock(config.value, lock.value.useLocalSources(resolved.value.library.packages), io.out, io.cwd);
  return 0;
}

/** The distro's lock entry: whether it is current, where from, and each package with its line. */
async function printLock(c: ImageConfig, lock: ProjectLock, out: (l: string) => void, cwd: string): Promise<void> {
  const file = relative(cwd, lock.file) || lock.file;
  const entry = lock.entries.get(c.name);
  out('');
  if (!entry) {
    out(`lock: ${file} holds no entry for ${c.name} (a build, or mkimage lock ${c.name}, writes it)`);
    return;
  }
  const current = (await lock.current(c)) !== undefined;
  out(`lock: ${file}, ${c.name} inputs ${entry.inputs} (${current ? 'current' : 'stale: the profile changed since; a build locks it again'}), from:`);
  for (const s of entry.sources) out(`  ${s.mirror} ${s.suite}  (Release of ${s.date})`);
  out(`locked packages (${entry.packages.length}), installed from the pool by the stage named:`);
  for (const p of entry.packages) out(`  ${p.stage.padEnd(9)} ${p.name} ${p.version} ${p.architecture}  ${file}:${p.line}`);
}

/** The overlays' files and the hooks, in the order the build applies them. */
function printLayers(c: ImageConfig, out: (l: string) => void, cwd: string): void {
  out('');
  out(`overlays, in the order they are copied (${c.overlays.length}):`);
  for (const o of c.overlays) {
    const files = readdirSync(o.dir, { recursive: true, withFileTypes: true }).filter((d) => !d.isDirectory());
    out(`  ${o.feature}  ${relative(cwd, o.dir)}/  ${files.length} file${files.length === 1 ? '' : 's'}${o.overrides.length ? `, overrides ${o.overrides.join(' ')}` : ''}`);
    for (const f of files.map((d) => `/${relative(o.dir, join(d.parentPath, d.name))}`).sort()) out(`    ${f}`);
  }
  out(`hooks, in the order they run (${c.hooks.length}):`);
  for (const h of c.hooks) {
    const notes = [h.reads.length ? `reads ${h.reads.join(' ')}` : '', h.network ? 'with network' : ''].filter(Boolean).join(', ');
    out(`  ${h.feature}/${basename(h.path)}  ${relative(cwd, h.path)}${notes ? `  (${notes})` : ''}`);
  }
}

function printProfile(p: ResolvedProfile, out: (l: string) => void, cwd: string): void {
  out(`${p.distro}${p.description ? `: ${p.description}` : ''}`);
  out(`applied: ${p.chain.join(' -> ')}`);
  out(`features: ${p.features.join(' ')}`);
  out('');
  for (const [name, v] of Object.entries(p.variables)) {
    const how = v.explicit ? '' : v.history.some((h) => h.op === 'derived') ? '  (derived)' : '  (default)';
    out(`${name} = ${show(v.value)}${how}`);
    for (const h of v.history) {
      const where = h.at ? `  ${formatLocation({ ...h.at, file: relative(cwd, h.at.file) })}` : '';
      const note = h.ignored ? '  (ignored: already set)' : h.overrode ? `  (overrides ${show(h.overrode.value)} from ${h.overrode.by})` : '';
      out(`    ${h.op.padEnd(6)} ${h.given.join(' ')}  by ${h.by}${where}${note}`);
    }
  }
  out('');
  out(`bootstrap packages (${p.basePackages.length}): ${p.basePackages.join(' ')}`);
  out(`packages on top (${p.packages.length}): ${p.packages.join(' ')}`);
}
