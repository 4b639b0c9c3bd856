// The graph screen as lines, from the model, the clock and the terminal's size: a pure
// function, so every layout rule is tested without a terminal. Top to bottom:
//
//   header     what the build does, its time and ETA; counts of targets per state
//   graph      per image, one row per layer: targets in one row can run at the same time
//              (graph-section.ts)
//   output     the last lines of each running target, under its progress
//   detail     the selected target: why it runs, how it failed, what it waits for
//   footer     the keys; on the final frame, the summary instead
//
// When the picture does not fit, the graph degrades in steps (graph-section.ts) and the output
// gets fewer lines. No line is ever wider than the terminal, and there are never more lines
// than rows - 1.

import type { TargetId } from '../../core/ids.ts';
import type { Cell } from './cells.ts';
import { buildEta, targetEta } from './eta.ts';
import { countsLine, GLYPH, STATE_STYLE } from './glyphs.ts';
import { graphSection, INDENT, type GraphMode, type Section } from './graph-section.ts';
import type { LiveModel, NodeView } from './model.ts';
import { fit, lineWidth, seg, type Line, type Segment, type Style } from './paint.ts';
import { summaryLines } from './summary.ts';
import { clock, firstLine, truncate } from './text.ts';

export interface ScreenInput {
  readonly model: LiveModel;
  readonly now: number;
  readonly columns: number;
  readonly rows: number;
  readonly selected?: TargetId | undefined;
  /** q was pressed: the build is being stopped. */
  readonly stopping?: boolean;
  /** The last frame: the summary replaces the running output and the keys. */
  readonly final?: boolean;
}

export interface Screen {
  readonly lines: readonly Line[];
  readonly cells: readonly Cell[];
  readonly mode: GraphMode;
}

/** Output lines shown per running target, at most. */
const OUTPUT_LINES = 3;

export function screen(input: ScreenInput): Screen {
  const { model, columns, final } = input;
  const rows = Math.max(1, input.rows - 1);
  // The summary's first line says what the header would.
  const header = final && model.build ? [] : headerLines(input, rows >= 12 ? 2 : 1);
  if (!model.build) return { lines: header.slice(0, rows).map((l) => fit(l, columns)), cells: [], mode: 'graph' };

  const selected = input.selected && model.nodes.has(input.selected) ? model.nodes.get(input.selected) : undefined;
  const bottom: Line[] = [];
  if (final) {
    bottom.push(...summaryLines(model, columns, Math.max(1, rows - header.length - 1)));
  } else {
    if (selected) bottom.push(detailLine(selected, input.now));
    bottom.push(footerLine(input));
  }
  const room = Math.max(0, rows - header.length - bottom.length);
  const outputWish = final ? 0 : Math.min(model.running.size, 2) * 2;
  const graph = graphSection(input, Math.max(1, room - outputWish), selected?.id);
  const lines: Line[] = [...header];
  const cells: Cell[] = [];
  const place = (section: { lines: readonly Line[]; cells: readonly Cell[] }) => {
    for (const c of section.cells) cells.push({ ...c, row: c.row + lines.length });
    lines.push(...section.lines);
  };
  if (graph.lines.length <= room) place(graph);
  if (!final) {
    // In the compact list the running targets are the output's titles: they are selectable there.
    const output = outputSection(input, rows - lines.length - bottom.length);
    place(graph.mode === 'compact' ? output : { lines: output.lines, cells: [] });
  }
  lines.push(...bottom);
  return { lines: lines.slice(0, rows).map((l) => fit(l, columns)), cells, mode: graph.mode };
}

// --- header ----------------------------------------------------------------------------------

function headerLines(input: ScreenInput, count: 1 | 2): Line[] {
  const { model, now, columns } = input;
  const b = model.build;
  const name = [seg('mkimage', 'bold')];
  if (!b) return [[...name, seg(' preparing the build…', 'dim')]];
  // Parts by priority: what does not fit is left out whole, the least important first.
  const parts: Array<{ priority: number; segments: Segment[] }> = [{ priority: 0, segments: name }];
  const f = b.finished;
  if (f) {
    const [text, style]: [string, Style] = f.interrupted ? ['interrupted', 'magenta'] : f.ok ? ['build ok', 'green'] : ['build failed', 'red'];
    parts.push({ priority: 1, segments: [seg(` ${text}`, [style, 'bold'])] }, { priority: 2, segments: [seg(` in ${clock(f.durationMs)}`)] });
  } else {
    if (input.stopping) parts.push({ priority: 1, segments: [seg(' stopping', 'magenta')] });
    else parts.push({ priority: 5, segments: [seg(' building')] });
    parts.push({ priority: 4, segments: [seg(` ${model.nodes.size} target${model.nodes.size === 1 ? '' : 's'}`)] });
    parts.push({ priority: 2, segments: [seg(` · ${clock(now - b.startedAt)}`)] });
    const eta = cachedBuildEta(model, now);
    if (eta && eta.ms > 0) parts.push({ priority: 3, segments: [seg(` · eta ${eta.complete ? '~' : '≥'}${clock(eta.ms)}`, 'dim')] });
  }
  if (count === 1) parts.push({ priority: 1, segments: [seg('  '), ...countsLine(model.counts, true)] });
  const title = byPriority(parts, columns);
  if (count === 1) return [title];
  const words = countsLine(model.counts, false);
  return [title, lineWidth(words) <= columns ? words : countsLine(model.counts, true)];
}

