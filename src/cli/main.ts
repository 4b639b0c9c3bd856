// The composition root: parses the command line, picks the store, the loader and the
// logger, traps signals, and alone decides the exit code.

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rememberToolVersionsIn } from '../proc/tool-version.ts';
import { printDiagnostic, storeRoot, type ExitCode, type Io } from './io.ts';
import { help, parse } from './options.ts';
import { storeProblem } from './writable.ts';

export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  const args = parse(argv);
  if (!args.ok) {
    printDiagnostic(io, args.error);
    return 2;
  }
  const parsed = args.value;
  if (parsed.options.help) {
    io.out(help());
    return 0;
  }
  const [command, ...rest] = parsed.positionals;
  const store = storeRoot(parsed.options, io);
  // All but these keep something in the store (compiled profiles at least): a store that
  // cannot be used (a file, a read-only mount) is said in one line before anything writes there.
  if (command !== 'boot' && command !== 'doctor') {
    const problem = await storeProblem(store);
    if (problem) {
      printDiagnostic(io, problem);
      return 2;
    }
  }
  // Asking a tool its version starts a process: the answers are kept beside the build state.
  rememberToolVersionsIn(join(store, 'state', 'tool-versions.json'));
  // Each command is loaded when asked for: a build does not load the code (and libraries) of the others.
  switch (command) {
    case 'cache':
      return (await import('./cache-command.ts')).cacheCommand(rest, parsed.options, io);
    case 'list':
      return (await import('./list-command.ts')).listCommand(parsed.options, io);
    case 'features':
      return (await import('./list-command.ts')).featuresCommand(parsed.options, io);
    case 'settings':
      return (await import('./list-command.ts')).settingsCommand(parsed.options, io);
    case 'show':
      return (await import('./show-command.ts')).showCommand(rest, parsed.options, io);
    case 'graph':
      return (await import('./graph-command.ts')).graphCommand(rest, parsed.options, io);
    case 'boot':
      return (await import('./boot-command.ts')).bootCommand(rest, parsed.options, io);
    case 'ls':
      return (await import('./ls-command.ts')).lsCommand(rest, parsed.options, io);
    case 'diff':
      return (await import('./diff-command.ts')).diffCommand(rest, parsed.options, io);
    case 'new':
      return (await import('./new-command.ts')).newCommand(rest, parsed.options, io);
    case 'shell':
      return (await import('./shell-command.ts')).shellCommand(rest, parsed.options, io);
    case 'why':
      return (await import('./why-command.ts')).whyCommand(rest, parsed.options, io);
    case 'lock':
      return (await import('./lock-command.ts')).lockCommand(rest, parsed.options, io);
    case 'fetch':
      return (await import('./lock-command.ts')).fetchCommand(rest, parsed.options, io);
    case 'publish':
      return (await import('./publish-command.ts')).publishCommand(rest, parsed.options, io);
    case 'promote':
      return (await import('./promote-command.ts')).promoteCommand(rest, parsed.options, io);
    case 'serve-config':
      return (await import('./serve-config-command.ts')).serveConfigCommand(rest, parsed.options, io);
    case 'releases':
      return (await import('./releases-command.ts')).releasesCommand(rest, parsed.options, io);
    case 'rollback':
      return (await import('./releases-command.ts')).rollbackCommand(rest, parsed.options, io);
    case 'doctor':
      return (await import('./doctor-command.ts')).doctorCommand(rest, parsed.options, io);
    default: {
      const { buildCommand } = await import('./build-command.ts');
      performance.mark('build command loaded');
      return buildCommand(parsed.positionals, parsed.options, io);
    }
  }
}

/** The process edge: signals in, exit code out. */
export async function runProcess(): Promise<never> {
  const controller = new AbortController();
  let signals = 0;
  let lent = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (lent > 0 && sig === 'SIGINT') return;
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
    ...(process.stdout.isTTY && { terminal: { stdout: process.stdout, stdin: process.stdin } }),
    signal: controller.signal,
    lendTerminal: () => {
      lent++;
      return () => void lent--;
    },
  }).catch((e: unknown) => {
    process.stderr.write(`mkimage: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    return 1 as const;
  });
  // Let stdout drain before exiting (pipes).
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(controller.signal.aborted ? 130 : code);
}
