// Loads a Targetfile through mkimage's TypeScript hooks (load-hooks.js), fresh each time
// (watch mode reloads), and collects the targets it exports. Loader and runtime errors become
// diagnostics with the file and line at fault.

import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { stackLocation } from '../dsl/location.ts';
import { isTargetDef, type TargetDef } from '../dsl/target.ts';
import { isProfileValue, type ProfilesDecl } from '../dsl/profile.ts';

/** mkimage's own sources: imported by every profile, never the user's to watch. */
const OWN_SOURCES = fileURLToPath(new URL('..', import.meta.url));
/** What `import ... from 'mkimage'` means in a profile: this checkout's DSL. */
const DSL_URL = new URL('../dsl/index.ts', import.meta.url).href;
const HOOKS_URL = new URL('./load-hooks.js', import.meta.url);
/** The query parameter load-hooks.js tells loads apart by. */
const LOAD = 'mkimage-load';

export interface LoadedProject {
  readonly file: string;
  /** The Targetfile's directory: input paths are relative to it. */
  readonly root: string;
  readonly targets: readonly TargetDef[];
  /** Where the distros and features are, if the Targetfile declares profiles(). */
  readonly profiles?: ProfilesDecl;
  /** Every local module the Targetfile imported (what watch mode watches). */
  readonly modules: readonly string[];
}

export async function loadTargetfile(path: string, loader: ModuleLoader): Promise<Result<LoadedProject>> {
  const file = resolve(path);
  if (!existsSync(file)) {
    return fail({ message: `no Targetfile at ${file}`, hint: 'run mkimage in a project directory, or pass --file PATH' });
  }
  const imported = await loader.import(file);
  if (!imported.ok) return imported;
  const targets: TargetDef[] = [];
  collect(imported.value.exports, targets, new Set());
  const profiles = Object.values(imported.value.exports).find(
    (v): v is ProfilesDecl => isProfileValue(v) && (v as { kind?: string }).kind === 'profiles',
  );
  return ok({ file, root: dirname(file), targets, ...(profiles && { profiles }), modules: [...loader.modules] });
}

export interface ImportedModule {
  readonly exports: Record<string, unknown>;
}

export interface LoaderOptions {
  /** Where compiled profiles are kept between runs; the first loader of a process decides. */
  readonly cacheDir?: string;
}

/** Hooks stay for the life of the process: registered by the first loader. */
let hooks: MessagePort | undefined;
/** Open loaders by their load number, to hand each the files it imported. */
const open = new Map<string, ModuleLoader>();
let loads = 0;

function registerHooks(cacheDir: string | undefined): MessagePort {
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  // Stack traces of profiles then name TypeScript lines (the DSL reads call sites from them).
  process.setSourceMapsEnabled(true);
  register(HOOKS_URL, { data: { dsl: DSL_URL, cacheDir, port: port2 }, transferList: [port2] });
  return port1;
}

/**
 * Imports TypeScript modules fresh: each loader is a new set of module instances, so a reload
 * sees every edit (no stale module cache), while the files of one load share their imports.
 */
export class ModuleLoader {
  /** Every local file imported so far (what watch mode watches). */
  readonly modules = new Set<string>();
  private readonly load = String(++loads);

  constructor(options: LoaderOptions = {}) {
    hooks ??= registerHooks(options.cacheDir);
    open.set(this.load, this);
    performance.mark('TypeScript loader registered');
  }

  /** Loader and runtime errors become diagnostics with the file and line at fault. */
  async import(file: string): Promise<Result<ImportedModule>> {
    this.modules.add(file);
    const url = pathToFileURL(file);
    url.searchParams.set(LOAD, this.load);
    try {
      return ok({ exports: (await import(url.href)) as Record<string, unknown> });
    } catch (e) {
      return fail(loadError(e, file));
    } finally {
      takeImported();
    }
  }

  async close(): Promise<void> {
    takeImported();
    open.delete(this.load);
  }
}

/**
 * The hooks post each file they load before answering for it, so once an import settles,
 * every file it loaded is waiting on the port.
 */
function takeImported(): void {
  for (let m = receiveMessageOnPort(hooks!); m; m = receiveMessageOnPort(hooks!)) {
    const { load, file } = m.message as { load: string; file: string };
    if (!file.startsWith(OWN_SOURCES)) open.get(load)?.modules.add(file);
  }
}

/** Targets among the module's exports (directly, in arrays or plain objects) and their prerequisites. */
function collect(value: unknown, into: TargetDef[], seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTargetDef(value)) {
    into.push(value);
    // A prerequisite given as a value need not be exported itself.
    for (const dep of value.options.deps ?? []) collect(dep, into, seen);
    return;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) collect(v, into, seen);
}

/** esbuild's syntax errors carry a location; runtime errors have one in their stack. */
function loadError(e: unknown, file: string): Diagnostic {
  const err = e as { message?: string; errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> };
  const first = err.errors?.[0];
  if (first?.location) {
    return {
      message: `syntax error: ${first.text}`,
      at: { file: resolve(dirname(file), first.location.file), line: first.location.line, column: first.location.column + 1 },
    };
  }
  const lines = (err.message ?? String(e)).split('\n');
  // tsx's message: "Transform failed with 1 error:\n/path/file.ts:2:17: ERROR: Unexpected ..."
  for (const line of lines) {
    const m = /^(\/.+?):(\d+):(\d+): ERROR: (.*)$/.exec(line.trim());
    if (m) return { message: `syntax error: ${m[4]}`, at: { file: m[1]!, line: Number(m[2]), column: Number(m[3]) + 1 } };
  }
  const message = lines[0]!;
  // A file that exists: node's internal frames name paths that are not on disk.
  const at = stackLocation(e instanceof Error ? e.stack ?? '' : '', existsSync);
  const syntax = /^(?:Transform failed|SyntaxError)/.test(message) || e instanceof SyntaxError;
  return {
    message: syntax ? `syntax error: ${message}` : `error while loading the profile: ${message}`,
    at: at ?? { file, line: 1 },
  };
}
