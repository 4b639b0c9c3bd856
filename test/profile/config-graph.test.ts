// The graph of a fixture profile, against golden files (UPDATE_GOLDEN=1 rewrites them after
// a deliberate change; review the diff).

import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configGraph, toDot, toJson, toMermaid, toTree, withStages, type StageNode } from '../../src/profile/config-graph.ts';
import { resolveDistro } from '../../src/profile/resolve.ts';
import { FIXTURES, loadFixture } from '../helpers/profile-fixture.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const library = loadFixture(join(FIXTURES, 'basic'));

/** A pipeline as the CLI hands it over (the image stages of a live ISO, or of a tarball). */
const PIPELINES: Record<string, StageNode[]> = {
  iso: [
    { name: 'bootstrap', needs: [] },
    { name: 'packages', needs: ['bootstrap'] },
    { name: 'overlay', needs: ['packages'] },
    { name: 'hooks', needs: ['overlay'] },
    { name: 'cleanup', needs: ['hooks'] },
    { name: 'squashfs', needs: ['cleanup'] },
    { name: 'boot-files', needs: ['cleanup'] },
    { name: 'iso', needs: ['squashfs', 'boot-files'] },
  ],
  tar: [
    { name: 'bootstrap', needs: [] },
    { name: 'packages', needs: ['bootstrap'] },
    { name: 'overlay', needs: ['packages'] },
    { name: 'hooks', needs: ['overlay'] },
    { name: 'cleanup', needs: ['hooks'] },
    { name: 'tar', needs: ['cleanup'] },
  ],
};

async function graph(vars: boolean, stages?: keyof typeof PIPELINES) {
  const lib = await library;
  const p = resolveDistro(lib, 'app');
  if (!p.ok) throw new Error(p.error.message);
  const config = configGraph(lib, p.value, { vars });
  return stages ? withStages(config, PIPELINES[stages]!) : config;
}

/** A missing golden file fails the test (a test that writes what it compares with cannot fail); UPDATE_GOLDEN=1 writes it. */
function golden(t: { is(a: string, b: string, m?: string): void; fail(m: string): void }, name: string, actual: string) {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  if (!existsSync(path)) return t.fail(`golden file ${name} is missing: run with UPDATE_GOLDEN=1 and review it`);
  t.is(actual, readFileSync(path, 'utf8'), `golden file ${name}`);
}

test('dot', async (t) => golden(t, 'app.dot', toDot(await graph(false))));
test('dot with --vars and --stages', async (t) => golden(t, 'app.vars-stages.dot', toDot(await graph(true, 'iso'))));
test('mermaid', async (t) => golden(t, 'app.mermaid', toMermaid(await graph(true))));
test('json', async (t) => golden(t, 'app.json', toJson(await graph(true, 'tar'))));
test('tree', async (t) => golden(t, 'app.tree', toTree(await graph(true, 'iso'))));

test('no applied node is missing from the graph; needs, feature and stage edges are drawn, each joining two drawn nodes', async (t) => {
  const g = await graph(true, 'iso');
  const ids = new Set(g.nodes.map((n) => n.id));
  for (const name of ['app', '.common', 'use/core', 'use/web', 'use/db', '+stack', 'use/tools']) t.true(ids.has(name), name);
  for (const f of ['core', 'web', 'db', 'tools']) t.true(ids.has(`feature:${f}`), f);
  // One edge of each kind must be there: with no edges at all, the loop below would pass.
  const edge = (from: string, to: string) => g.edges.some((e) => e.from === from && e.to === to);
  for (const [from, to] of [['app', '.common'], ['use/web', 'feature:web'], ['app', 'stage:bootstrap']] as const) t.true(edge(from, to), `${from} -> ${to} is drawn`);
  for (const e of g.edges) t.true(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`);
});
