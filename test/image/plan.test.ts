// An image's stages rerun when what they run changed, and only then. Each case plans the image
// from a copy of mkimage's sources (one file edited in some) or of a feature's rootfs/ (one
// entry changed), and builds it through the engine with stand-in recipes whose output is their
// recipe: a stage that reruns with a new recipe changes what the stages after it read.

import test from 'ava';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { canonicalJson } from '../../src/core/canonical.ts';
import { build } from '../../src/core/engine.ts';
import { TargetGraph } from '../../src/core/graph.ts';
import type { BuildState } from '../../src/core/state.ts';
import type { TargetSpec } from '../../src/core/target.ts';
import type { ImageConfig } from '../../src/image/config.ts';
import type * as Plan from '../../src/image/plan.ts';
import { FakeStore } from '../helpers/fake-store.ts';
import { FIXTURES, testConfig } from './helpers/image-config.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A checkout of mkimage (its sources and packages) with `edits` applied. */
function checkout(t: { teardown(f: () => void): void }, edits: Record<string, (text: string) => string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-checkout-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(REPO, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`the edit of ${file} changed nothing`);
    writeFileSync(path, after);
  }
  return dir;
}

/** A project with the image fixtures' features, so their rootfs/ can be changed. */
function project(t: { teardown(f: () => void): void }): { root: string; config: ImageConfig } {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-plan-project-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(FIXTURES, 'features'), join(root, 'features'), { recursive: true });
  const base = testConfig();
  const config = testConfig({
    overlays: base.overlays.map((o) => ({ ...o, dir: join(root, 'features', o.feature, 'rootfs') })),
    hooks: base.hooks.map((h) => ({ ...h, path: join(root, 'features', h.feature, 'hooks', h.path.split('/').at(-1)!) })),
  });
  return { root, config };
}

/** Builds the plan of a checkout with stand-in recipes; returns the stages that ran, with why. */
function builder(t: { teardown(f: () => void): void }, root: string) {
  const store = new FakeStore();
  t.teardown(() => store.dispose());
  let previous: BuildState | undefined;
  return async (dir: string, config: ImageConfig): Promise<Map<string, readonly string[]>> => {
    const { imageTargets } = (await import(pathToFileURL(join(dir, 'src/image/plan.ts')).href)) as typeof Plan;
    const specs = imageTargets({ config, type: 'iso', root, commit: 'test' }).map(standIn);
    const graph = TargetGraph.build(specs);
    if (!graph.ok) throw new Error(graph.error.message);
    const ran = new Map<string, readonly string[]>();
    const result = await build({
      graph: graph.value,
      goals: [specs.at(-1)!.id],
      store,
      root,
      logsDir: join(store.root, 'logs'),
      jobs: 2,
      emit: (e) => void (e.type === 'started' && ran.set(e.target, e.reasons)),
      ...(previous && { previous }),
    });
    if (!result.ok) throw new Error('the build failed');
    previous = result.state;
    return ran;
  };
}

/** The stage with a recipe that writes its identity and what it read, and tools that answer at once. */
function standIn(spec: TargetSpec): TargetSpec {
  const identity = createHash('sha256').update(canonicalJson({ parts: spec.recipe.parts, values: spec.inputs.values })).digest('hex');
  return {
    ...spec,
    tools: Object.fromEntries(Object.keys(spec.tools).map((name) => [name, { key: `stand-in ${name}`, version: async () => '1' }])),
    run: async (ctx) => {
      const read = Object.values(ctx.deps).map((d) => readFileSync(join(d, 'recipe'), 'utf8'));
      writeFileSync(join(ctx.out, 'recipe'), [identity, ...read].join('\n'));
    },
  };
}

const ALL = ['test-server/bootstrap', 'test-server/overlay', 'test-server/hooks', 'test-server/cleanup', 'test-server/squashfs', 'test-server/boot-files', 'test-server.iso'];

