// The plain logger: one line per state change, for CI logs and pipes, and for a running
// target a line per new phase of its tool and a heartbeat (plain-progress.ts). No colour, no
// cursor movement; the line order is the event order.

import { formatMs } from './format.ts';
import { realClock, RunningTargets, TICK_MS, type PlainClock } from './plain-progress.ts';
import { unreachable, type EngineEvent } from '../core/events.ts';

export interface PlainLoggerOptions {
  readonly write: (line: string) => void;
  /** Print every reason a target runs (--explain), not only the first. */
  readonly explain?: boolean;
  /** Print the recipes' output as it comes. */
  readonly verbose?: boolean;
  /** The heartbeat's clock (a test's fake one). */
  readonly clock?: PlainClock;
}

export function plainLogger(o: PlainLoggerOptions): (e: EngineEvent) => void {
  const clock = o.clock ?? realClock;
  let start = clock.now();
  const line = (time: number, state: string, rest: string) =>
    o.write(`[${formatMs(time - start).padStart(7)}] ${state.padEnd(8)} ${rest}`);
  const running = new RunningTargets();
  let stopHeartbeat: (() => void) | undefined;
  const heartbeat = () => {
    for (const p of running.heartbeat(clock.now())) line(p.time, 'running', `${p.target} ${p.text}`);
  };
  return (e) => {
    switch (e.type) {
      case 'build-started':
        start = e.time;
        stopHeartbeat?.();
        stopHeartbeat = clock.every(TICK_MS, heartbeat);
        o.write(`building ${e.targets.length} target${e.targets.length === 1 ? '' : 's'} with ${e.jobs} job slot${e.jobs === 1 ? '' : 's'}`);
        return;
      case 'queued':
        return line(e.time, 'queued', e.target);
      case 'started':
        running.started(e.target, e.time);
        line(e.time, 'started', `${e.target} (${e.reasons[0] ?? 'no reason'}${e.reasons.length > 1 && !o.explain ? `, +${e.reasons.length - 1} more` : ''})`);
        if (o.explain) for (const r of e.reasons) o.write(`          explain  ${e.target}: ${r}`);
        return;
      case 'output':
        if (o.verbose) for (const l of e.text.replace(/\n$/, '').split('\n')) o.write(`          ${e.target}| ${l}`);
        return;
      case 'warning':
        return line(e.time, 'warning', `${e.target}: ${e.message}`);
      case 'progress': {
        // Not a line per percent: a line when the tool starts something new; the heartbeat
        // says how far it is in between.
        const p = running.progress(e);
        if (p) line(p.time, 'running', `${p.target} ${p.text}`);
        return;
      }
      case 'cached':
        return line(e.time, 'cached', e.target);
      case 'succeeded':
        running.ended(e.target);
        return line(e.time, 'done', `${e.target} in ${formatMs(e.durationMs)}${e.unchanged ? ' (output unchanged)' : ''}`);
      case 'failed': {
        running.ended(e.target);
        line(e.time, 'FAILED', `${e.target}: ${e.message.split('\n')[0]}${e.hint ? ` (hint: ${e.hint})` : ''}`);
        for (const l of e.tail) o.write(`          ${e.target}| ${l}`);
        if (e.logPath) o.write(`          full log: ${e.logPath}`);
        return;
      }
      case 'skipped':
        return line(e.time, 'skipped', `${e.target} (${e.reason === 'prerequisite-failed' ? `${e.cause} failed` : e.reason})`);
      case 'aborted':
        running.ended(e.target);
        return line(e.time, 'aborted', `${e.target} after ${formatMs(e.durationMs)}`);
      case 'build-finished': {
        stopHeartbeat?.();
        stopHeartbeat = undefined;
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
