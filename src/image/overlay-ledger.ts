// Who wrote which path of the image root during the overlay step, and whether a later feature
// may write it again. Pure: the overlay step asks before every write.
//
// Rules: directories merge (any number of features may put files in etc/); a file, symlink or
// other non-directory written by two features is a clash, as is a directory in one feature
// where another has a file; the later feature may replace the earlier one's path only when it
// lists the path, or a directory above it, in its overrides.

import type { OverlayClash } from './errors.ts';

export type EntryKind = 'dir' | 'file' | 'symlink';

interface Claim {
  readonly feature: string;
  readonly kind: EntryKind;
}

export class OverlayLedger {
  readonly #claims = new Map<string, Claim>();
  readonly clashes: OverlayClash[] = [];

  /**
   * Records that `feature` writes `path` (relative to the root, resolved through the root's
   * symlinks; `asWritten` is the path in the feature's rootfs/, which overrides may name too).
   * Returns false when the write is a clash (recorded in `clashes`): the caller skips it.
   */
  /** The feature that wrote `path` so far, if one did. */
  writer(path: string): string | undefined {
    return this.#claims.get(path)?.feature;
  }

  claim(path: string, asWritten: string, feature: string, kind: EntryKind, overrides: readonly string[]): boolean {
    const prior = this.#claims.get(path);
    if (prior && prior.feature !== feature && !(prior.kind === 'dir' && kind === 'dir')) {
      if (!covers(overrides, path) && !covers(overrides, asWritten)) {
        this.clashes.push({
          path,
          first: prior.feature,
          second: feature,
          kind: prior.kind === kind ? 'file' : 'type',
        });
        return false;
      }
    }
    this.#claims.set(path, { feature, kind });
    return true;
  }
}

/** Whether an overrides list names the path or a directory above it. */
export function covers(overrides: readonly string[], path: string): boolean {
  const p = normalise(path);
  return overrides.some((o) => {
    const n = normalise(o);
    return n === p || p.startsWith(`${n}/`);
  });
}

/** `/etc/x/`, `./etc/x` and `etc/x` are one path. */
function normalise(path: string): string {
  return path.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
}
