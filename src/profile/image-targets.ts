// Buildable targets of a profile library: distro × image type (`server-mini.iso`), and the
// checks that make a bad one a clear error.

import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import type { Distro } from '../dsl/profile.ts';
import type { Library } from './library.ts';

export const IMAGE_TYPES: Readonly<Record<string, string>> = {
  iso: 'hybrid BIOS+UEFI live ISO',
  tar: 'the image root as a tarball (containers, VE)',
};

export interface ImageTarget {
  readonly name: string;
  readonly distro: Distro;
  readonly type: string;
}

export function imageTypesOf(d: Distro): string[] {
  return (d.images ?? Object.keys(IMAGE_TYPES)).filter((t) => t in IMAGE_TYPES);
}

export function buildableTargets(library: Library): ImageTarget[] {
  const out: ImageTarget[] = [];
  for (const [name, { node }] of [...library.nodes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (node.kind !== 'distro' || name.startsWith('.')) continue;
    for (const type of imageTypesOf(node)) out.push({ name: `${name}.${type}`, distro: node, type });
  }
  return out;
}

/** Parses `DISTRO.TYPE`; undefined when the name has no image-type shape at all. */
export function parseImageTarget(library: Library, name: string): Result<ImageTarget> | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const distroName = name.slice(0, dot);
  const type = name.slice(dot + 1);
  const entry = library.nodes.get(distroName);
  if (!entry && !(type in IMAGE_TYPES)) return undefined;
  if (!entry || entry.node.kind !== 'distro') {
    const guess = closest(name, buildableTargets(library).map((t) => t.name));
    return fail({ message: `no distro named ${distroName}`, hint: guess ? `did you mean ${guess}?` : 'mkimage list shows what can be built' });
  }
  const distro = entry.node;
  if (distroName.startsWith('.')) return fail(intermediate(library, distro));
  const types = imageTypesOf(distro);
  if (!types.includes(type)) {
    const guess = closest(type, types);
    return fail({
      message: `unknown image type .${type} for ${distroName}`,
      ...(distro.at && { at: distro.at }),
      hint: guess ? `did you mean ${distroName}.${guess}?` : `${distroName} can be built as ${types.map((t) => `.${t}`).join(', ')}`,
    });
  }
  return ok({ name, distro, type });
}

/**
 * Why a goal that names a distro without an image type (`web-server`, `.base`) is no target:
 * the typed targets it can be built as. Undefined when the name is no distro.
 */
export function untypedDistro(library: Library, name: string): Diagnostic | undefined {
  const entry = library.nodes.get(name);
  if (!entry || entry.node.kind !== 'distro') return undefined;
  const distro = entry.node;
  if (name.startsWith('.')) return intermediate(library, distro);
  const targets = imageTypesOf(distro).map((t) => `${name}.${t}`);
  const last = targets.pop();
  return {
    message: `no target named ${name}`,
    hint: last
      ? `${name} is a distro: build ${targets.length > 0 ? `${targets.join(', ')} or ${last}` : last}`
      : `${name} is a distro with no image type mkimage builds (${Object.keys(IMAGE_TYPES).join(', ')})`,
  };
}

/** An intermediate distro cannot be built; the distros that need it can. */
function intermediate(library: Library, distro: Distro): Diagnostic {
  const users = [...library.nodes.values()]
    .filter(({ node }) => node.kind === 'distro' && !node.name.startsWith('.') && node.needs.some((n) => (typeof n === 'string' ? n : n.name) === distro.name))
    .map(({ node }) => node.name);
  return {
    message: `${distro.name} is an intermediate distro (its name starts with a dot) and cannot be built`,
    ...(distro.at && { at: distro.at }),
    hint: users.length > 0 ? `build a distro that needs it: ${users.join(', ')}` : 'build a distro whose name has no leading dot',
  };
}
