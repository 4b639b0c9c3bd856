// Where each package of a resolved profile was asked for: the mixin operation (file:line) that
// added it to PACKAGES or BASE_PACKAGES, the line of the package list that names it, or the
// KERNEL setting. Errors about a package (apt cannot find it) point there.

import { formatLocation } from '../core/diagnostic.ts';
import type { Library } from './library.ts';
import type { ResolvedProfile } from './resolve.ts';

/** Package name -> `features/web/feature.ts:5 (use/web)`, for every package the profile installs. */
export function packageOrigins(profile: ResolvedProfile, library: Library): Record<string, string> {
  const origins: Record<string, string> = {};
  const note = (pkg: string, where: string) => (origins[pkg] ??= where);
  // A package named by a variable: the last operation that put it there is the one that counts.
  for (const variable of ['PACKAGES', 'BASE_PACKAGES']) {
    const history = profile.variables[variable]?.history ?? [];
    for (const h of [...history].reverse()) {
      if (h.ignored || (h.op !== 'add' && h.op !== 'set')) continue;
      for (const given of h.given) {
        const pkg = parseGiven(given);
        if (pkg !== undefined && h.at) note(pkg, `${formatLocation(h.at)} (${h.by})`);
      }
    }
  }
  const kernel = profile.variables.KERNEL;
  if (typeof kernel?.value === 'string' && kernel.value) {
    const last = kernel.history.findLast((h) => !h.ignored);
    if (last?.at) note(kernel.value, `${formatLocation(last.at)} (KERNEL, ${last.by})`);
  }
  for (const name of [...profile.baseLists, ...profile.lists]) {
    const list = library.lists.get(name);
    for (const [pkg, line] of list?.lines ?? []) note(pkg, `${list!.file}:${line} (list ${name})`);
  }
  // Only what is installed: a package removed again has no say.
  const installed = new Set([...profile.basePackages, ...profile.packages].map(bareName));
  return Object.fromEntries(Object.entries(origins).filter(([pkg]) => installed.has(pkg)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A `given` is written as JSON (`"nginx"`); tag queries and other forms name no package. */
function parseGiven(given: string): string | undefined {
  try {
    const v: unknown = JSON.parse(given);
    return typeof v === 'string' ? bareName(v) : undefined;
  } catch {
    return undefined;
  }
}

/** A package as apt names it in errors: `nginx=1.22-1` and `nginx/bookworm-backports` are nginx. */
const bareName = (p: string) => p.replace(/[=/].*$/, '');