/** The parts in their order, leaving out the least important ones until the rest fits. */
function byPriority(parts: ReadonlyArray<{ priority: number; segments: Segment[] }>, columns: number): Line {
  let kept = [...parts];
  const total = () => kept.reduce((a, p) => a + lineWidth(p.segments), 0);
  while (total() > columns && kept.length > 1) {
    const worst = kept.reduce((a, p) => (p.priority > a.priority ? p : a));
    kept = kept.filter((p) => p !== worst);
  }
  return kept.flatMap((p) => p.segments);
}

const etaCache = new WeakMap<LiveModel, { version: number; second: number; eta: ReturnType<typeof buildEta> }>();

/** The build's ETA walks every target: once per change or second is enough. */
function cachedBuildEta(model: LiveModel, now: number): ReturnType<typeof buildEta> {
  const second = Math.floor(now / 1000);
  const hit = etaCache.get(model);
  if (hit && hit.version === model.version && hit.second === second) return hit.eta;
  const eta = buildEta(model, now);
  etaCache.set(model, { version: model.version, second, eta });
  return eta;
}

// --- running output ------------------------------------------------------------------------------

function outputSection(input: ScreenInput, room: number): Section {
  const { model, now, columns, selected } = input;
  const running = [...model.running];
  if (running.length === 0 || room < 1) return { lines: [], cells: [], mode: 'graph' };
  // Each shown target gets its title and at least one line, when there is room for it.
  const shownCount = Math.min(running.length, Math.max(1, Math.floor(room / 2)));
  const more = running.length - shownCount;
  const usable = room - (more > 0 ? 1 : 0);
  const per = Math.max(0, Math.min(OUTPUT_LINES, Math.floor(usable / Math.max(1, shownCount)) - 1));
  const lines: Line[] = [];
  const cells: Cell[] = [];
  for (const id of running.slice(0, shownCount)) {
    if (lines.length >= usable) break;
    const n = model.nodes.get(id)!;
    cells.push({ id, row: lines.length, x: INDENT });
    lines.push(outputTitle(n, now, id === selected));
    for (const l of n.output?.last(Math.min(per, usable - lines.length)) ?? []) lines.push([seg(`    ${truncate(l, columns - 4)}`, 'dim')]);
  }
  if (more > 0 && lines.length < room) lines.push([seg(`  +${more} more running`, 'dim')]);
  return { lines, cells, mode: 'graph' };
}

function outputTitle(n: NodeView, now: number, isSelected: boolean): Line {
  const out: Segment[] = [seg(isSelected ? ' ›' : '  ', 'bold'), seg(GLYPH.running, STATE_STYLE.running), seg(` ${n.id}`, isSelected ? ['bold', 'inverse'] : 'bold')];
  if (n.progress) {
    out.push(seg(` ${n.progress.label}`));
    if (n.progress.fraction !== undefined) out.push(seg(` ${Math.floor(n.progress.fraction * 100)}%`, 'cyan'));
  }
  if (n.startedAt !== undefined) out.push(seg(` ${clock(now - n.startedAt)}`, 'dim'));
  const eta = targetEta(n, now);
  if (eta) out.push(seg(` eta ${eta.from === 'history' ? '' : '~'}${clock(eta.ms)}`, 'dim'));
  else if (n.expectedMs !== undefined) out.push(seg(` (${clock(n.expectedMs)} last time)`, 'dim'));
  return out;
}

// --- selection and keys ----------------------------------------------------------------------

function detailLine(n: NodeView, now: number): Line {
  const out: Segment[] = [seg('›', 'bold'), seg(` ${n.id}`, 'bold'), seg(': ')];
  const waits = n.deps.length;
  switch (n.state) {
    case 'pending':
      out.push(seg(waits > 0 ? `waits for ${n.deps.join(', ')}` : 'waits', 'dim'));
      break;
    case 'queued':
      out.push(seg('waits for a job slot', 'yellow'));
      break;
    case 'running': {
      const why = n.reasons?.[0];
      out.push(seg(`running ${clock(now - (n.startedAt ?? now))}`, 'cyan'));
      if (why) out.push(seg(` · ${why}${n.reasons!.length > 1 ? ` (+${n.reasons!.length - 1})` : ''}`));
      break;
    }
    case 'cached':
      out.push(seg('cached: its output is in the store', 'blue'));
      break;
    case 'done':
      out.push(seg(`built in ${clock(n.durationMs ?? 0)}${n.unchanged ? ', output unchanged' : ''}`, 'green'));
      break;
    case 'failed':
      out.push(seg(`failed: ${firstLine(n.failure?.message ?? '')}`, 'red'));
      if (n.failure?.hint) out.push(seg(` (${n.failure.hint})`));
      break;
    case 'skipped':
      out.push(seg(`skipped: ${n.skipped ?? ''}`, 'dim'));
      break;
    case 'aborted':
      out.push(seg(`aborted after ${clock(n.durationMs ?? 0)}`, 'magenta'));
      break;
  }
  if (n.dependents.length > 0 && n.state !== 'pending') out.push(seg(` · needed by ${n.dependents.join(', ')}`, 'dim'));
  return out;
}

function footerLine(input: ScreenInput): Line {
  if (input.stopping) return [seg('stopping: running stages are being aborted…', 'magenta')];
  if (input.model.note) return [seg(input.model.note, 'yellow')];
  return [seg('↑↓←→ select  enter/l log  q quit', 'dim')];
}
