// image.lock: `mkimage lock` of every shipped distro from nothing (the archive's indexes
// fetched and verified, two apt simulations per distro), beside the raw tool it drives:
// `mmdebstrap --simulate` of each distro's package set, run by hand in the same run.
// image.lock-check: `mkimage lock --check` with nothing moved (everything resolved afresh
// and compared), beside the same raw figure.

import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, round, type Report } from './measure.ts';
import type { TempDirs } from './temp.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(REPO, 'bin/mkimage.js');

function timed(file: string, args: readonly string[], cwd: string): Promise<{ ms: number; code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(file, args, { cwd, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', () => {});
    child.on('exit', (code) => resolve({ ms: performance.now() - t0, code, stdout }));
  });
}

export async function lockBench(report: Report, temp: TempDirs): Promise<void> {
  const project = temp.dir('lock-project');
  for (const part of ['Targetfile.ts', 'conf.d', 'features', 'README.md']) cpSync(join(REPO, part), join(project, part), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{"type":"module"}\n');
  const store = temp.dir('lock-store');

  progress('lock: mkimage lock, every shipped distro');
  const lock = await timed(process.execPath, [BIN, '--store', store, 'lock'], project);
  if (lock.code !== 0) throw new Error(`image.lock: mkimage lock exited with ${lock.code}: ${lock.stdout.slice(-2000)}`);
  const text = readFileSync(join(project, 'mkimage.lock'), 'utf8');
  const lines = text.split('\n').filter((l) => l.startsWith('package ')).map((l) => l.split(' '));
  const distros = [...new Set(lines.map((w) => w[1]!))];
  const packages = lines.length;

  // The raw tool: mmdebstrap --simulate of each distro's bootstrap set and whole set, by hand.
  progress('lock: the raw figure, mmdebstrap --simulate of each distro by hand');
  let rawMs = 0;
  for (const d of distros) {
    const mine = lines.filter((w) => w[1] === d);
    for (const set of [mine.filter((w) => w[2] === 'bootstrap'), mine]) {
      const r = await timed('mmdebstrap', ['--simulate', '--mode=root', '--variant=essential', `--include=${set.map((w) => w[3]).join(',')}`, 'bookworm', join(temp.dir('lock-raw'), 'x.tar')], project);
      if (r.code !== 0) throw new Error(`image.lock: raw mmdebstrap --simulate exited with ${r.code}`);
      rawMs += r.ms;
    }
  }
  report({ bench: 'image.lock', distros: distros.length, packages, ms: Math.round(lock.ms), raw_simulate_ms: Math.round(rawMs), over_raw: round(lock.ms / rawMs, 3) });

  progress('lock-check: mkimage lock --check, nothing moved');
  const check = await timed(process.execPath, [BIN, '--store', store, 'lock', '--check'], project);
  if (check.code !== 0) throw new Error(`image.lock-check: exited with ${check.code} (something moved during the bench?): ${check.stdout.slice(-2000)}`);
  report({ bench: 'image.lock-check', distros: distros.length, ms: Math.round(check.ms), raw_simulate_ms: Math.round(rawMs), over_raw: round(check.ms / rawMs, 3) });
}
