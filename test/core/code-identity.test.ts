import test from 'ava';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { codeParts, importsOf } from '../../src/core/code-identity.ts';

const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
const STAGES = ['bootstrap', 'packages', 'overlay', 'hooks', 'cleanup', 'squashfs', 'boot-files', 'iso', 'tar'];
const stageUrl = (name: string) => pathToFileURL(join(CHECKOUT, 'src/image/stages', `${name}.ts`)).href;

test('importsOf: value imports, re-exports, side effects and dynamic imports; not type-only ones', (t) => {
  const source = [
    "import { a, type B } from './a.ts';",
    "import type { C } from './c.ts';",
    'import {',
    '  d,',
    '  e,',
    "} from '../d.ts';",
    "import * as ns from 'node:fs';",
    "import './side.ts';",
    "export { f } from './f.ts';",
    "export type { G } from './g.ts';",
    "export * from './h.ts';",
    "const x = await import('execa');",
    'const u = import.meta.url;',
    "export const s = 'import nothing from \"here\"';",
  ].join('\n');
  t.deepEqual(importsOf(source), ['./a.ts', '../d.ts', 'node:fs', './side.ts', './f.ts', './h.ts', 'execa']);
});

test("a stage's code is its module and what it imports: not the engine, not the UI or the CLI, not another stage", (t) => {
  for (const stage of STAGES) {
    const parts = Object.keys(codeParts(stageUrl(stage)));
    const files = parts.filter((p) => p.startsWith('code ')).map((p) => p.slice('code '.length));
    t.true(files.includes(`src/image/stages/${stage}.ts`), stage);
    t.deepEqual(files.filter((f) => f.startsWith('src/image/stages/')), [`src/image/stages/${stage}.ts`], `${stage} reads no other stage's module`);
    t.deepEqual(files.filter((f) => /^src\/(core|ui|cli|watch|profile)\//.test(f)), [], stage);
    // A package counts by its installed version.
    t.true(parts.includes('package execa'), stage);
  }
  const squashfs = codeParts(stageUrl('squashfs'));
  t.true('code src/image/tools/mksquashfs.ts' in squashfs);
  t.false('code src/image/tools/xorriso.ts' in squashfs);
  const execa = JSON.parse(readFileSync(join(CHECKOUT, 'node_modules/execa/package.json'), 'utf8')) as { version: string };
  t.is(squashfs['package execa'], `execa@${execa.version}`);
});

test('the closure is the one esbuild finds when it bundles the stage (type-only imports left out by both)', async (t) => {
  for (const stage of STAGES) {
    const entry = join(CHECKOUT, 'src/image/stages', `${stage}.ts`);
    const result = await build({ absWorkingDir: CHECKOUT, entryPoints: [entry], bundle: true, packages: 'external', platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const inputs = result.metafile.inputs;
    // Walk esbuild's import graph as codeParts does: stop at the engine's own modules.
    const seen = new Set<string>();
    const pending = [relative(CHECKOUT, entry)];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file) || file.startsWith('src/core/')) continue;
      seen.add(file);
      for (const i of inputs[file]?.imports ?? []) if (!i.external) pending.push(i.path);
    }
    const ours = Object.keys(codeParts(pathToFileURL(entry).href)).filter((p) => p.startsWith('code ')).map((p) => p.slice(5));
    t.deepEqual([...ours].sort(), [...seen].sort(), stage);
  }
});

test('another version of one file changes that part only', (t) => {
  const url = stageUrl('squashfs');
  const before = codeParts(url);
  const tools = join(CHECKOUT, 'src/image/tools/mksquashfs.ts');
  const after = codeParts(url, { read: (path) => (path === tools ? readFileSync(path, 'utf8').replace("'1M'", "'512K'") : readFileSync(path, 'utf8')) });
  const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
  t.deepEqual(changed, ['code src/image/tools/mksquashfs.ts']);
});
