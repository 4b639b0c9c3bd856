// The graph screen as lines, from the model, the clock and the terminal's size: a pure
// function, so every layout rule is tested without a terminal. Top to bottom:
//
//   header     what the build does, its time and ETA; counts of targets per state
//   graph      per image (side by side when they fit, else stacked), one row per layer:
//              targets in one row can run at the same time
//   output     the last lines of each running target, under its progress
//   detail     the selected target: why it runs, how it failed, what it waits for
//   footer     the keys; on the final frame, the summary instead
//
// When the picture does not fit it degrades in steps: images stacked instead of side by
// side; images with nothing left to do folded to one line; then a compact list of only the
// running, failed and selected targets under the counts. A row with more targets than fit
// shows the running and failed ones first and counts the rest. No line is ever wider than
// the terminal, and there are never more lines than rows - 1.

import type { TargetId } from '../../core/ids.ts';
import { buildEta, targetEta } from './eta.ts';
import type { GroupView, LiveModel, NodeState, NodeView } from './model.ts';
import { fit, lineWidth, seg, type Line, type Segment, type Style } from './paint.ts';
import { summaryLines } from './summary.ts';
import { clock, truncate } from './text.ts';

export const GLYPH: Record<NodeState, string> = {
  pending: '·',
  queued: '○',
  running: '●',
  cached: '≡',
  done: '✓',
  failed: '✗',
  skipped: '-',
  aborted: '!',
};

export const STATE_STYLE: Record<NodeState, Style> = {
  pending: 'dim',
  queued: 'yellow',
  running: 'cyan',
  cached: 'blue',
  done: 'green',
  failed: 'red',
  skipped: 'dim',
  aborted: 'magenta',
};

/** The words of the counts line, in this order. */
const COUNT_ORDER: readonly NodeState[] = ['running', 'queued', 'pending', 'done', 'cached', 'failed', 'skipped', 'aborted'];

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

/** A target drawn on screen, where the arrow keys can move to it. */
export interface Cell {
  readonly id: TargetId;
  readonly row: number;
  readonly x: number;
}

export interface Screen {
  readonly lines: readonly Line[];
  readonly cells: readonly Cell[];
  readonly mode: 'graph' | 'folded' | 'compact';
}

const INDENT = 2;
const GAP = 2;
const MIN_COLUMN = 24;
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

/** `● 2 running  ✓ 5 done`, or without the words: `●2 ✓5`. Zero counts are left out. */
function countsLine(counts: Record<NodeState, number>, short: boolean): Segment[] {
  const out: Segment[] = [];
  for (const s of COUNT_ORDER) {
    if (counts[s] === 0) continue;
    if (out.length > 0) out.push(seg(short ? ' ' : '  '));
    out.push(seg(short ? `${GLYPH[s]}${counts[s]}` : `${GLYPH[s]} ${counts[s]} ${s}`, STATE_STYLE[s]));
  }
  return out;
}

// --- graph -----------------------------------------------------------------------------------

interface Section {
  readonly lines: Line[];
  /** Rows relative to the section's first line. */
  readonly cells: Cell[];
  readonly mode: Screen['mode'];
}

function graphSection(input: ScreenInput, room: number, selected: TargetId | undefined): Section {
  const { model, columns } = input;
  const groups = model.groups;
  const titled = groups.length > 1 || groups[0]?.name !== '';
  const tallest = Math.max(0, ...groups.map((g) => g.layers.length));
  const width = columns - INDENT;
  const perColumn = Math.floor((width - GAP * (groups.length - 1)) / Math.max(1, groups.length));
  if (groups.length > 1 && perColumn >= MIN_COLUMN && tallest + 1 <= room) {
    return sideBySide(input, perColumn, selected);
  }
  const stackedRows = groups.reduce((a, g) => a + g.layers.length + (titled ? 1 : 0), 0);
  if (stackedRows <= room) return stacked(input, new Set(), titled, selected);
  // Fold the images with nothing under way, biggest first, until the rest fits.
  const folded = new Set<string>();
  let need = stackedRows;
  const foldable = groups.filter((g) => titled && g.name !== '' && !groupBusy(model, g, selected)).sort((a, b) => b.layers.length - a.layers.length);
  for (const g of foldable) {
    if (need <= room) break;
    folded.add(g.name);
    need -= g.layers.length;
  }
  if (need <= room) return { ...stacked(input, folded, titled, selected), mode: 'folded' };
  return compact(input, room, selected);
}

/** Running, queued or failed targets, or the selection: worth its rows. */
function groupBusy(model: LiveModel, g: GroupView, selected: TargetId | undefined): boolean {
  for (const layer of g.layers) {
    for (const id of layer) {
      const s = model.nodes.get(id)!.state;
      if (s === 'running' || s === 'queued' || s === 'failed' || id === selected) return true;
    }
  }
  return false;
}

