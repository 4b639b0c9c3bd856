import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requiredHostPackages } from '../../../src/image/tools/host-packages.ts';

test('required host packages: sorted, unique, with every tool and boot file', (t) => {
  t.deepEqual([...requiredHostPackages], [...new Set(requiredHostPackages)].sort());
  for (const p of ['mmdebstrap', 'squashfs-tools', 'xorriso', 'isolinux', 'syslinux-common', 'grub-efi-amd64-bin', 'mtools', 'dosfstools', 'qemu-system-x86', 'ovmf', 'zstd']) {
    t.true(requiredHostPackages.includes(p), p);
  }
});

test('scripts/host-deps.sh installs every package the image stages need', (t) => {
  const script = readFileSync(join(import.meta.dirname, '../../../scripts/host-deps.sh'), 'utf8');
  const listed = new Set(/PACKAGES="([^"]*)"/.exec(script)?.[1]?.split(/\s+/));
  t.deepEqual(requiredHostPackages.filter((p) => !listed.has(p)), []);
});
