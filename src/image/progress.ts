// How far the image steps' tools are, read from what they print: apt and dpkg (through
// mmdebstrap --verbose, or apt-get in the root), mksquashfs's progress bar and xorriso's
// UPDATE lines. The formats are the tools' own (see test/image/progress.test.ts for the real
// lines); a line that matches nothing is simply not progress.

import type { RecipeProgress } from '../core/target.ts';
import type { StepIo } from './step-io.ts';

/** Reads a tool's output a line at a time and says what it learnt, if anything. */
export interface ProgressParser {
  line(text: string): RecipeProgress | undefined;
  /**
   * Also read the unfinished last line: for tools that redraw one line with `\r` (a bar), whose
   * latest state has no line end yet. Only for stateless parsers: it may see a line twice.
   */
  readonly partialLines?: boolean;
}

/** A StepIo whose tools' output is also read by `parser`; what it learns goes to io.progress. */
export function withProgress(io: StepIo, parser: ProgressParser): StepIo {
  if (!io.progress) return io;
  const report = io.progress.bind(io);
  let partial = '';
  return {
    signal: io.signal,
    tmp: io.tmp,
    progress: report,
    output(stream, text) {
      io.output(stream, text);
      const lines = (partial + text).split(/\r\n|\n|\r/);
      partial = lines.pop() ?? '';
      // Long output between two reads only matters by its last lines.
      let found: RecipeProgress | undefined;
      for (const l of lines) found = parser.line(l) ?? found;
      if (parser.partialLines && partial !== '') found = parser.line(partial) ?? found;
      if (found) report(found);
    },
  };
}

/**
 * apt-get and dpkg, and mmdebstrap around them. Downloads are measured in bytes against apt's
 * "Need to get"; unpacking and configuring count packages against "N newly installed", one
 * step each, as mmdebstrap's own bar does. mmdebstrap's "I: ...ing..." lines name the phase.
 */
export function aptProgress(): ProgressParser {
  let total: number | undefined;
  let need: number | undefined;
  let got = 0;
  let unpacked = 0;
  let configured = 0;
  const installing = (verb: string, n: number, name: string): RecipeProgress =>
    total === undefined
      ? { label: `${verb} ${name}` }
      : { label: `${verb} ${n}/${total}`, fraction: Math.min(1, (unpacked + configured) / (2 * total)) };
  return {
    line(text) {
      const l = text.trim();
      let m: RegExpMatchArray | null;
      if ((m = l.match(/^I: (.+?)\.\.\.$/))) return { label: m[1]! };
      if ((m = l.match(/ (\d+) newly installed/))) {
        total = Number(m[1]);
        need = undefined;
        unpacked = configured = 0;
        return undefined;
      }
      if ((m = l.match(/^Need to get ([\d.,]+) ?([kMG]?B)\b/))) {
        need = bytes(m[1]!, m[2]!);
        got = 0;
        return undefined;
      }
      if (l.startsWith('Fetched ')) {
        need = undefined;
        return undefined;
      }
      if ((m = l.match(/^Get:\d+ .*\[([\d.,]+) ?([kMG]?B)\]$/))) {
        if (!need) return { label: 'updating package lists' };
        got += bytes(m[1]!, m[2]!);
        return { label: 'downloading packages', fraction: Math.min(1, got / need) };
      }
      if ((m = l.match(/^Unpacking (\S+) /))) return installing('unpacking', ++unpacked, m[1]!);
      if ((m = l.match(/^Setting up (\S+) /))) return installing('setting up', ++configured, m[1]!);
      return undefined;
    },
  };
}

/** apt prints sizes in SI units (kB is 1000 bytes). */
function bytes(figure: string, unit: string): number {
  const scale = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[unit] ?? 1;
  return Number(figure.replaceAll(',', '')) * scale;
}

/**
 * mksquashfs's bar, `[====-   ] 1700/3000  56%`: blocks and inodes written of all it will
 * write. Off a terminal 4.5 redraws it every 100 of them.
 */
export function mksquashfsProgress(): ProgressParser {
  return {
    partialLines: true,
    line(text) {
      const m = text.match(/\]\s*(\d+)\/(\d+)\s+\d+%\s*$/);
      if (!m) return undefined;
      const max = Number(m[2]);
      return { label: 'compressing', fraction: max > 0 ? Number(m[1]) / max : 0 };
    },
  };
}

/**
 * xorriso: `UPDATE :  56.59% done` as mkisofs, `UPDATE : Writing: 32768s 22.9% ...` natively,
 * and `UPDATE : 6070 files added in 1 seconds` while it reads the trees.
 */
export function xorrisoProgress(): ProgressParser {
  return {
    line(text) {
      let m: RegExpMatchArray | null;
      if ((m = text.match(/UPDATE :\s+([\d.]+)% done/)) || (m = text.match(/UPDATE :\s+Writing:\s+\d+s\s+([\d.]+)%/))) {
        return { label: 'writing', fraction: Number(m[1]) / 100 };
      }
      if ((m = text.match(/UPDATE :\s+(\d+) files added/))) return { label: `adding files (${m[1]})` };
      return undefined;
    },
  };
}
