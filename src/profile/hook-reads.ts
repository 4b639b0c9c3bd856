// A hook gets only the variables its feature declares that its hooks read (FeatureDecl.reads),
// so that the hooks stage's fingerprint holds those and a change to any other variable does
// not rerun the hooks. Two mistakes would make that silently wrong, and are errors here: a
// declared name that is no variable, and a hook that uses a setting its feature did not
// declare (it would run with the variable unset).

import { readFileSync } from 'node:fs';
import type { Diagnostic, SourceLocation } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import type { SettingDecl } from '../dsl/profile.ts';

/** What the check needs of a feature (library.ts's FeatureInfo has it). */
export interface FeatureHooks {
  readonly name: string;
  readonly reads: readonly string[];
  readonly hooks: ReadonlyArray<{ readonly name: string; readonly path: string }>;
  readonly at?: SourceLocation;
}

/** What hooks may read besides the settings (see image/from-profile.ts). */
export const PROFILE_VARIABLES = ['MKIMAGE_DISTRO', 'MKIMAGE_MIXINS', 'MKIMAGE_FEATURES'] as const;

/** `$NAME` or `${NAME`, not `\$NAME`: a shell reading a variable. */
const USE = /(?<!\\)\$\{?([A-Z][A-Z0-9_]*)/g;

export function checkHookReads(features: ReadonlyMap<string, FeatureHooks>, settings: ReadonlyMap<string, SettingDecl>): Diagnostic | undefined {
  const known = [...settings.keys(), ...PROFILE_VARIABLES];
  for (const f of features.values()) {
    for (const name of f.reads) {
      if (known.includes(name)) continue;
      const guess = closest(name, known);
      return {
        message: `feature ${f.name} says its hooks read ${name}, which is no variable`,
        ...(f.at && { at: f.at }),
        hint: guess ? `did you mean ${guess}?` : 'reads names settings (mkimage settings lists them) or MKIMAGE_DISTRO, MKIMAGE_MIXINS, MKIMAGE_FEATURES',
      };
    }
    for (const hook of f.hooks) {
      const lines = readFileSync(hook.path, 'utf8').split('\n');
      for (const [i, text] of lines.entries()) {
        if (/^\s*#/.test(text)) continue;
        for (const m of text.matchAll(USE)) {
          const name = m[1]!;
          if (!known.includes(name) || f.reads.includes(name)) continue;
          return {
            message: `hook ${hook.name} of feature ${f.name} reads ${name}, which the feature does not declare`,
            at: { file: hook.path, line: i + 1 },
            hint: `hooks get only the variables their feature reads: feature({ reads: [${[...f.reads, name].map((n) => `'${n}'`).join(', ')}] })`,
          };
        }
      }
    }
  }
  return undefined;
}
