// The graph of a fixture profile, against golden files (UPDATE_GOLDEN=1 rewrites them after
// a deliberate change; review the diff).

import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configGraph, toDot, toJson, toMermaid, toTree } from '../../src/profile/config-graph.ts';
import { resolveDistro } from '../../src/profile/resolve.ts';
import { FIXTURES, loadFixture } from '../helpers/profile-fixture.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const library = loadFixture(join(FIXTURES, 'basic'));

async function graph(vars: boolean, stages?: string) {
  const lib = await library;
  const p = resolveDistro(lib, 'app');
  if (!p.ok) throw new Error(p.error.message);
  return configGraph(lib, p.value, { vars, ...(stages && { stages }) });
}

function golden(t: { is(a: string, b: string, m?: string): void }, name: string, actual: string) {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  t.is(actual, readFileSync(path, 'utf8'), `golden file ${name}`);
}

test('dot', async (t) => golden(t, 'app.dot', toDot(await graph(false))));
test('dot with --vars and --stages', async (t) => golden(t, 'app.vars-stages.dot', toDot(await graph(true, 'iso'))));
test('mermaid', async (t) => golden(t, 'app.mermaid', toMermaid(await graph(true))));
test('json', async (t) => golden(t, 'app.json', toJson(await graph(true, 'tar'))));
test('tree', async (t) => golden(t, 'app.tree', toTree(await graph(true, 'iso'))));

test('no applied node is missing from the graph, and every edge joins two drawn nodes', async (t) => {
  const g = await graph(true, 'iso');
  const ids = new Set(g.nodes.map((n) => n.id));
  for (const name of ['app', '.common', 'use/core', 'use/web', 'use/db', '+stack', 'use/tools']) t.true(ids.has(name), name);
  for (const f of ['core', 'web', 'db', 'tools']) t.true(ids.has(`feature:${f}`), f);
  for (const e of g.edges) t.true(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`);
});
