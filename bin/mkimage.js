#!/usr/bin/env node
// Entry point: runs the CLI compiled from src/ (bin/compile.js), compiling it first when the
// sources changed; if it cannot be compiled, runs the sources through the TypeScript loader.
// MKIMAGE_FROM_SOURCE=1 always runs the sources; MKIMAGE_TRACE=1 prints where the time went.
import { pathToFileURL } from 'node:url';
import { compile, freshBundle } from './compile.js';

const trace = Boolean(process.env.MKIMAGE_TRACE);
if (trace) {
  process.on('exit', () => {
    performance.mark('exit');
    for (const m of performance.getEntriesByType('mark')) process.stderr.write(`mkimage: trace ${m.startTime.toFixed(0).padStart(5)} ms  ${m.name}\n`);
  });
}
performance.mark('started');

/** The compiled CLI's entry module, or undefined to run the sources. */
async function compiled() {
  if (process.env.MKIMAGE_FROM_SOURCE === '1') return undefined;
  const fresh = freshBundle();
  if (fresh) return fresh;
  try {
    return await compile();
  } catch (e) {
    // Say, a syntax error: the TypeScript loader reports it with its location.
    if (trace) process.stderr.write(`mkimage: trace: cannot compile the CLI: ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}

const entry = await compiled();
let cli;
if (entry) {
  performance.mark('compiled CLI found');
  // Internal errors then name TypeScript lines, not the bundle's.
  process.setSourceMapsEnabled(true);
  cli = await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/main.ts');
}
performance.mark('CLI loaded');
await cli.runProcess();