test('a tool flag of one stage reruns that stage and those after it, naming the change; a UI, CLI or other stage edit reruns nothing', async (t) => {
  const { root, config } = project(t);
  const buildFrom = builder(t, root);
  const base = checkout(t);
  t.deepEqual([...(await buildFrom(base, config)).keys()].sort(), [...ALL].sort());
  t.deepEqual([...(await buildFrom(base, config)).keys()], [], 'a no-op');

  const flag = checkout(t, { 'src/image/tools/mksquashfs.ts': (s) => s.replace("'1M'", "'512K'") });
  const ran = await buildFrom(flag, config);
  t.deepEqual([...ran.keys()], ['test-server/squashfs', 'test-server.iso']);
  t.deepEqual(ran.get('test-server/squashfs'), ['recipe: code src/image/tools/mksquashfs.ts changed', 'recipe: runs mksquashfs changed']);
  t.deepEqual(ran.get('test-server.iso'), ['prerequisite squashfs output changed']);

  const elsewhere = checkout(t, {
    'src/image/tools/mksquashfs.ts': (s) => s.replace("'1M'", "'512K'"),
    'src/ui/live/screen.ts': (s) => `${s}\n// an edit of the UI\n`,
    'src/cli/main.ts': (s) => `${s}\n// an edit of the CLI\n`,
    'src/image/stages/tar.ts': (s) => `${s}\n// an edit of the tar stage\n`,
    'src/image/tools/tar.ts': (s) => s.replace("'--sort=name'", "'--sort=none'"),
  });
  t.deepEqual([...(await buildFrom(elsewhere, config)).keys()], [], 'the UI, the CLI and the tar stage are not in an ISO stage\'s recipe');
});

test('a helper that two stages run reruns both, and what follows them', async (t) => {
  const { root, config } = project(t);
  const buildFrom = builder(t, root);
  await buildFrom(checkout(t), config);
  const inRoot = checkout(t, { 'src/image/in-root.ts': (s) => s.replace("DEBIAN_FRONTEND: 'noninteractive'", "DEBIAN_FRONTEND: 'noninteractive', MKIMAGE: '1'") });
  const ran = await buildFrom(inRoot, config);
  t.deepEqual([...ran.keys()].sort(), ['test-server.iso', 'test-server/boot-files', 'test-server/cleanup', 'test-server/hooks', 'test-server/squashfs']);
  t.deepEqual(ran.get('test-server/hooks'), ['recipe: code src/image/in-root.ts changed']);
});

test('a rootfs/ entry changed in mode, a new empty directory or a dangling link reruns the overlay', async (t) => {
  const { root, config } = project(t);
  const buildFrom = builder(t, root);
  const base = checkout(t);
  await buildFrom(base, config);
  const rootfs = join(root, 'features/motd/rootfs');
  const changes: Array<[string, () => void]> = [
    ['chmod 755 of a file', () => chmodSync(join(rootfs, 'etc/motd'), 0o755)],
    ['a new empty directory', () => mkdirSync(join(rootfs, 'etc/empty.d'))],
    ['a link that dangles on the host', () => {
      mkdirSync(join(rootfs, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
      symlinkSync('/lib/systemd/system/foo.service', join(rootfs, 'etc/systemd/system/multi-user.target.wants/foo.service'));
    }],
  ];
  for (const [what, change] of changes) {
    change();
    const ran = await buildFrom(base, config);
    t.true(ran.has('test-server/overlay'), what);
    t.deepEqual(ran.get('test-server/overlay'), [`tree ${join('features/motd/rootfs')} changed`], what);
  }
});

test('hooks get the variables their features read: another variable leaves them cached, theirs reruns them, naming it', async (t) => {
  const { root, config } = project(t);
  const buildFrom = builder(t, root);
  const base = checkout(t);
  await buildFrom(base, { ...config, hookEnv: { GREETING: 'hello', HOSTNAME: 'web' } });
  t.deepEqual([...(await buildFrom(base, { ...config, hookEnv: { GREETING: 'hello', HOSTNAME: 'www' } })).keys()], [], 'no hook reads HOSTNAME');
  const ran = await buildFrom(base, { ...config, hookEnv: { GREETING: 'hi', HOSTNAME: 'www' } });
  t.true(ran.has('test-server/hooks'));
  t.deepEqual(ran.get('test-server/hooks'), ['value hookEnv: GREETING: "hello" -> "hi"']);
});
