// The last thing the live UI draws, and what stays in the terminal: the verdict with built
// and cached counts and the total time, the critical path (the chain that set the build's
// length, weighed with this build's durations), each failure with its last lines and log,
// and the outputs with their sizes. In fewer rows, the least useful lines go first.

import type { TargetId } from '../../core/ids.ts';
import { formatBytes } from '../format.ts';
import { longestChain } from './critical-path.ts';
import type { LiveModel } from './model.ts';
import { seg, type Line, type Segment } from './paint.ts';
import { clock, padEnd, truncate, truncateStart, width } from './text.ts';

/** Lines of a failure's output in the summary. */
const FAILURE_TAIL = 3;

export interface CriticalPath {
  readonly ms: number;
  readonly path: readonly TargetId[];
}

/** The chain of this build's targets that took longest; cached ones weigh nothing. */
export function criticalPath(model: LiveModel): CriticalPath {
  const chain = longestChain(
    model.order,
    (id) => model.nodes.get(id)!.deps,
    (id) => {
      const n = model.nodes.get(id)!;
      return n.state === 'done' || n.state === 'failed' || n.state === 'aborted' ? (n.durationMs ?? 0) : 0;
    },
  );
  // Leading targets that took no time (cached) are no part of what took long.
  const path = [...chain.path];
  while (path.length > 1 && (model.nodes.get(path[0]!)!.durationMs ?? 0) === 0) path.shift();
  return { ms: chain.ms, path };
}

/** `server-mini: overlay → hooks → iso` when one image holds the whole chain, else the ids. */
function describePath(model: LiveModel, path: readonly TargetId[]): string {
  const nodes = path.map((id) => model.nodes.get(id)!);
  const group = nodes[0]?.group;
  if (group && nodes.every((n) => n.group === group)) return `${group}: ${nodes.map((n) => n.label).join(' → ')}`;
  return path.join(' → ');
}

export function summaryLines(model: LiveModel, columns: number, maxLines: number): Line[] {
  const c = model.counts;
  const f = model.build?.finished;
  const verdict: Segment[] = [];
  if (f) {
    const [glyph, text, style] = f.interrupted ? (['!', 'build interrupted', 'magenta'] as const) : f.ok ? (['✓', 'build ok', 'green'] as const) : (['✗', 'build failed', 'red'] as const);
    verdict.push(seg(`${glyph} ${text}`, [style, 'bold']), seg(` in ${clock(f.durationMs)}: `));
  } else {
    verdict.push(seg('build ended: '));
  }
  const parts = [`${c.done} built`, `${c.cached} cached`];
  for (const s of ['failed', 'skipped', 'aborted'] as const) if (c[s] > 0) parts.push(`${c[s]} ${s}`);
  verdict.push(seg(parts.join(', ')));

  const critical = criticalPath(model);
  const criticalHead = `  critical path ${clock(critical.ms)}: `;
  const criticalLine: Line | undefined =
    critical.ms > 0 ? [seg(criticalHead, 'dim'), seg(truncate(describePath(model, critical.path), Math.max(1, columns - width(criticalHead))))] : undefined;

  const failures: Array<{ head: Line; rest: Line[] }> = model.failed.map((id) => {
    const n = model.nodes.get(id)!;
    const message = n.failure?.message.split('\n', 1)[0] ?? '';
    const head: Line = [seg('✗ ', 'red'), seg(id, 'bold'), seg(`: ${message}`), ...(n.failure?.hint ? [seg(` (${n.failure.hint})`, 'dim')] : [])];
    const rest: Line[] = (n.failure?.tail ?? []).slice(-FAILURE_TAIL).map((l) => [seg(`    ${l}`, 'dim')]);
    if (n.logPath) rest.push([seg('    log: ', 'dim'), seg(truncateStart(n.logPath, Math.max(1, columns - 9)))]);
    return { head, rest };
  });

  const pathWidth = Math.min(Math.max(0, ...model.outputs.map((o) => width(o.path))), Math.max(10, columns - 12));
  const outputs: Line[] = model.outputs.map((o) => [seg('  '), seg(padEnd(truncateStart(o.path, pathWidth), pathWidth)), seg(`  ${formatBytes(o.bytes)}`, 'dim')]);

  const warnings: Line[] = model.warnings.map((w) => [seg('! ', 'yellow'), seg(w.target, 'bold'), seg(`: ${truncate(w.message, Math.max(1, columns - width(w.target) - 4))}`)]);

  // Least useful first out: failure tails, the critical path, then warnings, whole failures and outputs.
  let withTails = true;
  let warningsShown = warnings.length;
  let withCritical = criticalLine !== undefined;
  let failuresShown = failures.length;
  let outputsShown = outputs.length;
  const count = () =>
    1 +
    (withCritical ? 1 : 0) +
    failures.slice(0, failuresShown).reduce((a, x) => a + 1 + (withTails ? x.rest.length : 0), 0) +
    (failuresShown < failures.length ? 1 : 0) +
    warningsShown +
    (warningsShown < warnings.length ? 1 : 0) +
    outputsShown +
    (outputsShown < outputs.length ? 1 : 0);
  if (count() > maxLines) withTails = false;
  if (count() > maxLines) withCritical = false;
  while (count() > maxLines && warningsShown > 0) warningsShown--;
  while (count() > maxLines && failuresShown > 1) failuresShown--;
  while (count() > maxLines && outputsShown > 0) outputsShown--;

  const lines: Line[] = [verdict];
  if (withCritical) lines.push(criticalLine!);
  for (const x of failures.slice(0, failuresShown)) lines.push(x.head, ...(withTails ? x.rest : []));
  if (failuresShown < failures.length) lines.push([seg(`  +${failures.length - failuresShown} more failed`, 'red')]);
  lines.push(...warnings.slice(0, warningsShown));
  if (warningsShown < warnings.length) lines.push([seg(`  +${warnings.length - warningsShown} more warnings (in the logs)`, 'yellow')]);
  lines.push(...outputs.slice(0, outputsShown));
  if (outputsShown < outputs.length) lines.push([seg(`  +${outputs.length - outputsShown} more outputs`, 'dim')]);
  return lines.slice(0, Math.max(1, maxLines));
}
