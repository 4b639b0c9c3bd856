// The targets drawn on screen, where the arrow keys can move, and how they move.

import type { TargetId } from '../../core/ids.ts';
import type { LiveModel } from './model.ts';

/** A target drawn on screen, where the arrow keys can move to it. */
export interface Cell {
  readonly id: TargetId;
  readonly row: number;
  readonly x: number;
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
