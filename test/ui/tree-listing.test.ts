import test from 'ava';
import { diffManifests } from '../../src/cache/tree-diff.ts';
import type { TreeEntry, TreeManifest } from '../../src/cache/tree.ts';
import { diffPackages } from '../../src/image/package-diff.ts';
import { diffLines, entryLine, modeString, ownersFrom } from '../../src/ui/tree-listing.ts';

const pkg = (name: string, version: string) => ({ name, version, architecture: 'amd64', installedKiB: 1 });
const file = (path: string, sha: string, size: number, mode = 0o644): TreeEntry => ({ path, type: 'file', mode, uid: 0, gid: 0, size, sha256: sha.repeat(64), mtimeNs: '0' });
const tree = (entries: TreeEntry[]): TreeManifest => ({ entries, files: entries.length, bytes: 0 });

test('two builds that differ by one file and one package: a changelog of both', (t) => {
  const before = tree([file('etc/motd', 'a', 5), file('usr/bin/x', 'b', 10, 0o755)]);
  const after = tree([file('etc/motd', 'c', 9), file('usr/bin/x', 'b', 10, 0o755)]);
  const packages = diffPackages([pkg('nginx', '1.22'), pkg('less', '590')], [pkg('nginx', '1.24'), pkg('less', '590')]);
  const files = diffManifests(before, after);
  const map = (m: TreeManifest) => new Map(m.entries.map((e) => [e.path, e]));
  t.deepEqual(diffLines({ a: 'old', b: 'new', packages, files, before: map(before), after: map(after) }), [
    '--- old',
    '+++ new',
    'packages: 0 added, 0 removed, 1 changed',
    '  ~ nginx 1.22 -> 1.24',
    'files: 0 added, 0 removed, 1 changed',
    '  ~ /etc/motd: content (5B -> 9B)',
  ]);
});

test('added, removed, mode and owner changes', (t) => {
  const before = tree([file('a', 'a', 1), file('b', 'b', 2, 0o4755)]);
  const after = tree([{ ...file('b', 'b', 2, 0o755), uid: 33 }, file('c', 'c', 3)]);
  const files = diffManifests(before, after);
  const map = (m: TreeManifest) => new Map(m.entries.map((e) => [e.path, e]));
  const lines = diffLines({ a: 'x', b: 'y', packages: diffPackages([pkg('old', '1')], [pkg('new', '2')]), files, before: map(before), after: map(after) });
  t.deepEqual(lines.slice(2), [
    'packages: 1 added, 1 removed, 0 changed',
    '  + new 2',
    '  - old 1',
    'files: 1 added, 1 removed, 1 changed',
    '  - /a (1B)',
    '  ~ /b: mode -rwsr-xr-x -> -rwxr-xr-x, uid 0 -> 33',
    '  + /c (3B)',
  ]);
});

test('ls lines: modes as ls draws them, owners by the image\'s own names', (t) => {
  t.is(modeString('dir', 0o1777), 'drwxrwxrwt');
  t.is(modeString('file', 0o2644), '-rw-r-Sr--');
  const owners = ownersFrom('root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n', 'root:x:0:\nwww-data:x:33:\n');
  t.is(entryLine({ ...file('var/www/index.html', 'a', 12), uid: 33, gid: 33 }, owners), '-rw-r--r-- www-data:www-data        12 /var/www/index.html');
  t.is(entryLine({ path: 'bin', type: 'symlink', mode: 0o777, uid: 0, gid: 0, target: 'usr/bin', mtimeNs: '0' }, owners), 'lrwxrwxrwx root:root             - /bin -> usr/bin');
});
