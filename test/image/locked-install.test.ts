import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecipeFailure } from '../../src/core/target.ts';
import { checkInstalledIsLocked, disappeared, fillPool } from '../../src/image/locked-install.ts';
import { lockedInstallScript } from '../../src/image/tools/apt.ts';

/** A root whose dpkg status says these packages are installed. */
function rootWith(t: { teardown(f: () => void): void }, installed: ReadonlyArray<readonly [string, string, string]>): string {
  const root = mkdtempSync(join(tmpdir(), 'mkimage-locked-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), installed.map(([name, version, arch]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: ${arch}\n`).join('\n'));
  return root;
}

const locked = (name: string, version: string, architecture = 'amd64') => ({ name, version, architecture });

test('the installed set must be the lock: nothing more, nothing less, every version the locked one', (t) => {
  const root = rootWith(t, [['libc6', '2.36-9', 'amd64'], ['jq', '1.6-2.1', 'amd64'], ['extra', '1', 'all']]);
  t.notThrows(() => checkInstalledIsLocked(root, [locked('libc6', '2.36-9'), locked('jq', '1.6-2.1'), locked('extra', '1', 'all')], []));
  const e = t.throws(() => checkInstalledIsLocked(root, [locked('libc6', '2.36-10'), locked('jq', '1.6-2.1'), locked('gone', '1', 'all')], []), { instanceOf: RecipeFailure });
  t.regex(e!.message, /^the root is not what the lock says: /);
  t.regex(e!.message, /libc6:amd64 is 2\.36-9, locked 2\.36-10/);
  t.regex(e!.message, /extra:all 1 is installed and not locked/);
  t.regex(e!.message, /gone:all 1 is locked and not installed/);
});

test('a locked package dpkg dropped as disappeared is no difference', (t) => {
  const root = rootWith(t, [['sysvinit-utils', '3.06-4', 'amd64']]);
  const gone = disappeared('Unpacking sysvinit-utils (3.06-4) ...\n(Noting disappearance of lsb-base, which has been completely replaced.)\n');
  t.deepEqual(gone, ['lsb-base']);
  t.notThrows(() => checkInstalledIsLocked(root, [locked('sysvinit-utils', '3.06-4'), locked('lsb-base', '11.6', 'all')], gone));
});

test('offline, a pool that lacks locked files is an error listing each; nothing is fetched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-pool-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = (name: string) => ({ stage: 'bootstrap' as const, name, version: '1.0', architecture: 'amd64', size: 3, sha256: name.repeat(64).slice(0, 64), mirror: 'http://127.0.0.1:9/debian', filename: `pool/${name}.deb` });
  const e = await t.throwsAsync(fillPool([pkg('a'), pkg('b')], { dir, offline: true }, new AbortController().signal), { instanceOf: RecipeFailure });
  t.is(e!.message, '--offline, and the pool lacks 2 locked packages: a 1.0, b 1.0');
  t.regex(e!.details.hint ?? '', /mkimage fetch/);
});

test('the locked install script reads only the repository, installs exact versions and marks dependencies automatic', (t) => {
  const script = lockedInstallScript(['jq'], [locked('jq', '1.6-2.1'), locked('libjq1', '1.6-2.1'), locked('libonig5', '6.9.8-1')]);
  t.regex(script, /Dir::Etc::SourceList=\/var\/lib\/mkimage-lock\/sources\.list/);
  t.regex(script, /install --yes --no-install-recommends .* jq=1\.6-2\.1 libjq1=1\.6-2\.1 libonig5=6\.9\.8-1$/m);
  t.regex(script, /^apt-mark auto libjq1 libonig5 /m);
});
