// What apt decided to install (its simulation's `Inst` lines, from mmdebstrap --simulate)
// pinned to the verified indexes: each package's file, size and sha256 from a signed index,
// and the mirror that has it. A package apt chose that no verified index holds is an error.

import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { LockedPackage, LockStage } from './lock-file.ts';
import type { SuiteIndex } from './suite-index.ts';

export interface Chosen {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
}

/** `Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64]) []`: each package once, in order. */
export function parseAptSimulation(output: string): Chosen[] {
  const seen = new Map<string, Chosen>();
  for (const line of output.split('\n')) {
    const m = /^Inst (\S+?)(?::\S+)? (?:\[[^\]]*\] )?\((\S+) .*\[([^\]]+)\]\)/.exec(line.trim());
    if (m && !seen.has(`${m[1]}:${m[3]}`)) seen.set(`${m[1]}:${m[3]}`, { name: m[1]!, version: m[2]!, architecture: m[3]! });
  }
  return [...seen.values()];
}

export function pin(chosen: readonly Chosen[], indexes: readonly SuiteIndex[], stage: LockStage): Result<LockedPackage[]> {
  const out: LockedPackage[] = [];
  for (const c of chosen) {
    let found: LockedPackage | undefined;
    for (const index of indexes) {
      const p = index.packages.get(c.name)?.find((x) => x.version === c.version && x.architecture === c.architecture);
      if (p) {
        found = { stage, name: p.name, version: p.version, architecture: p.architecture, size: p.size, sha256: p.sha256, mirror: index.source.url, filename: p.filename };
        break;
      }
    }
    if (!found) {
      const suites = indexes.map((i) => `${i.source.url} ${i.source.suite}`).join(', ');
      return fail({ message: `${c.name} ${c.version} (${c.architecture}), which apt chose, is in no verified index of ${suites}`, hint: 'a source apt reads that the lock does not (another sources file?), or an archive that moved meanwhile: lock again' });
    }
    out.push(found);
  }
  return ok(out);
}
