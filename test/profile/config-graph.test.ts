// The graph of a fixture profile, against golden files (UPDATE_GOLDEN=1 rewrites them after
// a deliberate change; review the diff).

import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configGraph, toDot, toJson, toMermaid, toTree, withPackages, withStages, type StageNode } from '../../src/profile/config-graph.ts';
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

test('package builds: from the feature that declares them or the build they are rebuilt against, into the packages stage', async (t) => {
  const g = withPackages(await graph(false, 'tar'), [
    { name: 'jansson', version: '2.14-2+mkimage1', feature: 'own-jansson', after: [], taken: true },
    { name: 'jshon', version: '20131010-3.1+mkimage1+b1', after: ['jansson'], taken: true },
    { name: 'libfoo', version: '1.0-1+mkimage1', feature: 'own-jansson', after: [], taken: false },
  ]);
  const edges = g.edges.filter((e) => e.kind === 'package').map((e) => `${e.from} -> ${e.to}`);
  t.deepEqual(edges, [
    'feature:own-jansson -> package:jansson',
    'package:jansson -> stage:packages',
    'package:jansson -> package:jshon',
    'package:jshon -> stage:packages',
    'feature:own-jansson -> package:libfoo',
  ]);
  // The declaring feature is drawn even when no mixin of the distro is in it.
  t.is(g.nodes.filter((n) => n.id === 'feature:own-jansson').length, 1);
  for (const e of g.edges) t.true(g.nodes.some((n) => n.id === e.from) && g.nodes.some((n) => n.id === e.to), `${e.from} -> ${e.to}`);
  const tree = toTree(g);
  t.regex(tree, /^package builds:\n {2}jansson 2\.14-2\+mkimage1 {2}<- feature own-jansson\n {2}jshon 20131010-3\.1\+mkimage1\+b1 {2}<- jansson\n {2}libfoo 1\.0-1\+mkimage1 {2}<- feature own-jansson {2}\(built against, not installed\)$/m);
  t.regex(toDot(g), /"package:jshon" \[label="jshon 20131010-3\.1\+mkimage1\+b1", shape=component/);
  // Without --stages the builds feed the distro.
  t.true(withPackages(await graph(false), [{ name: 'jansson', version: '1', after: [], taken: true }]).edges.some((e) => e.from === 'package:jansson' && e.to === 'app'));
});
