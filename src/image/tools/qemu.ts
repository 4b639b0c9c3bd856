// qemu, for the boot check: an ISO booted with its serial console on a socket.

import type { HostFile, Tool } from './tool.ts';

export const QEMU: Tool = { file: 'qemu-system-x86_64', version: ['--version'], package: 'qemu-system-x86' };
export const OVMF: HostFile = { path: '/usr/share/ovmf/OVMF.fd', package: 'ovmf' };

export interface QemuOptions {
  readonly iso: string;
  readonly uefi: boolean;
  readonly accel: 'kvm' | 'tcg';
  /** A unix socket qemu listens on for the serial console (it waits for us to connect). */
  readonly serialSocket: string;
  readonly memoryMiB: number;
}

export function qemuArgs(o: QemuOptions): string[] {
  return [
    '-name',
    'mkimage-boot-check',
    ...(o.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi']),
    '-m',
    String(o.memoryMiB),
    '-smp',
    '2',
    '-display',
    'none',
    '-monitor',
    'none',
    '-no-reboot',
    '-chardev',
    `socket,id=console,path=${qemuPath(o.serialSocket)},server=on,wait=on`,
    '-serial',
    'chardev:console',
    '-drive',
    `file=${qemuPath(o.iso)},media=cdrom,readonly=on,format=raw`,
    '-boot',
    'order=d',
    // A NIC with DHCP, so networkd and ssh come up as on a real machine.
    '-nic',
    'user,model=virtio-net-pci',
    ...(o.uefi ? ['-bios', OVMF.path] : []),
  ];
}

/** A path inside a qemu option list: commas separate options, a doubled one is literal. */
function qemuPath(path: string): string {
  return path.replaceAll(',', ',,');
}
