// How a target's state is drawn: its mark and colour, and counts of targets by state (the
// header's, an image folded to one line, the rest of a row that does not fit).

import type { NodeState } from './model.ts';
import { seg, type Segment, type Style } from './paint.ts';

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

/** `● 2 running  ✓ 5 done`, or without the words: `●2 ✓5`. Zero counts are left out. */
export function countsLine(counts: Record<NodeState, number>, short: boolean): Segment[] {
  const out: Segment[] = [];
  for (const s of COUNT_ORDER) {
    if (counts[s] === 0) continue;
    if (out.length > 0) out.push(seg(short ? ' ' : '  '));
    out.push(seg(short ? `${GLYPH[s]}${counts[s]}` : `${GLYPH[s]} ${counts[s]} ${s}`, STATE_STYLE[s]));
  }
  return out;
}

/** `+12 ✓5 ·7`: how many are not drawn, by state. */
export function tally(counts: Record<NodeState, number>, total: number): Segment[] {
  const out: Segment[] = [seg(`+${total}`, 'dim')];
  for (const s of COUNT_ORDER) if (counts[s] > 0) out.push(seg(` ${GLYPH[s]}${counts[s]}`, STATE_STYLE[s]));
  return out;
}
