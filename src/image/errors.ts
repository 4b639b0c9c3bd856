// The expected failures of the image steps that carry more than a message: the engine reports
// them as any RecipeFailure, a UI can show their fields.

import { RecipeFailure } from '../core/target.ts';

/** A feature's hook (or another script run in the root) exited non-zero or was killed. */
export class HookFailed extends RecipeFailure {
  constructor(
    /** The feature the script belongs to. */
    readonly feature: string,
    /** The script's file name (`10-enable-ssh`). */
    readonly script: string,
    /** Where the script is: relative to the project when it is in it (`features/ssh/hooks/10-enable-ssh`). */
    readonly file: string,
    readonly exitCode: number | undefined,
    /** The script's last lines of output (both streams), oldest first. */
    readonly lastLines: readonly string[],
  ) {
    const how = exitCode === undefined ? 'failed' : `exited with ${exitCode}`;
    const hint = hookHint(exitCode, lastLines);
    super([`hook ${feature}/${script} ${how} (${file})`, ...lastLines.map((l) => `  | ${l}`)].join('\n'), {
      ...(exitCode !== undefined && { exitCode }),
      ...(hint && { hint }),
    });
    this.name = 'HookFailed';
  }
}

/** What a network failure looks like in the output of curl, wget, apt, pip, git and the resolver. */
const NETWORK_ERROR = /temporary failure (in name )?resolution|temporary failure resolving|could not resolve|name or service not known|network is unreachable|no route to host|could not connect|failed to connect|connection refused|connection timed out|getaddrinfo/i;

/** A hint only where the exit code or the output says what went wrong. */
function hookHint(exitCode: number | undefined, lastLines: readonly string[]): string | undefined {
  if (exitCode === 126) return 'the hook is not executable in the root: does its #! interpreter exist in the image?';
  if (exitCode === 127) return 'a command the hook runs is not in the image: add its package';
  if (lastLines.some((l) => NETWORK_ERROR.test(l))) {
    return "hooks run without network unless their feature asks for it: feature({ networkHooks: ['<hook file name>'] })";
  }
  return undefined;
}

export interface OverlayClash {
  /** The path in the image, relative to the root (after following the root's symlinks). */
  readonly path: string;
  readonly first: string;
  readonly second: string;
  /** `file`: both write it; `type`: one writes a directory, the other something else. */
  readonly kind: 'file' | 'type';
}

/** Two features write one path and the later one did not declare the override. */
export class OverlayConflict extends RecipeFailure {
  constructor(readonly clashes: readonly OverlayClash[]) {
    const lines = clashes.map((c) =>
      c.kind === 'file'
        ? `  ${c.path}: written by ${c.first} and by ${c.second}`
        : `  ${c.path}: a directory in one of ${c.first} and ${c.second}, not in the other`,
    );
    const first = clashes[0];
    super([`features write the same path${clashes.length > 1 ? 's' : ''}:`, ...lines].join('\n'), {
      hint: first
        ? `if ${first.second} means to replace it, declare it: feature({ overrides: ['${first.path}'] })`
        : 'declare the path in the later feature\'s overrides',
    });
    this.name = 'OverlayConflict';
  }
}
