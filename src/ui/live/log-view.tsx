// The full log of one target, a screen of it at a time: a title with the path and the keys,
// the lines, and where in the log the view is.

import type { LogFile, LogScroll } from './log-file.ts';
import { logWindow, topLine } from './log-file.ts';
import { Lines } from './lines.tsx';
import { fit, seg, type Line, type Painter } from './paint.ts';
import { truncateStart } from './text.ts';

export interface LogViewProps {
  readonly target: string;
  /** Undefined when the target has no log in this build (it did not run). */
  readonly file: LogFile | undefined;
  readonly scroll: LogScroll;
  readonly columns: number;
  readonly rows: number;
  readonly paint: Painter;
}

/** Rows the title and the status line take: the log gets the rest. */
export const LOG_CHROME_ROWS = 2;

export function logHeight(rows: number): number {
  return Math.max(1, rows - 1 - LOG_CHROME_ROWS);
}

export function LogView({ target, file, scroll, columns, rows, paint }: LogViewProps) {
  const height = logHeight(rows);
  const title: Line = [seg('log ', 'dim'), seg(target, 'bold'), ...(file ? [seg(` ${truncateStart(file.path, Math.max(1, columns - target.length - 6))}`, 'dim')] : [])];
  const lines: Line[] = [fit(title, columns)];
  if (!file) {
    lines.push([seg('no log: the target did not run in this build', 'dim')]);
  } else if (file.error) {
    lines.push([seg(`cannot read the log: ${file.error}`, 'red')]);
  } else {
    const all = file.lines();
    const body = logWindow(all, height, columns, scroll);
    lines.push(...body);
    for (let i = body.length; i < height; i++) lines.push([]);
    const top = topLine(all.length, height, scroll);
    const where = all.length === 0 ? 'empty' : `lines ${top + 1}-${Math.min(all.length, top + height)} of ${all.length}${scroll.follow ? ', following' : ''}`;
    lines.push(fit([seg(where, 'dim'), seg('  ↑↓ PgUp PgDn g G  esc/q back', 'dim')], columns));
  }
  return <Lines lines={lines} paint={paint} />;
}
