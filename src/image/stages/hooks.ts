// The hooks stage: each feature's hooks/ scripts, in the config's order, run inside the root
// (see in-root.ts: private namespaces, no network unless the feature asked). A failing hook
// stops the stage with its name, exit code and last lines of output.

import { readFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
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

/**
 * The variables the hooks read, and nothing else: a change to a variable no hook reads leaves
 * the stage cached, and --explain names the variable that changed (`HOSTNAME "web" -> "www"`).
 */
export function hooksSelect(c: HooksConfig): HooksConfig {
  const read = new Set(c.hooks.flatMap((h) => h.reads));
  const env = Object.fromEntries(Object.entries(c.hookEnv).filter(([name]) => read.has(name)));
  return { hooks: c.hooks, hookEnv: env, sourceDateEpoch: c.sourceDateEpoch };
}

/** Lines of a failed hook's output kept for the error. */
const TAIL_LINES = 20;

export const hooksStage = defineStage<HooksConfig>({
  name: 'hooks',
  description: "the features' hooks/ scripts, inside the root",
  needs: ['overlay'],
  weight: 1,
  module: import.meta.url,
  select: hooksSelect,
  recipe: (c) => ({
    files: c.hooks.map((h) => h.path),
    tools: [UNSHARE],
    runs: Object.fromEntries([...new Set(c.hooks.map((h) => h.network))].map((network) => [`unshare${network ? ' with network' : ''}`, unshareArgs(PLACEHOLDER.root, network)])),
  }),
  run: async (c, ctx, context) => {
    await openPreviousRoot(ctx);
    await hooks(c, ctx.out, ctx, context.root);
  },
});

/**
 * Runs the hooks in order in `root`. Each hook's output starts with a header naming its file
 * (relative to `project` when it is in it), so a line of the log or of a tail can be traced to
 * the hook that printed it.
 */
export async function hooks(config: HooksConfig, root: string, io: StepIo, project?: string): Promise<void> {
  for (const [i, hook] of config.hooks.entries()) {
    if (io.signal.aborted) throw io.signal.reason;
    const file = project === undefined || relative(project, hook.path).startsWith('..') ? hook.path : relative(project, hook.path);
    io.progress?.({ label: `${hook.feature}/${basename(hook.path)}`, fraction: i / config.hooks.length });
    io.output('stdout', `${hookHeader(file)}\n`);
    await runHook(config, hook, file, root, io);
  }
}

/** The line before a hook's output in logs and tails. */
export const hookHeader = (file: string) => `=== hook ${file}`;

async function runHook(config: HooksConfig, hook: HookSource, file: string, root: string, io: StepIo): Promise<void> {
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
  const declared = Object.fromEntries(hook.reads.flatMap((name) => (name in config.hookEnv ? [[name, config.hookEnv[name]!]] : [])));
  const env = { ...declared, MKIMAGE_FEATURE: hook.feature, SOURCE_DATE_EPOCH: String(config.sourceDateEpoch) };
  try {
    await runInRoot(root, { script, network: hook.network, env }, tee);
  } catch (e) {
    if (e instanceof RecipeFailure && !io.signal.aborted) {
      throw new HookFailed(hook.feature, basename(hook.path), file, e.details.exitCode, tail.last());
    }
    throw e;
  }
}
