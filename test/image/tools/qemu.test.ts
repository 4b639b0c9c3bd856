import test from 'ava';
import { qemuArgs } from '../../../src/image/tools/qemu.ts';

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
