// Where the store lives by default. The caller (the CLI) passes the environment in, so the
// store itself never reads process.env.

import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

/** `$MKIMAGE_STORE`, else `$XDG_CACHE_HOME/mkimage`, else `~/.cache/mkimage`. */
export function defaultStoreRoot(env: Env, home: string = env.HOME || homedir()): string {
  if (env.MKIMAGE_STORE) return env.MKIMAGE_STORE;
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'mkimage');
  return join(home, '.cache', 'mkimage');
}
