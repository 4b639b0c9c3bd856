import test from 'ava';
import { fatSerial } from '../../../src/image/derive.ts';
import { GRUB_EFI_MODULES, grubMkimageArgs, mkfsVfatArgs } from '../../../src/image/tools/efi-image.ts';
import { testConfig } from '../helpers/image-config.ts';

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
