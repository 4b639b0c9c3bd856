// How far a package build is, read from what dpkg-buildpackage prints: the debhelper command
// running names the phase; while it compiles, cmake's `[ 45%]` and ninja's or meson's
// `[12/340]` give a fraction, and otherwise each compiler line (automake's silent `CC`,
// libtool's `compile:`, a plain `gcc -c`) counts one file compiled.

import type { RecipeProgress } from '../core/target.ts';
import type { ProgressParser } from '../image/progress.ts';

const PHASE = /^\s*(dh_[a-z_]+|dpkg-deb|dpkg-source|dpkg-genchanges|debian\/rules \S+)/;
const CMAKE = /^\[\s*(\d{1,3})%\]\s/;
const NINJA = /^\[(\d+)\/(\d+)\]\s/;
const COMPILE = /^\s*(?:CC|CXX|CCLD|CXXLD|FC|AS)\s+\S|libtool: compile:|^\s*(?:\S*-)?(?:gcc|g\+\+|cc|c\+\+|clang)(?:-\d+)?\s.*\s-c\s/;

export function buildProgress(): ProgressParser {
  let phase = 'dpkg-buildpackage';
  let compiled = 0;
  return {
    line(text): RecipeProgress | undefined {
      let m: RegExpMatchArray | null;
      if ((m = text.match(PHASE))) {
        if (m[1] !== phase) compiled = 0;
        phase = m[1]!;
        return { label: phase };
      }
      if ((m = text.match(CMAKE))) return { label: `${phase}: ${m[1]}%`, fraction: Math.min(1, Number(m[1]) / 100) };
      if ((m = text.match(NINJA))) {
        const total = Number(m[2]);
        return { label: `${phase}: ${m[1]}/${total}`, ...(total > 0 && { fraction: Math.min(1, Number(m[1]) / total) }) };
      }
      if (COMPILE.test(text)) return { label: `${phase}: ${++compiled} compiled` };
      return undefined;
    },
  };
}
