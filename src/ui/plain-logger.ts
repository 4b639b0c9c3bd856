// The plain logger: one line per state change, for CI logs and pipes. No colour, no cursor
// movement; the line order is the event order.

import { formatMs } from './format.ts';
import { unreachable, type EngineEvent } from '../core/events.ts';

export interface PlainLoggerOptions {
  readonly write: (line: string) => void;
  /** Print every reason a target runs (--explain), not only the first. */
  readonly explain?: boolean;
  /** Print the recipes' output as it comes. */
  readonly verbose?: boolean;
}

export function plainLogger(o: PlainLoggerOptions): (e: EngineEvent) => void {
  let start = Date.now();
  const line = (time: number, state: string, rest: string) =>
    o.write(`[${formatMs(time - start).padStart(7)}] ${state.padEnd(8)} ${rest}`);
  return (e) => {
    switch (e.type) {
      case 'build-started':
        start = e.time;
        o.write(`building ${e.targets.length} target${e.targets.length === 1 ? '' : 's'} with ${e.jobs} job slot${e.jobs === 1 ? '' : 's'}`);
        return;
      case 'queued':
        return line(e.time, 'queued', e.target);
      case 'started':
        line(e.time, 'started', `${e.target} (${e.reasons[0] ?? 'no reason'}${e.reasons.length > 1 && !o.explain ? `, +${e.reasons.length - 1} more` : ''})`);
        if (o.explain) for (const r of e.reasons) o.write(`          explain  ${e.target}: ${r}`);
        return;
      case 'output':
        if (o.verbose) for (const l of e.text.replace(/\n$/, '').split('\n')) o.write(`          ${e.target}| ${l}`);
        return;
      case 'progress':
        // A figure for live displays: in a log it would be a line per percent, and --verbose
        // already prints the tool output it was read from.
        return;
      case 'cached':
        return line(e.time, 'cached', e.target);
      case 'succeeded':
        return line(e.time, 'done', `${e.target} in ${formatMs(e.durationMs)}${e.unchanged ? ' (output unchanged)' : ''}`);
      case 'failed': {
        line(e.time, 'FAILED', `${e.target}: ${e.message.split('\n')[0]}${e.hint ? ` (hint: ${e.hint})` : ''}`);
        for (const l of e.tail) o.write(`          ${e.target}| ${l}`);
        if (e.logPath) o.write(`          full log: ${e.logPath}`);
        return;
      }
      case 'skipped':
        return line(e.time, 'skipped', `${e.target} (${e.reason === 'prerequisite-failed' ? `${e.cause} failed` : e.reason})`);
      case 'aborted':
        return line(e.time, 'aborted', `${e.target} after ${formatMs(e.durationMs)}`);
      case 'build-finished': {
        const c = e.counts;
        const verdict = e.interrupted ? 'build INTERRUPTED' : e.ok ? 'build ok' : 'build FAILED';
        o.write(`${verdict}: ${c.succeeded} built, ${c.cached} cached, ${c.failed} failed, ${c.skipped} skipped, ${c.aborted} aborted in ${formatMs(e.durationMs)}`);
        return;
      }
      default:
        unreachable(e);
    }
  };
}