function sideBySide(input: ScreenInput, columnWidth: number, selected: TargetId | undefined): Section {
  const { model } = input;
  const groups = model.groups;
  const tallest = Math.max(...groups.map((g) => g.layers.length));
  const lines: Line[] = [];
  const cells: Cell[] = [];
  const pad = (l: Line) => {
    const fitted = fit(l, columnWidth);
    return [...fitted, seg(' '.repeat(Math.max(0, columnWidth - lineWidth(fitted))))];
  };
  const titles: Segment[] = [seg(' '.repeat(INDENT))];
  groups.forEach((g, i) => {
    if (i > 0) titles.push(seg(' '.repeat(GAP)));
    titles.push(...pad(groupTitle(model, g)));
  });
  lines.push(titles);
  for (let r = 0; r < tallest; r++) {
    const line: Segment[] = [seg(' '.repeat(INDENT))];
    groups.forEach((g, i) => {
      if (i > 0) line.push(seg(' '.repeat(GAP)));
      const x = INDENT + i * (columnWidth + GAP);
      const layer = g.layers[r];
      if (!layer) return line.push(seg(' '.repeat(columnWidth)));
      const row = layerRow(input, layer, columnWidth, selected, 'label');
      for (const c of row.cells) cells.push({ id: c.id, row: lines.length, x: x + c.x });
      line.push(...pad(row.line));
    });
    lines.push(line);
  }
  return { lines, cells, mode: 'graph' };
}

function stacked(input: ScreenInput, folded: ReadonlySet<string>, titled: boolean, selected: TargetId | undefined): Section {
  const { model, columns } = input;
  const lines: Line[] = [];
  const cells: Cell[] = [];
  for (const g of model.groups) {
    if (folded.has(g.name)) {
      lines.push([seg(' '.repeat(INDENT)), ...groupTitle(model, g), seg('  '), ...groupCounts(model, g)]);
      continue;
    }
    if (titled) lines.push([seg(' '.repeat(INDENT)), ...groupTitle(model, g)]);
    const indent = INDENT + (titled ? 2 : 0);
    for (const layer of g.layers) {
      const row = layerRow(input, layer, columns - indent, selected, 'label');
      for (const c of row.cells) cells.push({ id: c.id, row: lines.length, x: indent + c.x });
      lines.push([seg(' '.repeat(indent)), ...row.line]);
    }
  }
  return { lines, cells, mode: 'graph' };
}

function groupTitle(model: LiveModel, g: GroupView): Segment[] {
  return [seg(g.name === '' ? (model.groups.length > 1 ? 'other targets' : 'targets') : g.name, 'bold')];
}

function groupCounts(model: LiveModel, g: GroupView): Segment[] {
  const counts = zeroCounts();
  for (const layer of g.layers) for (const id of layer) counts[model.nodes.get(id)!.state]++;
  return countsLine(counts, true);
}

/**
 * One layer in `columns`: every target when they fit; else the selected, running, failed and
 * queued ones first, as many as fit, and a count of the rest by state. Linear in the layer's
 * size: a layer of ten thousand targets is drawn as cheaply as it can be.
 */
function layerRow(
  input: ScreenInput,
  layer: readonly TargetId[],
  columns: number,
  selected: TargetId | undefined,
  naming: 'label' | 'id',
): { line: Line; cells: Array<{ id: TargetId; x: number }> } {
  const { model, now } = input;
  let shown: NodeView[] = layer.map((id) => model.nodes.get(id)!);
  let total = -1;
  for (const n of shown) {
    total += cellWidth(n, now, naming) + 1;
    if (total > columns) break;
  }
  if (total > columns) {
    const buckets: NodeView[][] = [[], [], [], [], []];
    const rank = (n: NodeView) => (n.id === selected ? 0 : n.state === 'running' ? 1 : n.state === 'failed' ? 2 : n.state === 'queued' ? 3 : 4);
    for (const n of shown) buckets[rank(n)]!.push(n);
    shown = buckets.flat();
  }
  const rest = zeroCounts();
  for (const n of shown) rest[n.state]++;
  const line: Segment[] = [];
  const cells: Array<{ id: TargetId; x: number }> = [];
  let x = 0;
  let i = 0;
  for (; i < shown.length; i++) {
    const n = shown[i]!;
    rest[n.state]--;
    const left = shown.length - i - 1;
    const restWidth = left > 0 ? 2 + lineWidth(tally(rest, left)) : 0;
    const cell = cellSegments(n, now, n.id === selected, naming);
    const w = lineWidth(cell);
    const sep = i > 0 ? 1 : 0;
    if (x + sep + w + restWidth > columns) {
      rest[n.state]++;
      // The first cell is cut rather than dropped: a row never shows only a count.
      if (i === 0) {
        rest[n.state]--;
        const cut = fit(cell, Math.max(1, columns - restWidth));
        line.push(...cut);
        cells.push({ id: n.id, x: 0 });
        x = lineWidth(cut);
        i++;
      }
      break;
    }
    if (sep) line.push(seg(' '));
    cells.push({ id: n.id, x: x + sep });
    line.push(...cell);
    x += sep + w;
  }
  if (i < shown.length) line.push(seg('  '), ...tally(rest, shown.length - i));
  return { line, cells };
}

