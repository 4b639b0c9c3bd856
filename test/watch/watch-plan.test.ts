import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WatchPlan } from '../../src/watch/watch-plan.ts';
import { specs } from '../helpers/targets.ts';

function project(t: { teardown(fn: () => void): void }, files: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-watch-plan-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), f);
  }
  const add = (f: string) => {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), f);
  };
  const plan = WatchPlan.of({
    root,
    modules: ['Targetfile.ts', 'lib/util.ts', 'conf.d/base.ts'],
    profileDirs: ['conf.d', 'features'],
    targets: specs({
      one: { files: ['one.txt', 'missing/later.txt'] },
      txt: { files: ['b/*.txt'] },
      src: { files: ['src/**/*.c'] },
      host: { files: ['/etc/host-tool/*.conf'] },
      overlay: { files: ['features/web/rootfs/**'] },
      all: { deps: ['one', 'txt'] },
    }),
    ignored: ['out', '.store'],
  });
  return { root, plan, p: (f: string) => join(root, f), add };
}

const FILES = ['Targetfile.ts', 'lib/util.ts', 'conf.d/base.ts', 'one.txt', 'b/x.txt', 'src/a/b.c'];

test('roots: modules, inputs, glob bases and profile dirs; nothing inside what is watched whole', (t) => {
  const { plan, p } = project(t, FILES);
  t.deepEqual(plan.roots(), ['/etc/host-tool', p('Targetfile.ts'), p('b'), p('b/x.txt'), p('conf.d'), p('features'), p('lib/util.ts'), p('missing/later.txt'), p('one.txt'), p('src')].sort());
  t.deepEqual(plan.counts(), { files: 7, dirs: 5 });
  t.deepEqual(plan.targets.get('all' as never)?.dependents, []);
  t.deepEqual(plan.targets.get('one' as never)?.dependents, ['all']);
});

test('touches: which targets read a path, or whether it is profile code', (t) => {
  const { plan, p, add } = project(t, FILES);
  t.deepEqual(plan.touches(p('one.txt'), 'change'), { profile: false, targets: ['one'] });
  t.deepEqual(plan.touches(p('lib/util.ts'), 'change'), { profile: true, targets: [] });
  t.deepEqual(plan.touches(p('features/x/rootfs/etc/motd'), 'add'), { profile: true, targets: [] });
  t.deepEqual(plan.touches(p('features/new'), 'addDir'), { profile: true, targets: [] });
  add('features/web/rootfs/etc/motd');
  t.deepEqual(plan.touches(p('features/web/rootfs/etc/motd'), 'add'), { profile: false, targets: ['overlay'] }, 'an input, though in features/');
  t.deepEqual(plan.touches(p('features/web/rootfs/etc'), 'addDir'), { profile: true, targets: [] });
  t.deepEqual(plan.touches(p('b/x.txt'), 'unlink'), { profile: false, targets: ['txt'] });
  add('b/y.txt');
  add('b/y.md');
  add('src/deep/er/z.c');
  t.deepEqual(plan.touches(p('b/y.txt'), 'add'), { profile: false, targets: ['txt'] });
  t.is(plan.touches(p('b/y.md'), 'add'), undefined, 'matches no glob');
  t.deepEqual(plan.touches(p('src/deep/er/z.c'), 'add'), { profile: false, targets: ['src'] });
  t.is(plan.touches(p('b/sub'), 'addDir'), undefined);
  t.is(plan.touches(p('other.txt'), 'add'), undefined);
});

test('touches: outputs and the store are dropped, even where a deep glob reaches into them', (t) => {
  const { root, p, add } = project(t, FILES);
  for (const f of ['docs/x.note', 'out/notes/x.note', '.store/tmp/x.note']) add(f);
  const plan = WatchPlan.of({ root, modules: ['Targetfile.ts'], profileDirs: [], targets: specs({ notes: { files: ['**/*.note'] } }), ignored: ['out', '.store'] });
  t.deepEqual(plan.touches(p('docs/x.note'), 'change'), { profile: false, targets: ['notes'] }, 'the glob matches a note outside them');
  t.is(plan.touches(p('out/notes/x.note'), 'change'), undefined);
  t.is(plan.touches(p('.store/tmp/x.note'), 'add'), undefined);
});

test('ignores: outputs and the store always; what lies outside every watched area', (t) => {
  const { plan, p, root } = project(t, FILES);
  t.true(plan.ignores(p('out')));
  t.true(plan.ignores(p('.store/tmp/x')));
  t.false(plan.ignores(p('one.txt')));
  t.true(plan.ignores(p('two.txt')), 'a sibling of an input is not watched');
  t.false(plan.ignores(root), 'an ancestor of a watched path is kept');
  t.false(plan.ignores(p('missing')), 'so is the way to an input that does not exist yet');
  t.false(plan.ignores(p('b/y.md')), 'a direct child of a shallow glob base');
  t.true(plan.ignores(p('b/sub/y.txt')), 'but not a grandchild');
  t.false(plan.ignores(p('src/x/y/z.c')), 'a deep glob watches its whole base');
  t.false(plan.ignores(p('conf.d/x.ts')));
});

test('display: relative inside the project, absolute outside', (t) => {
  const { plan, p } = project(t, FILES);
  t.is(plan.display(p('b/x.txt')), 'b/x.txt');
  t.is(plan.display('/etc/host-tool/a.conf'), '/etc/host-tool/a.conf');
});

test('a tree input is watched whole: any entry under it, a new empty directory too, is its target\'s', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-watch-plan-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'features/web/rootfs/etc'), { recursive: true });
  const plan = WatchPlan.of({
    root,
    modules: ['Targetfile.ts'],
    profileDirs: ['features'],
    targets: specs({ overlay: { trees: ['features/web/rootfs'] } }),
    ignored: [],
  });
  const p = (f: string) => join(root, f);
  t.deepEqual(plan.touches(p('features/web/rootfs/etc/motd'), 'change'), { profile: false, targets: ['overlay'] });
  t.deepEqual(plan.touches(p('features/web/rootfs/etc/empty.d'), 'addDir'), { profile: false, targets: ['overlay'] });
  t.deepEqual(plan.touches(p('features/web/rootfs/etc/old'), 'unlink'), { profile: false, targets: ['overlay'] });
  // Beside the tree, in the profile's folder: the profile.
  t.deepEqual(plan.touches(p('features/web/feature.ts'), 'change'), { profile: true, targets: [] });
  t.false(plan.ignores(p('features/web/rootfs/etc/deep/new')));
});
