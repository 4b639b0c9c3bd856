// What an image step gets from its caller besides the config and its directories (a
// RecipeContext is one), and the environment every tool of a step runs with: our process helper
// inherits nothing, so whatever a tool may read is written here.

import type { RecipeProgress } from '../core/target.ts';
import type { RunOptions } from '../proc/run.ts';
import type { ImageConfig } from './config.ts';
import { HOST_PATH } from './tools/tool.ts';

export interface StepIo {
  /** Aborted on Ctrl-C, a kill, or another target's failure: running tools are killed. */
  readonly signal: AbortSignal;
  /** Output of the step's tools, streamed to the log. */
  output(stream: 'stdout' | 'stderr', text: string): void;
  /** Something the person should know that does not fail the step (see RecipeContext.warn). */
  warn?(message: string): void;
  /** How far the step is, for live displays (see progress.ts); absent where nobody looks. */
  progress?(p: RecipeProgress): void;
  /** A private scratch directory, removed by the caller afterwards. */
  readonly tmp: string;
}

/**
 * The environment of a host tool. SOURCE_DATE_EPOCH is what makes mmdebstrap, mksquashfs,
 * mtools, mkinitramfs and xorriso reproducible; LC_ALL and TZ keep sorting and dates stable.
 */
export function toolEnv(config: Pick<ImageConfig, 'sourceDateEpoch'>, io: StepIo, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: HOST_PATH,
    HOME: io.tmp,
    TMPDIR: io.tmp,
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    SOURCE_DATE_EPOCH: String(config.sourceDateEpoch),
    ...extra,
  };
}

/** Options for run(): the caller's signal and output (called through io, which may be a class). */
export function runOptions(io: StepIo, env: Readonly<Record<string, string>>, cwd = io.tmp): RunOptions {
  return { cwd, env, signal: io.signal, output: (stream, text) => io.output(stream, text) };
}

/** Output passed on to the step's log and kept, to read what dpkg said. */
export function keepingOutput(io: StepIo): { readonly io: StepIo; text(): string } {
  let said = '';
  const kept: StepIo = {
    signal: io.signal,
    tmp: io.tmp,
    output: (stream, text) => {
      said += text;
      io.output(stream, text);
    },
    ...(io.progress && { progress: io.progress.bind(io) }),
    ...(io.warn && { warn: io.warn.bind(io) }),
  };
  return { io: kept, text: () => said };
}
