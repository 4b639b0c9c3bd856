// The parsers against output captured from the real tools on a Debian 12 host: mmdebstrap
// 1.3.5 --verbose (variant apt, plus less, with half the .debs cached), mksquashfs 4.5.1 off a
// terminal, xorriso 1.5.4 as mkisofs and natively.

import test from 'ava';
import { readFileSync } from 'node:fs';
import type { RecipeProgress } from '../../src/core/target.ts';
import { aptProgress, mksquashfsProgress, withProgress, xorrisoProgress, type ProgressParser } from '../../src/image/progress.ts';
import type { StepIo } from '../../src/image/step-io.ts';

const MMDEBSTRAP = readFileSync(new URL('fixtures/progress/mmdebstrap-verbose.txt', import.meta.url), 'utf8');

/** mksquashfs 4.5.1, -quiet, stdout a pipe: the bar every 100 blocks and inodes, then a newline. */
const MKSQUASHFS =
  '\r[/                                                               ]   0/200   0%\r[===============================\\                                ] 100/200  50%\r[===============================================================\\] 200/200 100%\n';

function readAll(parser: ProgressParser, lines: string[]): RecipeProgress[] {
  return lines.map((l) => parser.line(l)).filter((p): p is RecipeProgress => p !== undefined);
}

test('mmdebstrap: phases from its I: lines, downloads by bytes, then unpacked and configured packages', (t) => {
  const seen = readAll(aptProgress(), MMDEBSTRAP.split('\n'));
  const labels = [...new Set(seen.map((p) => p.label.replace(/ \d+\/\d+$/, ' n/N')))];
  t.deepEqual(labels, [
    'finding correct signed-by value',
    'running apt-get update',
    'updating package lists',
    'downloading packages with apt',
    'downloading packages',
    'extracting archives',
    'installing essential packages',
    'unpacking n/N',
    'setting up n/N',
    'installing remaining packages inside the chroot',
    'cleaning package lists and apt cache',
  ]);
  const downloads = seen.filter((p) => p.label === 'downloading packages').map((p) => p.fraction!);
  t.is(downloads.length, 8);
  t.deepEqual([...downloads].sort((a, b) => a - b), downloads, 'downloads only go forward');
  // The eight .debs not in the cache add up to apt's "Need to get 11.6 MB" (rounded by apt).
  t.true(Math.abs(downloads.at(-1)! - 1) < 0.05, String(downloads.at(-1)));
  const installs = seen.filter((p) => /^(unpacking|setting up) \d+\/89$/.test(p.label));
  t.is(installs.length, 178);
  t.deepEqual(installs[0], { label: 'unpacking 1/89', fraction: 1 / 178 });
  t.deepEqual(installs.at(-1), { label: 'setting up 89/89', fraction: 1 });
  // The remaining packages are counted against their own total.
  t.deepEqual(
    seen.filter((p) => /\/1$/.test(p.label)),
    [
      { label: 'unpacking 1/1', fraction: 0.5 },
      { label: 'setting up 1/1', fraction: 1 },
    ],
  );
});

test('apt: without a "newly installed" total, packages are named and no share is made up', (t) => {
  t.deepEqual(readAll(aptProgress(), ['Unpacking less (590-2.1~deb12u2) ...', 'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]']), [
    { label: 'unpacking less' },
    { label: 'updating package lists' },
  ]);
});

test('mksquashfs: the share of blocks and inodes from its bar', (t) => {
  const seen = readAll(mksquashfsProgress(), MKSQUASHFS.split(/\r|\n/));
  t.deepEqual(seen, [
    { label: 'compressing', fraction: 0 },
    { label: 'compressing', fraction: 0.5 },
    { label: 'compressing', fraction: 1 },
  ]);
  t.is(mksquashfsProgress().line('Unrecognised xattr prefix system.posix_acl_access'), undefined);
});

test('xorriso: percent written as mkisofs and natively; files added while reading the trees', (t) => {
  const seen = readAll(xorrisoProgress(), [
    "Added to ISO image: directory '/'='/tmp/sqt/src2'",
    'xorriso : UPDATE :      11 files added in 1 seconds',
    'xorriso : NOTE : Copying to System Area: 432 bytes from file \'/usr/lib/ISOLINUX/isohdpfx.bin\'',
    'xorriso : UPDATE :  56.59% done',
    'xorriso : UPDATE : Writing:       8505s    8.7%   fifo   0%  buf  50%',
    "Writing to 'stdio:t.iso' completed successfully.",
  ]);
  t.deepEqual(seen, [
    { label: 'adding files (11)' },
    { label: 'writing', fraction: 56.59 / 100 },
    { label: 'writing', fraction: 8.7 / 100 },
  ]);
});

function fakeIo() {
  const reports: RecipeProgress[] = [];
  let logged = '';
  const io: StepIo = {
    signal: new AbortController().signal,
    tmp: '/tmp',
    output: (_stream, text) => void (logged += text),
    progress: (p) => void reports.push(p),
  };
  return { io, reports, logged: () => logged };
}

test('withProgress: output still reaches the log whole; lines split across chunks are read once', (t) => {
  const { io, reports, logged } = fakeIo();
  const step = withProgress(io, aptProgress());
  // Odd chunk sizes cut lines anywhere, as a pipe does.
  for (let i = 0; i < MMDEBSTRAP.length; i += 777) step.output('stderr', MMDEBSTRAP.slice(i, i + 777));
  t.is(logged(), MMDEBSTRAP);
  t.deepEqual(reports.at(-1), { label: 'cleaning package lists and apt cache' });
  const counted = reports.filter((p) => /\/89$/.test(p.label)).map((p) => p.fraction!);
  t.deepEqual([...counted].sort((a, b) => a - b), counted, 'no line counted twice or out of order');
  t.true(counted.length > 10 && counted.length < 178);
});

test('withProgress: a bar redrawn with \\r is read before its line ends', (t) => {
  const { io, reports } = fakeIo();
  const step = withProgress(io, mksquashfsProgress());
  const [first, second] = MKSQUASHFS.split(/(?=\r)/);
  step.output('stdout', first!);
  t.deepEqual(reports, [{ label: 'compressing', fraction: 0 }]);
  step.output('stdout', second!);
  t.deepEqual(reports.at(-1), { label: 'compressing', fraction: 0.5 });
});

test('withProgress: a StepIo without progress is passed through untouched', (t) => {
  const io: StepIo = { signal: new AbortController().signal, tmp: '/tmp', output: () => {} };
  t.is(withProgress(io, aptProgress()), io);
});
