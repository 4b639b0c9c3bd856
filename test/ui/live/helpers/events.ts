// Builds for the live UI's tests: graphs shaped like the real ones (an image's stages, plain
// targets) and the engine events of a build, with times the test chooses.

import type { EngineEvent } from '../../../../src/core/events.ts';
import { digest, targetId, type TargetId } from '../../../../src/core/ids.ts';
import type { LiveNode } from '../../../../src/ui/live/graph-layers.ts';
import { LiveModel } from '../../../../src/ui/live/model.ts';

export const id = targetId;
const D = digest('0'.repeat(64));

/** The stages of `<name>.iso`, as src/image/plan.ts names them. */
export function imageGraph(name: string): LiveNode[] {
  const s = (stage: string) => id(`${name}/${stage}`);
  return [
    { id: s('bootstrap'), deps: [] },
    { id: s('packages'), deps: [s('bootstrap')] },
    { id: s('overlay'), deps: [s('packages')] },
    { id: s('hooks'), deps: [s('overlay')] },
    { id: s('cleanup'), deps: [s('hooks')] },
    { id: s('squashfs'), deps: [s('cleanup')] },
    { id: s('boot-files'), deps: [s('cleanup')] },
    { id: id(`${name}.iso`), deps: [s('squashfs'), s('boot-files')] },
  ];
}

export const ev = {
  buildStarted: (targets: readonly TargetId[], time = 0): EngineEvent => ({ type: 'build-started', time, targets, jobs: 2 }),
  queued: (t: string, time = 0): EngineEvent => ({ type: 'queued', target: id(t), time }),
  started: (t: string, time: number, logPath = `/logs/${t.replaceAll('/', '__')}.log`, reasons = ['no previous build']): EngineEvent => ({
    type: 'started',
    target: id(t),
    time,
    reasons,
    logPath,
  }),
  output: (t: string, text: string, time = 0): EngineEvent => ({ type: 'output', target: id(t), time, stream: 'stdout', text }),
  progress: (t: string, label: string, fraction?: number, time = 0): EngineEvent => ({
    type: 'progress',
    target: id(t),
    time,
    label,
    ...(fraction !== undefined && { fraction }),
  }),
  cached: (t: string, time = 0): EngineEvent => ({ type: 'cached', target: id(t), time, digest: D }),
  succeeded: (t: string, time: number, durationMs: number, unchanged = false): EngineEvent => ({
    type: 'succeeded',
    target: id(t),
    time,
    digest: D,
    durationMs,
    unchanged,
  }),
  failed: (t: string, time: number, durationMs: number, message = 'sh exited with 1', tail: string[] = []): EngineEvent => ({
    type: 'failed',
    target: id(t),
    time,
    reason: 'recipe-failed',
    message,
    exitCode: 1,
    tail,
    logPath: `/logs/${t.replaceAll('/', '__')}.log`,
    durationMs,
  }),
  skipped: (t: string, cause?: string, time = 0): EngineEvent => ({
    type: 'skipped',
    target: id(t),
    time,
    reason: cause ? 'prerequisite-failed' : 'build-stopped',
    ...(cause && { cause: id(cause) }),
  }),
  aborted: (t: string, time: number, durationMs: number): EngineEvent => ({ type: 'aborted', target: id(t), time, durationMs }),
  buildFinished: (time: number, o: { ok?: boolean; interrupted?: boolean; counts?: Partial<Record<'cached' | 'succeeded' | 'failed' | 'skipped' | 'aborted', number>> } = {}): EngineEvent => ({
    type: 'build-finished',
    time,
    ok: o.ok ?? true,
    interrupted: o.interrupted ?? false,
    durationMs: time,
    counts: { cached: 0, succeeded: 0, failed: 0, skipped: 0, aborted: 0, ...o.counts },
  }),
};

export function modelOf(graph: readonly LiveNode[], events: readonly EngineEvent[], expected: Record<string, number> = {}): LiveModel {
  const m = new LiveModel(graph, new Map(Object.entries(expected).map(([k, v]) => [id(k), v])));
  for (const e of events) m.apply(e);
  return m;
}

/**
 * server-mini half built: bootstrap and packages cached, overlay and hooks built, cleanup
 * running with output and progress; squashfs, boot-files and the iso pending.
 */
export function midBuild(): { graph: LiveNode[]; events: EngineEvent[] } {
  const graph = imageGraph('server-mini');
  const events = [
    ev.buildStarted(graph.map((n) => n.id)),
    ev.cached('server-mini/bootstrap', 100),
    ev.cached('server-mini/packages', 200),
    ev.queued('server-mini/overlay', 200),
    ev.started('server-mini/overlay', 300),
    ev.succeeded('server-mini/overlay', 1300, 1000),
    ev.queued('server-mini/hooks', 1300),
    ev.started('server-mini/hooks', 1300),
    ev.succeeded('server-mini/hooks', 4300, 3000),
    ev.queued('server-mini/cleanup', 4300),
    ev.started('server-mini/cleanup', 4300),
    ev.output('server-mini/cleanup', 'removing machine-id\nwriting hostname\n'),
    ev.progress('server-mini/cleanup', 'fixing shadow dates', 0.42),
  ];
  return { graph, events };
}
