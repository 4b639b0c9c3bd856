import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputHasher, MissingInput } from '../../src/core/inputs.ts';

function dir(t: { teardown(fn: () => void): void }) {
  const d = mkdtempSync(join(tmpdir(), 'mkimage-inputs-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('globs expand to sorted relative paths with content hashes', (t) => {
  const d = dir(t);
  mkdirSync(join(d, 'src/sub'), { recursive: true });
  writeFileSync(join(d, 'src/b.txt'), 'b');
  writeFileSync(join(d, 'src/sub/a.txt'), 'a');
  writeFileSync(join(d, 'src/c.md'), 'c');
  const files = new InputHasher(d).hash(['src/**/*.txt']);
  t.deepEqual(files.map((f) => f.path), ['src/b.txt', 'src/sub/a.txt']);
  t.is(files[0]!.sha256, '3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d');
});

test('a literal path that is missing throws MissingInput; an empty glob does not', (t) => {
  const d = dir(t);
  t.throws(() => new InputHasher(d).hash(['nope.txt']), { instanceOf: MissingInput });
  t.deepEqual(new InputHasher(d).hash(['*.nope']), []);
});

test('the stat cache reuses old hashes only for files unchanged and not just written', (t) => {
  const d = dir(t);
  const f = join(d, 'x');
  writeFileSync(f, 'one');
  const old = Date.now() / 1000 - 3600;
  utimesSync(f, old, old);
  const first = new InputHasher(d);
  first.hash(['x']);
  const cache = first.snapshot();
  // A cached entry that lies about the content is trusted: proof the cache was used.
  const key = Object.keys(cache)[0]!;
  cache[key]![4] = 'cached';
  t.is(new InputHasher(d, cache).hash(['x'])[0]!.sha256, 'cached');
  // After an edit the stat differs and the file is read again.
  writeFileSync(f, 'two');
  t.not(new InputHasher(d, cache).hash(['x'])[0]!.sha256, 'cached');
});

test('a file hashed just after it was written is read again, even with its stat unchanged', (t) => {
  const d = dir(t);
  // Written now, so hashed within the racy window: a same-second rewrite could keep this stat.
  writeFileSync(join(d, 'x'), 'one');
  const first = new InputHasher(d);
  first.hash(['x']);
  const cache = first.snapshot();
  cache[Object.keys(cache)[0]!]![4] = 'cached';
  t.is(new InputHasher(d, cache).hash(['x'])[0]!.sha256, '7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed', 'read again, not taken from the cache');
});

test('a tree is what a copy copies: mode, empty directories, links (dangling too) and content count; times do not', (t) => {
  const d = dir(t);
  mkdirSync(join(d, 'rootfs/etc'), { recursive: true });
  writeFileSync(join(d, 'rootfs/etc/motd'), 'hello\n');
  const hash = () => new InputHasher(d).tree('rootfs').sha256;
  const seen = [hash()];
  const changes: Array<[string, () => void]> = [
    ['chmod of a file', () => chmodSync(join(d, 'rootfs/etc/motd'), 0o755)],
    ['a new empty directory', () => mkdirSync(join(d, 'rootfs/etc/empty.d'))],
    ['a link that dangles on the host', () => symlinkSync('/lib/systemd/system/foo.service', join(d, 'rootfs/etc/foo.service'))],
    ['another link target', () => {
      rmSync(join(d, 'rootfs/etc/foo.service'));
      symlinkSync('/lib/systemd/system/bar.service', join(d, 'rootfs/etc/foo.service'));
    }],
    ['content', () => writeFileSync(join(d, 'rootfs/etc/motd'), 'bye\n')],
    ['chmod of a directory', () => chmodSync(join(d, 'rootfs/etc/empty.d'), 0o700)],
  ];
  for (const [what, change] of changes) {
    change();
    const h = hash();
    t.false(seen.includes(h), what);
    seen.push(h);
  }
  utimesSync(join(d, 'rootfs/etc/motd'), 1000, 1000);
  t.is(hash(), seen.at(-1)!, 'an mtime is not copied, so it is no input');
  t.throws(() => new InputHasher(d).tree('nope'), { instanceOf: MissingInput, message: 'declared input tree nope does not exist' });
});

test('changedSince: a file or a tree entry changed while the recipe read it', (t) => {
  const d = dir(t);
  mkdirSync(join(d, 'rootfs'));
  writeFileSync(join(d, 'rootfs/a'), 'a');
  writeFileSync(join(d, 'x'), 'x');
  const hasher = new InputHasher(d);
  const tree = hasher.tree('rootfs');
  const [file] = hasher.hash(['x']);
  const read = { files: [file!.abs], trees: [[tree.abs, tree.signature] as const] };
  t.is(hasher.changedSince(read), undefined);
  mkdirSync(join(d, 'rootfs/new'));
  t.is(hasher.changedSince(read), 'rootfs');
  rmSync(join(d, 'rootfs/new'), { recursive: true });
  t.is(hasher.changedSince(read), undefined, 'the same listing again');
  writeFileSync(join(d, 'x'), 'xx');
  t.is(hasher.changedSince(read), 'x');
});
