// mkimage's own TypeScript compiled into an ESM bundle (lazy commands as chunks) under
// build/cli/, so that a run does not send ~100 modules through a TypeScript loader.
//
// A bundle lives in build/cli/<digest>/, the digest of exactly the bytes it was compiled from;
// build/cli/current.json names the newest and the files it read. A run uses it only if those
// files still hash to that digest, so it never runs stale code; else it compiles (or, if that
// is impossible, bin/mkimage.js runs the sources through tsx). `node bin/compile.js` compiles
// ahead of time (npm's `prepare`, so after `npm ci`).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'build', 'cli');
const CURRENT = join(OUT, 'current.json');
const ENTRY = 'src/cli/main.ts';
/** Files that shape the output besides the sources: compiler settings and this compiler. */
const SETTINGS = ['tsconfig.json', 'package.json', 'bin/compile.js'];
const LOADERS = { ts: 'ts', mts: 'ts', cts: 'ts', tsx: 'tsx', js: 'js', mjs: 'js', cjs: 'js', json: 'json' };
/** Bundles other than the newest are removed after this long (a long-running process may still load a chunk). */
const KEEP_OLD_MS = 24 * 3600 * 1000;

/** The entry module of a bundle compiled from the sources as they are now, or undefined. */
export function freshBundle() {
  let current;
  try {
    current = JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return undefined;
  }
  const entry = join(OUT, String(current.digest), 'main.js');
  if (!Array.isArray(current.inputs) || digestOf(current.inputs) !== current.digest || !existsSync(entry)) return undefined;
  return entry;
}

/** Hash of the given files (relative to the root) and the esbuild version; undefined if one is gone. */
function digestOf(inputs, read = (file) => readFileSync(join(ROOT, file)), esbuild = esbuildVersion()) {
  const hash = createHash('sha256').update(`${esbuild}\0`);
  try {
    for (const file of [...inputs].sort()) hash.update(`${file}\0`).update(read(file)).update('\0');
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

function esbuildVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules/esbuild/package.json'), 'utf8')).version;
  } catch {
    return 'none';
  }
}

/** Compiles the sources into a new bundle and makes it the current one; returns its entry module. */
export async function compile() {
  const { build, version } = await import('esbuild');
  /** Every source exactly as compiled: the digest must name these bytes, not the file's later content. */
  const read = new Map(SETTINGS.map((file) => [file, readFileSync(join(ROOT, file))]));
  const pending = join(OUT, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    // Packages load from node_modules at run time, as from the sources.
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    outdir: pending,
    write: false,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'sources-as-read',
        setup(b) {
          b.onLoad({ filter: /./ }, (args) => {
            const bytes = readFileSync(args.path);
            read.set(relative(ROOT, args.path), bytes);
            const loader = LOADERS[args.path.slice(args.path.lastIndexOf('.') + 1)];
            if (!loader) throw new Error(`no loader for ${args.path}`);
            if (loader === 'json') return { contents: bytes, loader };
            // A module finds files beside its source (the DSL, node_modules/@types) through
            // import.meta.url: point it at the source file, relative to the bundle's directory
            // (which sits at build/cli/<digest>/ whatever its digest), so a moved checkout works.
            const fromBundle = relative(pending, args.path);
            const text = bytes.toString('utf8').replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
            return { contents: text, loader };
          });
        },
      },
    ],
  });
  const inputs = [...read.keys()];
  const digest = digestOf(inputs, (file) => read.get(file), version);
  const dir = join(OUT, digest);
  if (!existsSync(join(dir, 'main.js'))) {
    for (const f of result.outputFiles) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.contents);
    }
    try {
      renameSync(pending, dir);
    } catch (e) {
      // Another process published the same digest first: same bytes.
      rmSync(pending, { recursive: true, force: true });
      if (!existsSync(join(dir, 'main.js'))) throw e;
    }
  }
  const tmp = `${CURRENT}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ digest, inputs })}\n`);
  renameSync(tmp, CURRENT);
  removeOld(digest);
  return join(dir, 'main.js');
}

function removeOld(keep) {
  const now = Date.now();
  for (const name of readdirSync(OUT)) {
    if (name === keep || name === 'current.json') continue;
    const path = join(OUT, name);
    try {
      if (now - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

// `node bin/compile.js`: compile unless the current bundle is fresh.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = freshBundle() ?? (await compile());
  process.stdout.write(`mkimage: compiled CLI: ${relative(ROOT, entry)}\n`);
}
