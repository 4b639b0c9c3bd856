// Steps of package builds run before the lock is written, by the engine, with the same targets
// and state a build has (so that the build then finds them cached):
// - local sources, before the lock of an image that installs them: their binaries'
//   dependencies (dpkg-shlibdeps's, debhelper's) are known only once they are built, and the
//   lock pins those; what the lock needs of them is their repository's index;
// - what the lock of a source's build dependencies needs: its Build-Depends as our patches
//   leave them, the build chroot, and the builds it is built against (project-lock.ts).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { build } from '../core/engine.ts';
import type { EngineEvent, Failed } from '../core/events.ts';
import { TargetGraph } from '../core/graph.ts';
import { targetId } from '../core/ids.ts';
import { parseState } from '../core/state.ts';
import { LocalStore } from '../cache/local-store.ts';
import { POOL_DIR } from '../archive/pool.ts';
import type { LocalRepo } from '../image/lock-resolve.ts';
import { packageBuildConfigs, packageTargets } from '../package/plan.ts';
import { packageStepId } from '../package/step.ts';
import type { PackageRunner } from './build-deps-lock.ts';
import type { LocalPrebuild } from './project-lock.ts';
import { formatMs } from '../ui/format.ts';
import { engineStore } from './store-port.ts';

export interface PrebuildContext {
  /** The project's root (the engine's) and its state's key. */
  readonly root: string;
  readonly stateKey: string;
  readonly storeRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly jobs: number;
  /** The images' SOURCE_DATE_EPOCH (the build chroot is clamped to it: the same chroot as the image build's). */
  readonly sourceDateEpoch: number;
  /** Told what is built first, and how it went. */
  readonly say: (d: Diagnostic) => void;
  /** --offline: what the steps fetch must be in the pool already. */
  readonly offline?: boolean;
  /** Told the engine's events of each target (not of the runs as wholes): a build's --json and log show what ran before the lock too. */
  readonly emit?: (e: EngineEvent) => void;
}

/** The engine on the package targets of `configs`, for `goals`; a failure is one line at the declaration, with the build's last lines. */
export function packageRunner(p: PrebuildContext): PackageRunner {
  return async (configs, goals, signal, use) => {
    const graph = TargetGraph.build(packageTargets(configs, { dir: join(p.storeRoot, POOL_DIR), offline: p.offline ?? false }));
    if (!graph.ok) return fail(graph.error);
    const interrupted = () => fail<Diagnostic>({ message: `interrupted while building ${goals.join(', ')} before the lock` });
    const store = await LocalStore.open(p.storeRoot);
    try {
      const release = await store.acquireShared(signal).catch((e: unknown) => {
        if (signal.aborted) return undefined;
        throw e;
      });
      if (!release) return interrupted();
      const port = engineStore(store);
      const failures: Failed[] = [];
      try {
        const result = await build({
          graph: graph.value,
          goals: goals.map(targetId),
          root: p.root,
          previous: parseState(store.readState(p.stateKey)),
          env: p.env,
          store: port,
          logsDir: join(store.logsDir, p.stateKey),
          jobs: p.jobs,
          emit: (e: EngineEvent) => {
            if (e.type === 'failed') failures.push(e);
            if (e.type !== 'build-started' && e.type !== 'build-finished') p.emit?.(e);
          },
          signal,
        });
        if (result.stateChanged) store.writeState(p.stateKey, result.state);
        if (result.interrupted) return interrupted();
        const failed = failures[0];
        if (failed) {
          const at = configs.find((c) => failed.target.startsWith(packageStepId(c.name)))?.at;
          const tail = failed.tail.slice(-3).join(' | ');
          return fail({ message: `${failed.target}: ${failed.message.split('\n')[0]}${tail ? ` (last lines: ${tail})` : ''}`, ...(at && { at }), hint: failed.hint ?? (failed.logPath ? `full log: ${failed.logPath}` : 'see the log') });
        }
        const dirs = new Map<string, string>();
        for (const goal of goals) {
          const digest = result.outcomes.get(targetId(goal))?.digest;
          if (!digest) return fail({ message: `${goal} was not built` });
          dirs.set(goal, store.treePath(digest));
        }
        const ran = [...result.outcomes.values()].filter((o) => o.status === 'succeeded').length;
        return await use({ dirs, ran, total: result.outcomes.size });
      } finally {
        await port.dispose();
        await release();
      }
    } finally {
      await store.dispose();
    }
  };
}

export function localPrebuild(p: PrebuildContext, run: PackageRunner): LocalPrebuild {
  return async (builds, target, signal, pin) => {
    const planned = packageBuildConfigs({ builds: new Map(builds.map((b) => [b.decl.source, b])), locked: new Map(), ...target, sourceDateEpoch: p.sourceDateEpoch });
    const configs = await pin(planned);
    if (!configs.ok) return configs;
    const names = configs.value.map((c) => c.name).join(', ');
    p.say({ message: `package ${names}: built before the lock of the images that install it (the lock pins what its binaries depend on)` });
    const started = Date.now();
    return run(configs.value, configs.value.map((c) => packageStepId(c.name)), signal, async ({ dirs, ran, total }) => {
      const repos: LocalRepo[] = [];
      for (const c of configs.value) {
        const dir = dirs.get(packageStepId(c.name))!;
        repos.push({ build: c.name, binaries: c.source.binaries, ...(c.at && { at: c.at }), packages: await readFile(join(dir, 'Packages'), 'utf8'), release: await readFile(join(dir, 'Release'), 'utf8') });
      }
      p.say({ message: `package ${names}: ${ran === 0 ? 'found built in the store' : `built in ${formatMs(Date.now() - started)} (${ran} of ${total} steps ran)`}` });
      return ok(repos);
    });
  };
}
