import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTargetfile, ModuleLoader } from '../../src/project/load.ts';

// The first loader of a process registers the hooks and picks the compile cache: this file's.
const cacheDir = mkdtempSync(join(tmpdir(), 'mkimage-compiled-'));
test.after.always(() => rmSync(cacheDir, { recursive: true, force: true }));
const firstLoader = new ModuleLoader({ cacheDir });
test.after.always(() => firstLoader.close());

function project(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-load-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function load(file: string) {
  const loader = new ModuleLoader();
  try {
    const loaded = await loadTargetfile(file, loader);
    if (!loaded.ok) throw new Error(loaded.error.message);
    return loaded.value;
  } finally {
    await loader.close();
  }
}

test.serial('TypeScript imports: ./x.js means x.ts, no extension means .ts; every local file is listed', async (t) => {
  const dir = project(t, {
    'Targetfile.ts': `import { target } from 'mkimage';
import { name } from './lib/name.js';
import { sh } from './lib/sh';
export const a = target({ name, sh });
`,
    'lib/name.ts': `export const name: string = 'a';\n`,
    'lib/sh.ts': `export const sh: string = 'true';\n`,
  });
  const loaded = await load(join(dir, 'Targetfile.ts'));
  t.deepEqual(
    loaded.targets.map((d) => d.options.name),
    ['a'],
  );
  t.deepEqual([...loaded.modules].sort(), [join(dir, 'Targetfile.ts'), join(dir, 'lib/name.ts'), join(dir, 'lib/sh.ts')]);
});

test.serial('each loader loads fresh: an edit to an imported file is seen by the next', async (t) => {
  const dir = project(t, {
    'Targetfile.ts': `import { target } from 'mkimage';
import { sh } from './sh.ts';
export const a = target({ name: 'a', sh });
`,
    'sh.ts': `export const sh = 'echo one';\n`,
  });
  t.is((await load(join(dir, 'Targetfile.ts'))).targets[0]?.options.sh, 'echo one');
  writeFileSync(join(dir, 'sh.ts'), `export const sh = 'echo two';\n`);
  t.is((await load(join(dir, 'Targetfile.ts'))).targets[0]?.options.sh, 'echo two');
});

test.serial('compiled profiles are kept by content in the cache directory', async (t) => {
  const dir = project(t, { 'Targetfile.ts': `import { target } from 'mkimage';\nexport const z = target({ name: 'z', sh: 'true' });\n` });
  const before = new Set(readdirSync(cacheDir));
  await load(join(dir, 'Targetfile.ts'));
  const added = readdirSync(cacheDir).filter((f) => !before.has(f));
  t.is(added.length, 1);
  // The same content again compiles nothing new.
  writeFileSync(join(dir, 'Targetfile.ts'), `import { target } from 'mkimage';\nexport const z = target({ name: 'z', sh: 'true' });\n`);
  await load(join(dir, 'Targetfile.ts'));
  t.is(readdirSync(cacheDir).length, before.size + 1);
});

test.serial('a runtime error while loading names the TypeScript line', async (t) => {
  const dir = project(t, {
    'Targetfile.ts': `import { target } from 'mkimage';
type T = { n: number };
const t: T = { n: 1 };

throw new Error('boom ' + t.n);
`,
  });
  const loader = new ModuleLoader();
  t.teardown(() => loader.close());
  const loaded = await loadTargetfile(join(dir, 'Targetfile.ts'), loader);
  t.false(loaded.ok);
  if (!loaded.ok) {
    t.is(loaded.error.message, 'error while loading the profile: boom 1');
    t.deepEqual(loaded.error.at, { file: join(dir, 'Targetfile.ts'), line: 5, column: 7 });
  }
});
