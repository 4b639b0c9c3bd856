// Node module hooks, run in node's loader thread, that let mkimage import a project's
// TypeScript profiles (see load.ts): `mkimage` resolves to this checkout's DSL; a file imported
// under a load's `?mkimage-load=N` passes N on to the local files it imports, so each load is
// a fresh set of module instances; TypeScript is compiled by esbuild, and the JavaScript kept
// by the content it came from, so an unchanged profile starts no compiler.
//
// Plain JavaScript: it runs before, and instead of, any TypeScript loader.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The query parameter that names a load. */
const LOAD = 'mkimage-load';
const TYPESCRIPT = /\.(?:ts|mts|cts|tsx)$/;
/** Compiled files not written for this long are removed when a new one is written. */
const KEEP_MS = 30 * 24 * 3600 * 1000;

/** @type {{ dsl: string; cacheDir?: string; port: import('node:worker_threads').MessagePort }} */
let config;
/** Compiled JavaScript by cache key, for the loads of this process. */
const compiled = new Map();
/** Part of the cache key: read from its package, so that a cache hit does not load esbuild. */
const ESBUILD_VERSION = createRequire(import.meta.url)('esbuild/package.json').version;

export function initialize(data) {
  config = data;
}

/** The load a module belongs to (undefined outside any load). */
function loadOf(url) {
  const q = url?.indexOf('?') ?? -1;
  return q < 0 ? undefined : (new URLSearchParams(url.slice(q + 1)).get(LOAD) ?? undefined);
}

/** A local file of a load carries the load's parameter; packages stay shared. */
function inLoad(url, load) {
  if (!load || !url.startsWith('file:') || url.includes('/node_modules/')) return url;
  const u = new URL(url);
  u.searchParams.set(LOAD, load);
  return u.href;
}

export async function resolve(specifier, context, next) {
  const load = loadOf(context.parentURL);
  if (specifier === 'mkimage') return { url: inLoad(config.dsl, load), shortCircuit: true };
  let resolved;
  try {
    resolved = await next(specifier, context);
  } catch (e) {
    // TypeScript's own conventions for a relative import: `./x.js` for x.ts, or no extension.
    const alternative = e?.code === 'ERR_MODULE_NOT_FOUND' && /^\.{0,2}\//.test(specifier) && tsAlternative(specifier, context);
    if (!alternative) throw e;
    resolved = alternative;
  }
  return { ...resolved, url: inLoad(resolved.url, load) };
}

function tsAlternative(specifier, context) {
  const candidates = /\.[cm]?jsx?$/.test(specifier)
    ? [specifier.replace(/\.([cm]?)js(x?)$/, '.$1ts$2')]
    : [`${specifier}.ts`, `${specifier}.tsx`, `${specifier}/index.ts`];
  for (const candidate of candidates) {
    const url = new URL(candidate, context.parentURL);
    try {
      if (statSync(fileURLToPath(url)).isFile()) return { url: url.href, format: 'module' };
    } catch {
      // The next candidate.
    }
  }
  return undefined;
}

export async function load(url, context, next) {
  if (!url.startsWith('file:')) return next(url, context);
  const file = fileURLToPath(url);
  const load = loadOf(url);
  if (load && !file.includes('/node_modules/')) config.port.postMessage({ load, file });
  if (!TYPESCRIPT.test(file)) return next(url, context);
  const source = readFileSync(file);
  return { format: 'module', source: await javascript(file, source), shortCircuit: true };
}

/**
 * esbuild's output for one TypeScript file, as tsx compiles it (a recipe function's text is
 * part of its fingerprint): whitespace minified, names kept, an inline source map that
 * points stack traces at the TypeScript.
 */
async function javascript(file, source) {
  const options = {
    loader: file.endsWith('x') ? 'tsx' : 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcemap: 'inline',
    sourcesContent: false,
    sourcefile: file,
    minifyWhitespace: true,
    keepNames: true,
  };
  const key = createHash('sha256').update(`${ESBUILD_VERSION}\0${JSON.stringify(options)}\0`).update(source).digest('hex');
  let code = compiled.get(key) ?? readCache(key);
  if (code === undefined) {
    const { transform } = await import('esbuild');
    code = (await transform(source.toString('utf8'), options)).code;
    writeCache(key, code);
  }
  compiled.set(key, code);
  return code;
}

function readCache(key) {
  if (!config.cacheDir) return undefined;
  try {
    return readFileSync(join(config.cacheDir, `${key}.js`), 'utf8');
  } catch {
    return undefined;
  }
}

function writeCache(key, code) {
  const dir = config.cacheDir;
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.${key}.${process.pid}`);
    writeFileSync(tmp, code);
    renameSync(tmp, join(dir, `${key}.js`));
    const now = Date.now();
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (now - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { force: true });
    }
  } catch {
    // Only a cache: compiled again next time.
  }
}
