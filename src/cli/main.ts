// The composition root: parses the command line, picks the store, the loader and the
// logger, traps signals, and alone decides the exit code.

import { availableParallelism } from 'node:os';
import { formatDiagnostic } from '../core/diagnostic.ts';
import { help, parse, type Parsed } from './options.ts';
import { buildCommand } from './build-command.ts';
import { cacheCommand } from './cache-command.ts';
import { featuresCommand, listCommand, settingsCommand } from './list-command.ts';
import { graphCommand } from './graph-command.ts';
import { showCommand } from './show-command.ts';
import { bootCommand } from './boot-command.ts';
import { doctorCommand } from './doctor-command.ts';

/** Exit codes: 0 ok, 1 a target failed, 2 bad input or usage, 130 interrupted. */
export type ExitCode = 0 | 1 | 2 | 130;

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly cores: number;
  /** Aborted on the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err(`mkimage: ${e instanceof Error ? e.message : String(e)} (hint: mkimage --help)`);
    return 2;
  }
  if (parsed.options.help) {
    io.out(help());
    return 0;
  }
  const [command, ...rest] = parsed.positionals;
  switch (command) {
    case 'cache':
      return cacheCommand(rest, parsed.options, io);
    case 'list':
      return listCommand(parsed.options, io);
    case 'features':
      return featuresCommand(parsed.options, io);
    case 'settings':
      return settingsCommand(parsed.options, io);
    case 'show':
      return showCommand(rest, parsed.options, io);
    case 'graph':
      return graphCommand(rest, parsed.options, io);
    case 'boot':
      return bootCommand(rest, parsed.options, io);
    case 'doctor':
      return doctorCommand(rest, parsed.options, io);
    default:
      return buildCommand(parsed.positionals, parsed.options, io);
  }
}

export const printDiagnostic = (io: Io, d: Parameters<typeof formatDiagnostic>[0]) => io.err(`mkimage: ${formatDiagnostic(d)}`);

/** The process edge: signals in, exit code out. */
export async function runProcess(): Promise<never> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\nmkimage: ${sig}: aborting running targets and cleaning up (again to hurry, 3 times to quit now)\n`);
      controller.abort(new Error(sig));
    } else if (signals >= 3) {
      process.stderr.write('mkimage: quitting without cleaning up; the next run removes what is left\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const code = await main(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
    cwd: process.cwd(),
    cores: availableParallelism(),
    signal: controller.signal,
  }).catch((e: unknown) => {
    process.stderr.write(`mkimage: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    return 1 as const;
  });
  // Let stdout drain before exiting (pipes).
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(controller.signal.aborted ? 130 : code);
}
