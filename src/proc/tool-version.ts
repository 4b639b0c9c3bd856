// What a tool answers to its version flag (the first line goes into fingerprints), and a
// cache of those answers keyed by the identity of the binary, so that a no-op build does not
// start a process per tool (mmdebstrap is a Perl script: a tenth of a second on its own).

import { accessSync, constants, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';

/** A binary or stamp file changed this recently may change again with the same timestamps. */
const RACY_WINDOW_MS = 2000;

/**
 * Files whose change can change a version answer without touching the binary: the package
 * database (dpkg rewrites it on every install or upgrade, e.g. of the libssl that `openssl
 * version` reports) and the dynamic linker's cache (ldconfig after a library installed by hand).
 */
const HOST_STAMPS = ['/var/lib/dpkg/status', '/etc/ld.so.cache'] as const;

/**
 * The environment of a probe: the PATH the tool runs with, and nothing else of ours (a locale or
 * LD_* of the caller could change the answer, or the binary, while the steps run without them).
 */
function probeEnv(path: string): Record<string, string> {
  return { PATH: path, LC_ALL: 'C.UTF-8' };
}

/** One remembered answer. Any field that differs makes the probe run again. */
interface CachedVersion {
  /** The binary that ran: real path, device, inode, size, mtime and ctime (ns). A reinstall or edit changes one. */
  readonly binary: string;
  /** Device, inode, size, mtime and ctime of each of HOST_STAMPS ('-' when absent). */
  readonly host: string;
  /** The environment the probe ran with. */
  readonly env: string;
  readonly version: string;
}

/** Version file format: bump when CachedVersion or the way a version is read changes. 2: probes run with the steps' PATH only. */
const FORMAT = 2;

interface CacheFile {
  readonly format: number;
  /** By `file\0arg\0arg...` as the caller asked. */
  readonly entries: Record<string, CachedVersion>;
}

let cacheFile: string | undefined;
let entries: Record<string, CachedVersion> | undefined;

/** Remember tool versions in this file (the CLI sets it inside the store); unset, every call probes. */
export function rememberToolVersionsIn(file: string | undefined): void {
  cacheFile = file;
  entries = undefined;
}

export interface ProbeOptions {
  /** The PATH the tool is found on, as the recipe that runs it will find it. */
  readonly path: string;
}

/**
 * First line a tool prints for its version flag: what goes into fingerprints. Stdout's first
 * line if it prints any, else stderr's: a tool writing to both (xorriso) interleaves them in
 * no fixed order, and reading either first made its version flip between runs.
 */
export async function toolVersion(file: string, args: readonly string[], options: ProbeOptions): Promise<string> {
  const env = probeEnv(options.path);
  const key = [file, ...args].join('\0');
  const identity = cacheFile === undefined ? undefined : identify(file, env);
  const known = identity && load()[key];
  if (identity && known && known.binary === identity.binary && known.host === identity.host && known.env === identity.env) {
    return known.version;
  }
  const version = await probe(file, args, env);
  // Taken again after the probe: a binary replaced meanwhile must not be stored as the one asked.
  const after = identity && identify(file, env);
  if (identity && after && !after.racy && after.binary === identity.binary && after.host === identity.host) {
    store(key, { binary: after.binary, host: after.host, env: after.env, version });
  }
  return version;
}

async function probe(file: string, args: readonly string[], env: Record<string, string>): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(file, args, { reject: false, stdin: 'ignore', env, extendEnv: false });
  if (r.exitCode === undefined || (r.failed && !r.stdout && !r.stderr)) {
    throw new Error(`cannot run ${[file, ...args].join(' ')}: ${r.shortMessage ?? 'failed'}`);
  }
  return firstLine(r.stdout) ?? firstLine(r.stderr) ?? '';
}

const firstLine = (text: string): string | undefined => text.split('\n').find((l) => l.trim() !== '')?.trim();

interface Identity {
  readonly binary: string;
  readonly host: string;
  readonly env: string;
  /** Some file of the identity changed within RACY_WINDOW_MS: do not remember the answer. */
  readonly racy: boolean;
}

/** The identity of what `file` runs, found on the probe's PATH as the process spawner finds it; undefined if not found. */
function identify(file: string, env: Record<string, string>): Identity | undefined {
  const path = which(file, env.PATH!);
  if (!path) return undefined;
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  const now = Date.now();
  let racy = false;
  const stamp = (p: string): string => {
    const st = statSync(p, { bigint: true, throwIfNoEntry: false });
    if (!st) return '-';
    // As for input files (core/inputs.ts): content written this recently may change again unseen.
    if (Number(st.mtimeNs / 1_000_000n) > now - RACY_WINDOW_MS) racy = true;
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  };
  const binary = `${real} ${stamp(real)}`;
  return {
    binary,
    host: HOST_STAMPS.map(stamp).join(' '),
    env: JSON.stringify(env),
    racy,
  };
}

function which(file: string, path: string): string | undefined {
  if (file.includes('/')) return resolve(file);
  for (const dir of path.split(delimiter)) {
    const candidate = resolve(dir || '.', file);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here: the next directory.
    }
  }
  return undefined;
}

function load(): Record<string, CachedVersion> {
  if (entries) return entries;
  entries = read();
  return entries;
}

function read(): Record<string, CachedVersion> {
  try {
    const parsed = JSON.parse(readFileSync(cacheFile!, 'utf8')) as Partial<CacheFile>;
    return parsed.format === FORMAT && parsed.entries && typeof parsed.entries === 'object' ? { ...parsed.entries } : {};
  } catch {
    return {};
  }
}

/** Merged into what is on disk now (another build may have added entries), written atomically. */
function store(key: string, entry: CachedVersion): void {
  if (!cacheFile) return;
  load()[key] = entry;
  try {
    const merged: CacheFile = { format: FORMAT, entries: { ...read(), [key]: entry } };
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = join(dirname(cacheFile), `.tool-versions-${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(tmp, `${JSON.stringify(merged, null, 1)}\n`);
    renameSync(tmp, cacheFile);
  } catch {
    // Only a cache: the next build asks the tool again.
  }
}
