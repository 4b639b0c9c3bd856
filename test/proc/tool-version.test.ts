import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rememberToolVersionsIn, toolVersion } from '../../src/proc/tool-version.ts';

/** The PATH the probes are asked with, as the image stages run their tools. */
const HOST = { path: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

// The cache is per process: these tests run one after the other.
test.afterEach.always(() => rememberToolVersionsIn(undefined));

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-tool-version-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fake tool that counts its runs; dated a minute back, out of the racy window. */
function fakeTool(dir: string, version: string): { file: string; runs: () => number } {
  const file = join(dir, 'faketool');
  const count = join(dir, 'runs');
  writeFileSync(file, `#!/bin/sh\necho x >> ${count}\necho '${version}'\n`, { mode: 0o755 });
  const old = new Date(Date.now() - 60_000);
  utimesSync(file, old, old);
  return { file, runs: () => readFileSync(count, 'utf8').split('\n').filter(Boolean).length };
}

test.serial('stdout first: a tool writing to both streams gives the same version every time', async (t) => {
  const script = 'echo "tool 1.0 : the long banner" >&2; echo "tool 1.0"';
  for (let i = 0; i < 20; i++) t.is(await toolVersion('/bin/sh', ['-c', script], HOST), 'tool 1.0');
  t.is(await toolVersion('/bin/sh', ['-c', 'echo "only on stderr 2.0" >&2'], HOST), 'only on stderr 2.0');
});

test.serial('a remembered version is not asked again until the binary changes', async (t) => {
  const dir = tempDir(t);
  rememberToolVersionsIn(join(dir, 'state', 'tool-versions.json'));
  const tool = fakeTool(dir, 'faketool 1.0');
  t.is(await toolVersion(tool.file, ['--version'], HOST), 'faketool 1.0');
  t.is(await toolVersion(tool.file, ['--version'], HOST), 'faketool 1.0');
  t.is(tool.runs(), 1);
  // Another process reads it from the file.
  rememberToolVersionsIn(join(dir, 'state', 'tool-versions.json'));
  t.is(await toolVersion(tool.file, ['--version'], HOST), 'faketool 1.0');
  t.is(tool.runs(), 1);
  // Other arguments are another question.
  t.is(await toolVersion(tool.file, ['-V'], HOST), 'faketool 1.0');
  t.is(tool.runs(), 2);

  fakeTool(dir, 'faketool 2.0');
  t.is(await toolVersion(tool.file, ['--version'], HOST), 'faketool 2.0');
  t.is(tool.runs(), 3);
});

test.serial('a binary changed within the racy window is asked every time', async (t) => {
  const dir = tempDir(t);
  rememberToolVersionsIn(join(dir, 'tool-versions.json'));
  const tool = fakeTool(dir, 'faketool 1.0');
  utimesSync(tool.file, new Date(), new Date());
  await toolVersion(tool.file, ['--version'], HOST);
  await toolVersion(tool.file, ['--version'], HOST);
  t.is(tool.runs(), 2);
});

test.serial('found on the PATH given, as the recipe will find it: another PATH is another binary', async (t) => {
  const dir = tempDir(t);
  rememberToolVersionsIn(join(dir, 'tool-versions.json'));
  const a = fakeTool(dir, 'faketool from a');
  const bDir = mkdtempSync(join(dir, 'b-'));
  const b = fakeTool(bDir, 'faketool from b');
  // The process's own PATH has no say: the steps run with theirs.
  const path = process.env.PATH;
  t.teardown(() => void (process.env.PATH = path));
  process.env.PATH = `${bDir}:${path}`;
  t.is(await toolVersion('faketool', ['--version'], { path: `${dir}:${HOST.path}` }), 'faketool from a');
  process.env.PATH = `${dir}:${path}`;
  t.is(await toolVersion('faketool', ['--version'], { path: `${bDir}:${HOST.path}` }), 'faketool from b');
  t.is(await toolVersion('faketool', ['--version'], { path: `${bDir}:${HOST.path}` }), 'faketool from b');
  t.is(a.runs(), 1);
  t.is(b.runs(), 1);
});

test.serial('the probe runs with only that PATH and a fixed locale, as the steps do', async (t) => {
  const script = 'echo "PATH=$PATH LANG=${LANG:-} LC_ALL=$LC_ALL X=${MKIMAGE_TEST_X:-}"';
  process.env.MKIMAGE_TEST_X = 'leaked';
  t.teardown(() => void delete process.env.MKIMAGE_TEST_X);
  t.is(await toolVersion('/bin/sh', ['-c', script], { path: '/usr/bin:/bin' }), 'PATH=/usr/bin:/bin LANG= LC_ALL=C.UTF-8 X=');
});

test.serial('a missing tool is an error, and not remembered: installed afterwards, it is found', async (t) => {
  const dir = tempDir(t);
  rememberToolVersionsIn(join(dir, 'tool-versions.json'));
  // Its directory is on the PATH given, but the tool is not there yet.
  const bin = mkdtempSync(join(dir, 'bin-'));
  const options = { path: `${bin}:${HOST.path}` };
  await t.throwsAsync(toolVersion('mkimage-late-tool', ['--version'], options), { message: /cannot run mkimage-late-tool/ });
  t.false(existsSync(join(dir, 'tool-versions.json')), 'nothing stored for a tool that did not run');
  writeFileSync(join(bin, 'mkimage-late-tool'), "#!/bin/sh\necho 'late 1.0'\n", { mode: 0o755 });
  t.is(await toolVersion('mkimage-late-tool', ['--version'], options), 'late 1.0', 'asked again, not the remembered failure');
});
