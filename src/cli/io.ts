// What every command gets from the process edge (main.ts), and the few things they all do with
// it: print a diagnostic, find the store.

import { join, resolve } from 'node:path';
import { defaultStoreRoot } from '../cache/store-root.ts';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostic.ts';
import type { Options } from './options.ts';

/** Exit codes: 0 ok, 1 a target failed, 2 bad input or usage, 130 interrupted. */
export type ExitCode = 0 | 1 | 2 | 130;

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly cores: number;
  /** Set when stdout is a terminal: the live UI may draw on it and read keys. */
  readonly terminal?: Terminal;
  /** Aborted on the first SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /**
   * For a command that hands the terminal to a child (`shell`): until the returned function is
   * called, Ctrl-C is the child's (the terminal sends it there) and mkimage does not abort.
   */
  readonly lendTerminal?: () => () => void;
}

export interface Terminal {
  readonly stdout: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/** The store every command uses: --store, else $MKIMAGE_STORE, else the user's cache directory. */
export const storeRoot = (options: Options, io: Io): string => resolve(io.cwd, options.store ?? defaultStoreRoot(io.env));

/** Where a build's outputs go: --out, or out/ beside the Targetfile. */
export const outDir = (options: Options, io: Io, projectRoot: string): string => resolve(io.cwd, options.out ?? join(projectRoot, 'out'));

export const printDiagnostic = (io: Io, d: Diagnostic): void => io.err(`mkimage: ${formatDiagnostic(d)}`);