function zeroCounts(): Record<NodeState, number> {
  return { pending: 0, queued: 0, running: 0, cached: 0, done: 0, failed: 0, skipped: 0, aborted: 0 };
}

/** `+12 ✓5 ·7`: how many are not drawn, by state. */
function tally(counts: Record<NodeState, number>, total: number): Segment[] {
  const out: Segment[] = [seg(`+${total}`, 'dim')];
  for (const s of COUNT_ORDER) if (counts[s] > 0) out.push(seg(` ${GLYPH[s]}${counts[s]}`, STATE_STYLE[s]));
  return out;
}

/** `›● squashfs 12s 43%`: the selection mark (a space when not), state, name, time, share. */
function cellSegments(n: NodeView, now: number, isSelected: boolean, naming: 'label' | 'id'): Segment[] {
  const name = naming === 'label' ? n.label : n.id;
  const time = cellTime(n, now);
  const pct = n.state === 'running' && n.progress?.fraction !== undefined ? ` ${Math.floor(n.progress.fraction * 100)}%` : '';
  const body: Segment[] = [seg(GLYPH[n.state], STATE_STYLE[n.state]), seg(` ${name}`, n.state === 'pending' || n.state === 'skipped' ? 'dim' : undefined)];
  if (time) body.push(seg(` ${time}`, 'dim'));
  if (pct) body.push(seg(pct, 'cyan'));
  if (!isSelected) return [seg(' '), ...body];
  return [seg('›', 'bold'), ...body.map((s) => seg(s.text, 'inverse'))];
}

function cellWidth(n: NodeView, now: number, naming: 'label' | 'id'): number {
  return lineWidth(cellSegments(n, now, false, naming));
}

function cellTime(n: NodeView, now: number): string {
  if (n.state === 'running' && n.startedAt !== undefined) return clock(now - n.startedAt);
  if ((n.state === 'done' || n.state === 'failed' || n.state === 'aborted') && n.durationMs !== undefined) return clock(n.durationMs);
  return '';
}

/**
 * Too many layers for the rows: counts per image, then the failed targets and the selection;
 * the running ones follow as the output's titles.
 */
function compact(input: ScreenInput, room: number, selected: TargetId | undefined): Section {
  const { model, columns } = input;
  const lines: Line[] = [];
  const cells: Cell[] = [];
  const wanted: TargetId[] = [...model.failed];
  if (selected && !wanted.includes(selected) && !model.running.has(selected)) wanted.push(selected);
  const groupLines = model.groups.length > 1 && model.groups.length <= Math.floor(room / 2) ? model.groups.length : 0;
  for (const g of model.groups.slice(0, groupLines)) lines.push([seg(' '.repeat(INDENT)), ...groupTitle(model, g), seg('  '), ...groupCounts(model, g)]);
  const fitting = Math.max(0, room - lines.length);
  const shown = wanted.length > fitting ? wanted.slice(0, Math.max(0, fitting - 1)) : wanted;
  for (const id of shown) {
    const n = model.nodes.get(id)!;
    cells.push({ id, row: lines.length, x: INDENT });
    const extra: Segment[] = n.failure ? [seg(` ${firstLine(n.failure.message)}`, 'red')] : [];
    lines.push(fit([seg(' '.repeat(INDENT - 1)), ...cellSegments(n, input.now, id === selected, 'id'), ...extra], columns));
  }
  if (shown.length < wanted.length) lines.push([seg(' '.repeat(INDENT)), seg(`+${wanted.length - shown.length} more`, 'dim')]);
  return { lines, cells, mode: 'compact' };
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

export function firstLine(s: string): string {
  return s.split('\n', 1)[0] ?? '';
}

export type Direction = 'up' | 'down' | 'left' | 'right';

/**
 * The cell an arrow key moves to: left and right go through the cells in reading order, up
 * and down to the nearest cell of the nearest row above or below. With nothing selected, any
 * key selects the first running cell, or else the first one.
 */
export function move(cells: readonly Cell[], selected: TargetId | undefined, dir: Direction, model: LiveModel): TargetId | undefined {
  if (cells.length === 0) return selected;
  const at = cells.findIndex((c) => c.id === selected);
  if (at < 0) return (cells.find((c) => model.nodes.get(c.id)?.state === 'running') ?? cells[0]!).id;
  const here = cells[at]!;
  if (dir === 'left') return cells[Math.max(0, at - 1)]!.id;
  if (dir === 'right') return cells[Math.min(cells.length - 1, at + 1)]!.id;
  const candidates = cells.filter((c) => (dir === 'up' ? c.row < here.row : c.row > here.row));
  if (candidates.length === 0) return here.id;
  const row = dir === 'up' ? Math.max(...candidates.map((c) => c.row)) : Math.min(...candidates.map((c) => c.row));
  return candidates.filter((c) => c.row === row).reduce((a, b) => (Math.abs(b.x - here.x) < Math.abs(a.x - here.x) ? b : a)).id;
}

