// What each key does, as a pure function of the UI's state: the component only feeds keys in
// and acts on `quit`. Graph: arrows select, enter or l opens the selected target's log, q or
// Ctrl-C quits. Log: arrows, j/k, PgUp/PgDn (b/space), g/G (Home/End) scroll; esc, q or ←
// go back; Ctrl-C still quits.

import type { TargetId } from '../../core/ids.ts';
import { scrollBy, type LogScroll } from './log-file.ts';
import type { LiveModel } from './model.ts';
import { move, type Cell, type Direction } from './cells.ts';

export type UiView = { readonly kind: 'graph' } | { readonly kind: 'log'; readonly target: TargetId; readonly scroll: LogScroll };

export interface UiState {
  readonly selected?: TargetId | undefined;
  readonly view: UiView;
  /** q was pressed: the owner is stopping the build. */
  readonly stopping: boolean;
}

export const initialUi: UiState = { view: { kind: 'graph' }, stopping: false };

/** The part of ink's Key this reads. */
export interface KeyPress {
  readonly upArrow: boolean;
  readonly downArrow: boolean;
  readonly leftArrow: boolean;
  readonly rightArrow: boolean;
  readonly pageUp: boolean;
  readonly pageDown: boolean;
  readonly home: boolean;
  readonly end: boolean;
  readonly return: boolean;
  readonly escape: boolean;
  readonly ctrl: boolean;
}

export interface KeyContext {
  readonly model: LiveModel;
  /** The cells of the graph screen as last drawn. */
  readonly cells: readonly Cell[];
  /** Lines of the open log, and how many the view shows. */
  readonly logLines: number;
  readonly logHeight: number;
}

export function onKey(s: UiState, input: string, key: KeyPress, ctx: KeyContext): { state: UiState; quit: boolean } {
  const stay = { state: s, quit: false };
  if (key.ctrl && input === 'c') return { state: { ...s, stopping: true }, quit: true };
  const v = s.view;
  if (v.kind === 'log') {
    const to = (scroll: LogScroll) => ({ state: { ...s, view: { ...v, scroll } }, quit: false });
    const by = (delta: number) => to(scrollBy(ctx.logLines, ctx.logHeight, v.scroll, delta));
    if (key.escape || input === 'q' || key.leftArrow) return { state: { ...s, view: { kind: 'graph' } }, quit: false };
    if (key.upArrow || input === 'k') return by(-1);
    if (key.downArrow || input === 'j') return by(1);
    if (key.pageUp || input === 'b') return by(-ctx.logHeight);
    if (key.pageDown || input === ' ') return by(ctx.logHeight);
    if (key.home || input === 'g') return to({ follow: false, top: 0 });
    if (key.end || input === 'G') return to({ follow: true });
    return stay;
  }
  if (input === 'q') return { state: { ...s, stopping: true }, quit: true };
  if (key.return || input === 'l') {
    // Nothing selected: the first failure's log, else the newest running one's.
    const target = s.selected ?? ctx.model.failed[0] ?? [...ctx.model.running].at(-1);
    if (!target) return stay;
    return { state: { ...s, selected: target, view: { kind: 'log', target, scroll: { follow: true } } }, quit: false };
  }
  const dir: Direction | undefined = key.upArrow ? 'up' : key.downArrow ? 'down' : key.leftArrow ? 'left' : key.rightArrow ? 'right' : undefined;
  if (dir) return { state: { ...s, selected: move(ctx.cells, s.selected, dir, ctx.model) }, quit: false };
  return stay;
}
