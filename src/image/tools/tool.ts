// What every host tool of the image steps is, and the PATH they all run with (our process
// helper inherits no environment). Each tool's flags live in a module of its own beside this
// one, so that a stage's fingerprint covers the flags of exactly the tools it runs (its code is
// part of its recipe: src/core/code-identity.ts).

import type { ToolProbe } from '../../core/target.ts';
import { toolVersion } from '../../proc/tool-version.ts';

/** PATH of every tool, and of the probes that ask their versions. */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Tool {
  readonly file: string;
  /** How to ask for its version (fingerprints record the first line of the answer). */
  readonly version: readonly string[];
  /** The program to ask, when not `file` itself (same package, and a version flag). */
  readonly versionFile?: string;
  /** The Debian package that ships it. */
  readonly package: string;
}

/** A file of the host that ends up in (or shapes) the image, and the package that ships it. */
export interface HostFile {
  readonly path: string;
  readonly package: string;
}

/** Asked with the PATH the steps run their tools with, so the version is that of the tool that runs. */
export function toolProbe(t: Tool): ToolProbe {
  const file = t.versionFile ?? t.file;
  return { key: `${HOST_PATH}\0${[file, ...t.version].join(' ')}`, version: () => toolVersion(file, t.version, { path: HOST_PATH }) };
}
