// The hooks stage: each feature's hooks/ scripts, in the config's order, run inside the root
// (see in-root.ts: private namespaces, no network unless the feature asked). A failing hook
// stops the stage with its name, exit code and last lines of output.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { OutputTail } from '../../core/output-tail.ts';
import { RecipeFailure } from '../../core/target.ts';
import type { HookSource, ImageConfig } from '../config.ts';
import { HookFailed } from '../errors.ts';
import { runInRoot } from '../in-root.ts';
import { openPreviousRoot } from '../root-overlay.ts';
import { defineStage, PLACEHOLDER } from '../stage.ts';
import type { StepIo } from '../step-io.ts';
import { UNSHARE, unshareArgs } from '../tools/unshare.ts';

export type HooksConfig = Pick<ImageConfig, 'hooks' | 'hookEnv' | 'sourceDateEpoch'>;

/** Lines of a failed hook's output kept for the error. */
const TAIL_LINES = 20;

export const hooksStage = defineStage<HooksConfig>({
  name: 'hooks',
  description: "the features' hooks/ scripts, inside the root",
  needs: ['overlay'],
  weight: 1,
  module: import.meta.url,
  select: (c) => ({ hooks: c.hooks, hookEnv: c.hookEnv, sourceDateEpoch: c.sourceDateEpoch }),
  recipe: (c) => ({
    files: c.hooks.map((h) => h.path),
    tools: [UNSHARE],
    runs: Object.fromEntries([...new Set(c.hooks.map((h) => h.network))].map((network) => [`unshare${network ? ' with network' : ''}`, unshareArgs(PLACEHOLDER.root, network)])),
  }),
  run: async (c, ctx) => {
    await openPreviousRoot(ctx);
    await hooks(c, ctx.out, ctx);
  },
});

export async function hooks(config: HooksConfig, root: string, io: StepIo): Promise<void> {
  for (const [i, hook] of config.hooks.entries()) {
    if (io.signal.aborted) throw io.signal.reason;
    io.progress?.({ label: `${hook.feature}/${basename(hook.path)}`, fraction: i / config.hooks.length });
    await runHook(config, hook, root, io);
  }
}

async function runHook(config: HooksConfig, hook: HookSource, root: string, io: StepIo): Promise<void> {
  const script = await readFile(hook.path, 'utf8');
  const tail = new OutputTail(TAIL_LINES);
  const tee: StepIo = {
    signal: io.signal,
    tmp: io.tmp,
    ...(io.progress && { progress: io.progress }),
    output: (stream, text) => {
      tail.push(text);
      io.output(stream, text);
    },
  };
  const env = { ...config.hookEnv, MKIMAGE_FEATURE: hook.feature, SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) };
  try {
    await runInRoot(root, { script, network: hook.network, env }, tee);
  } catch (e) {
    if (e instanceof RecipeFailure && !io.signal.aborted) {
      throw new HookFailed(hook.feature, basename(hook.path), e.details.exitCode, tail.last());
    }
    throw e;
  }
}
