// Watch mode in plain lines: each build through a fresh plain logger, the watcher's messages
// (src/watch/view.ts) as one line each. For pipes and CI; on a terminal the live UI draws.

import { formatDiagnostic } from '../core/diagnostic.ts';
import { unreachable } from '../core/events.ts';
import type { WatchStatus, WatchView } from '../watch/view.ts';
import { plainLogger, type PlainLoggerOptions } from './plain-logger.ts';

export interface PlainViewOptions extends Omit<PlainLoggerOptions, 'write'> {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export function plainView(o: PlainViewOptions): WatchView {
  return {
    build: () => plainLogger({ write: o.out, ...(o.explain !== undefined && { explain: o.explain }), ...(o.verbose !== undefined && { verbose: o.verbose }) }),
    status: (s) => {
      if (s.type === 'warning') o.err(`mkimage: warning: ${formatDiagnostic(s.diagnostic)}`);
      else if (s.type === 'outputs') for (const m of s.outputs) o.out(`output   ${m.goal} -> ${m.paths.join(', ')}`);
      else o.out(statusLine(s));
    },
  };
}

const MAX_PATHS = 5;

/** One line for a watcher message (warnings and outputs print like the build command's). */
export function statusLine(s: WatchStatus): string {
  switch (s.type) {
    case 'watching': {
      const after = s.last === 'profile-error' ? 'waiting for a fix to the profile; ' : '';
      return `watching ${plural(s.files, 'file')} and ${plural(s.dirs, 'directory', 'directories')} (${after}Ctrl-C to stop)`;
    }
    case 'changed': {
      const shown = s.paths.slice(0, MAX_PATHS).join(', ');
      const more = s.paths.length > MAX_PATHS ? ` and ${s.paths.length - MAX_PATHS} more` : '';
      return `changed: ${shown}${more} -> rebuilding`;
    }
    case 'edit-during-build':
      return s.decision === 'abort'
        ? `changed during the build: ${s.path} -> build aborted: ${s.reason}`
        : `changed during the build: ${s.path} -> letting the build finish: ${s.reason}`;
    case 'profile-error':
      return `profile error: ${formatDiagnostic(s.diagnostic)}`;
    case 'warning':
      return `warning: ${formatDiagnostic(s.diagnostic)}`;
    case 'outputs':
      return s.outputs.map((m) => `output   ${m.goal} -> ${m.paths.join(', ')}`).join('\n');
    case 'watch-error':
      return `watch error: ${s.message}`;
    case 'stopped':
      return s.abortedBuild ? 'stopped watching (the running build was aborted)' : 'stopped watching';
    default:
      return unreachable(s);
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
