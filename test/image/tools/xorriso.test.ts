import test from 'ava';
import { gptDiskGuid } from '../../../src/image/derive.ts';
import { xorrisoArgs } from '../../../src/image/tools/xorriso.ts';
import { testConfig } from '../helpers/image-config.ts';

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
