// Local sources built before the lock of an image that installs them: their binaries'
// dependencies (dpkg-shlibdeps's, debhelper's) are known only once they are built, and the
// lock pins those. The build is the engine's, with the same targets the image's build will
// have (so that one finds them cached), recorded in the project's state; what the lock needs
// of it is the repository's index.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { build } from '../core/engine.ts';
import type { EngineEvent, Failed } from '../core/events.ts';
import { TargetGraph } from '../core/graph.ts';
import { parseState } from '../core/state.ts';
import { LocalStore } from '../cache/local-store.ts';
import { POOL_DIR } from '../archive/pool.ts';
import type { LocalRepo } from '../image/lock-resolve.ts';
import { packageBuildConfigs, packageTargets } from '../package/plan.ts';
import { packageStepId } from '../package/step.ts';
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
}

export function localPrebuild(p: PrebuildContext): LocalPrebuild {
  return async (builds, target, signal) => {
    const configs = packageBuildConfigs({ builds: new Map(builds.map((b) => [b.decl.source, b])), locked: new Map(), ...target, sourceDateEpoch: p.sourceDateEpoch });
    const graph = TargetGraph.build(packageTargets(configs, { dir: join(p.storeRoot, POOL_DIR), offline: false }));
    if (!graph.ok) return fail(graph.error);
    const goals = configs.map((c) => packageStepId(c.name));
    const names = configs.map((c) => c.name).join(', ');
    p.say({ message: `package ${names}: built before the lock of the images that install it (the lock pins what its binaries depend on)` });
    const started = Date.now();
    const store = await LocalStore.open(p.storeRoot);
    try {
      const release = await store.acquireShared(signal).catch((e: unknown) => {
        if (signal.aborted) return undefined;
        throw e;
      });
      if (!release) return fail({ message: `interrupted while building ${names}` });
      const port = engineStore(store);
      const failures: Failed[] = [];
      try {
        const result = await build({
          graph: graph.value,
          goals,
          root: p.root,
          previous: parseState(store.readState(p.stateKey)),
          env: p.env,
          store: port,
          logsDir: join(store.logsDir, p.stateKey),
          jobs: p.jobs,
          emit: (e: EngineEvent) => void (e.type === 'failed' && failures.push(e)),
          signal,
        });
        if (result.stateChanged) store.writeState(p.stateKey, result.state);
        if (result.interrupted) return fail({ message: `interrupted while building ${names}` });
        const failed = failures[0];
        if (failed) {
          const at = configs.find((c) => failed.target.startsWith(packageStepId(c.name)))?.at;
          const tail = failed.tail.slice(-3).join(' | ');
          return fail({ message: `${failed.target}: ${failed.message.split('\n')[0]}${tail ? ` (last lines: ${tail})` : ''}`, ...(at && { at }), hint: failed.hint ?? (failed.logPath ? `full log: ${failed.logPath}` : 'see the log') });
        }
        const repos: LocalRepo[] = [];
        for (const c of configs) {
          const digest = result.outcomes.get(packageStepId(c.name))?.digest;
          if (!digest) return fail({ message: `package ${c.name} was not built` });
          const dir = store.treePath(digest);
          repos.push({ build: c.name, binaries: c.source.binaries, packages: await readFile(join(dir, 'Packages'), 'utf8'), release: await readFile(join(dir, 'Release'), 'utf8') });
        }
        const ran = [...result.outcomes.values()].filter((o) => o.status === 'succeeded').length;
        p.say({ message: `package ${names}: ${ran === 0 ? 'found built in the store' : `built in ${formatMs(Date.now() - started)} (${ran} of ${result.outcomes.size} steps ran)`}` });
        return ok(repos);
      } finally {
        await port.dispose();
        await release();
      }
    } finally {
      await store.dispose();
    }
  };
}
