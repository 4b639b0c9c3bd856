import test from 'ava';
import {
  GRUB_EFI_MODULES,
  grubMkimageArgs,
  mkfsVfatArgs,
  mksquashfsArgs,
  mmdebstrapArgs,
  qemuArgs,
  requiredHostPackages,
  tarArgs,
  unshareArgs,
  xorrisoArgs,
} from '../../src/image/tools.ts';
import { fatSerial, gptDiskGuid } from '../../src/image/derive.ts';
import { testConfig } from './helpers/image-config.ts';

test('mmdebstrap: variant, components, base packages, then suite, root and sources last', (t) => {
  const args = mmdebstrapArgs(testConfig({ basePackages: ['a', 'b'] }), '/r', ['/etc/apt/sources.list.d/debian.sources']);
  t.true(args.includes('--mode=root'));
  t.true(args.includes('--variant=minbase'));
  t.true(args.includes('--components=main'));
  t.true(args.includes('--include=a,b'));
  t.true(args.includes('--dpkgopt=path-exclude=/usr/share/doc/*'));
  t.deepEqual(args.slice(-3), ['bookworm', '/r', '/etc/apt/sources.list.d/debian.sources']);
  t.false(args.some((a) => a.startsWith('--skip')));
});

test('mmdebstrap: an apt cache keeps the essential .debs and syncs the archive in and out', (t) => {
  const args = mmdebstrapArgs(testConfig(), '/r', [], '/cache');
  t.true(args.includes('--skip=essential/unlink'));
  t.true(args.includes('--setup-hook=sync-in /cache /var/cache/apt/archives/'));
  t.true(args.includes('--customize-hook=sync-out /var/cache/apt/archives /cache'));
});

test('mmdebstrap: no base packages, no --include', (t) => {
  t.false(mmdebstrapArgs(testConfig({ basePackages: [] }), '/r', []).some((a) => a.startsWith('--include')));
});

test('unshare: private mounts and PIDs always, a network namespace unless asked for network', (t) => {
  const isolated = unshareArgs('/r', false);
  t.deepEqual(isolated.slice(0, 6), ['--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child']);
  t.true(isolated.includes('--net'));
  t.false(unshareArgs('/r', true).includes('--net'));
  t.deepEqual(isolated.slice(-3), ['mkimage-in-root', '/r', '0']);
  t.is(unshareArgs('/r', true).at(-1), '1');
});

test('mksquashfs: zstd 3 for fast, xz for tight, the excludes last (-e eats the rest)', (t) => {
  const fast = mksquashfsArgs(testConfig(), '/r', '/o/fs.squashfs');
  t.deepEqual(fast.slice(0, 3), ['/r', '/o/fs.squashfs', '-noappend']);
  t.deepEqual(fast.slice(fast.indexOf('-comp'), fast.indexOf('-comp') + 4), ['-comp', 'zstd', '-Xcompression-level', '3']);
  t.deepEqual(fast.slice(-3), ['-e', 'boot/vmlinuz-*', 'boot/initrd.img-*']);
  const tight = mksquashfsArgs(testConfig({ compression: 'tight' }), '/r', '/o');
  t.deepEqual(tight.slice(tight.indexOf('-comp'), tight.indexOf('-comp') + 2), ['-comp', 'xz']);
  // Timestamps come from SOURCE_DATE_EPOCH: mksquashfs refuses both.
  t.false(fast.includes('-mkfs-time') || fast.includes('-all-time'));
});

test('xorriso: volume id, fixed dates and GPT GUID, BIOS and EFI boot, grafts last', (t) => {
  const c = testConfig();
  const args = xorrisoArgs(c, { bootTree: '/b', squashfs: '/s/filesystem.squashfs', diskInfo: '/t/info' }, '/o/x.iso');
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  t.deepEqual(args.slice(0, 2), ['-as', 'mkisofs']);
  t.is(after('-o'), '/o/x.iso');
  t.is(after('-V'), 'TEST_SERVER');
  t.true(args.includes('--modification-date=2023111422132000'));
  t.is(after('--set_all_file_dates'), '2023111422132000');
  t.is(after('--gpt_disk_guid'), gptDiskGuid(c));
  t.is(after('-isohybrid-mbr'), '/usr/lib/ISOLINUX/isohdpfx.bin');
  t.is(after('-b'), 'isolinux/isolinux.bin');
  t.is(after('-e'), 'boot/grub/efi.img');
  t.true(args.indexOf('-eltorito-alt-boot') < args.indexOf('-e'));
  t.true(args.includes('-isohybrid-gpt-basdat'));
  t.deepEqual(args.slice(-4), ['-graft-points', '/b', '/live/filesystem.squashfs=/s/filesystem.squashfs', '/.disk/info=/t/info']);
});

