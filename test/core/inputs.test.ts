import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
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
