// The graph section of the screen: per image (side by side when they fit, else stacked), one
// row per layer, targets in one row can run at the same time. When it does not fit it degrades
// in steps: images with nothing left to do folded to one line; then a compact list of only the
// running, failed and selected targets. A row with more targets than fit shows the running
// and failed ones first and counts the rest.

import type { TargetId } from '../../core/ids.ts';
import type { Cell } from './cells.ts';
import { countsLine, GLYPH, STATE_STYLE, tally } from './glyphs.ts';
import { zeroCounts, type GroupView, type LiveModel, type NodeView } from './model.ts';
import { fit, lineWidth, seg, type Line, type Segment } from './paint.ts';
import { clock, firstLine } from './text.ts';

export const INDENT = 2;
const GAP = 2;
const MIN_COLUMN = 24;

/** How the graph is drawn: every layer; some images folded to a line; only a compact list. */
export type GraphMode = 'graph' | 'folded' | 'compact';

/** What the graph is drawn from: the model, the clock, the width. */
export interface GraphInput {
  readonly model: LiveModel;
  readonly now: number;
  readonly columns: number;
}

export interface Section {
  readonly lines: Line[];
  /** Rows relative to the section's first line. */
  readonly cells: Cell[];
  readonly mode: GraphMode;
}

export function graphSection(input: GraphInput, room: number, selected: TargetId | undefined): Section {
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

function sideBySide(input: GraphInput, columnWidth: number, selected: TargetId | undefined): Section {
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

function stacked(input: GraphInput, folded: ReadonlySet<string>, titled: boolean, selected: TargetId | undefined): Section {
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
  input: GraphInput,
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

/** `›● squashfs 12s 43%`: the selection mark (a space when not), state, name, time, share. */
export function cellSegments(n: NodeView, now: number, isSelected: boolean, naming: 'label' | 'id'): Segment[] {
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
function compact(input: GraphInput, room: number, selected: TargetId | undefined): Section {
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