test('grub-mkimage: x86_64-efi with the embedded config and the modules', (t) => {
  const args = grubMkimageArgs('/t/BOOTX64.EFI', '/t/embed.cfg');
  t.deepEqual(args.slice(0, 5), ['--format=x86_64-efi', '--output=/t/BOOTX64.EFI', '--prefix=/boot/grub', '--config=/t/embed.cfg', '--directory=/usr/lib/grub/x86_64-efi']);
  t.deepEqual(args.slice(5), [...GRUB_EFI_MODULES]);
  t.true(GRUB_EFI_MODULES.includes('search_label') && GRUB_EFI_MODULES.includes('iso9660'));
});

test('mkfs.vfat: --invariant before the derived serial (the later option wins)', (t) => {
  const c = testConfig();
  const args = mkfsVfatArgs(c, '/o/efi.img', 2048);
  t.true(args.indexOf('--invariant') < args.indexOf('-i'));
  t.is(args[args.indexOf('-i') + 1], fatSerial(c));
  t.deepEqual(args.slice(-2), ['/o/efi.img', '2048']);
});

test('tar: sorted, clamped, numeric owners, pax without atime/ctime, xattrs and ACLs', (t) => {
  const args = tarArgs(testConfig(), '/r', '/o/x.tar.zst');
  for (const flag of ['--sort=name', '--format=posix', '--mtime=@1700000000', '--clamp-mtime', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--zstd']) {
    t.true(args.includes(flag), flag);
  }
  t.true(args.includes('--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime'));
  t.is(args.at(-1), '.');
});

test('qemu: tcg or kvm, OVMF only for UEFI, the serial console on a waiting socket', (t) => {
  const base = { iso: '/i/x.iso', serialSocket: '/t/s.sock', memoryMiB: 1024 };
  const bios = qemuArgs({ ...base, uefi: false, accel: 'tcg' });
  t.is(bios[bios.indexOf('-accel') + 1], 'tcg,thread=multi');
  t.false(bios.includes('-bios'));
  t.true(bios.includes('socket,id=console,path=/t/s.sock,server=on,wait=on'));
  t.true(bios.includes('-no-reboot'));
  const uefi = qemuArgs({ ...base, uefi: true, accel: 'kvm' });
  t.is(uefi[uefi.indexOf('-bios') + 1], '/usr/share/ovmf/OVMF.fd');
  t.deepEqual(uefi.slice(uefi.indexOf('-accel'), uefi.indexOf('-accel') + 4), ['-accel', 'kvm', '-cpu', 'host']);
});

test('qemu: commas in paths are doubled', (t) => {
  const args = qemuArgs({ iso: '/i/a,b.iso', serialSocket: '/t/s', memoryMiB: 512, uefi: false, accel: 'tcg' });
  t.true(args.includes('file=/i/a,,b.iso,media=cdrom,readonly=on,format=raw'));
});

test('required host packages: sorted, unique, with every tool and boot file', (t) => {
  t.deepEqual([...requiredHostPackages], [...new Set(requiredHostPackages)].sort());
  for (const p of ['mmdebstrap', 'squashfs-tools', 'xorriso', 'isolinux', 'syslinux-common', 'grub-efi-amd64-bin', 'mtools', 'dosfstools', 'qemu-system-x86', 'ovmf', 'zstd']) {
    t.true(requiredHostPackages.includes(p), p);
  }
});

test('progress: mmdebstrap prints apt\'s and dpkg\'s lines, mksquashfs its bar (progress.ts reads both)', (t) => {
  t.true(mmdebstrapArgs(testConfig(), '/r', []).includes('--verbose'));
  const squash = mksquashfsArgs(testConfig(), '/r', '/o');
  t.true(squash.includes('-quiet'));
  t.false(squash.includes('-no-progress'));
});
