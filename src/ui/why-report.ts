// `mkimage why`'s text: for each target a goal needs, what made it run the last time it ran,
// read from what the builds kept. Pure: rows in, lines out.

import type { LastRun } from '../core/state.ts';
import { formatMs } from './format.ts';

export interface WhyRow {
  readonly target: string;
  readonly run?: LastRun;
  /** The target has an output in the last build's state (it was built or found cached). */
  readonly built: boolean;
}

export interface WhyReport {
  /** The goals as named (`server-mini.iso`). */
  readonly goals: readonly string[];
  /** When the last build that ran anything started; undefined: no build is recorded. */
  readonly lastBuild?: number;
  readonly rows: readonly WhyRow[];
  /** Formats a time of day (local time in the CLI, fixed in tests). */
  readonly time: (ms: number) => string;
}

const OUTCOME: Record<LastRun['outcome'], string> = { succeeded: 'ran', failed: 'failed', aborted: 'stopped' };

export function whyLines(r: WhyReport): string[] {
  if (r.lastBuild === undefined) return [`${r.goals.join(' ')}: no build recorded in this store yet`];
  const width = Math.max(...r.rows.map((row) => row.target.length));
  const lines = [`${r.goals.join(' ')}: the last build that ran anything started ${r.time(r.lastBuild)}`];
  for (const row of r.rows) {
    const name = row.target.padEnd(width);
    const run = row.run;
    if (!run) {
      lines.push(`  ${name}  ${row.built ? '-        built before runs were recorded' : 'never ran'}`);
      continue;
    }
    // Not run in the last build that ran anything: cached in it, or not part of it.
    const inLast = run.at >= r.lastBuild;
    const status = inLast ? OUTCOME[run.outcome] : '-';
    const when = inLast ? '' : `last ${OUTCOME[run.outcome]} ${r.time(run.at)}, `;
    const same = run.unchanged ? ', same output as before' : '';
    lines.push(`  ${name}  ${status.padEnd(7)}  ${when}${formatMs(run.durationMs)}${same}: ${run.reasons[0] ?? 'no reason kept'}`);
    for (const reason of run.reasons.slice(1)) lines.push(`  ${' '.repeat(width)}  ${' '.repeat(7)}  ${' '.repeat(when.length)}and ${reason}`);
  }
  return lines;
}

/** `2026-12-02 00:10:11` in the machine's time zone. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
