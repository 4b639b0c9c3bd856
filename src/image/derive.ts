// Values the tools would otherwise take from the clock or /dev/urandom (salts, serials, GUIDs,
// dates), derived from the config instead: the same config gives the same bytes.

import { createHash } from 'node:crypto';
import type { ImageConfig } from './config.ts';

/** sha256 of a purpose and config fields: one stream of bytes per derived value. */
function seed(purpose: string, ...parts: readonly (string | number)[]): Buffer {
  return createHash('sha256').update(JSON.stringify([purpose, ...parts])).digest();
}

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The crypt(3) salt of the root password: 16 characters (sha512-crypt's maximum). It depends on
 * the distro and the password, so two distros sharing a password still get different hashes.
 */
export function passwordSalt(c: Pick<ImageConfig, 'name' | 'rootPassword'>): string {
  const bytes = seed('password-salt', c.name, c.rootPassword ?? '');
  return [...bytes.subarray(0, 16)].map((b) => CRYPT_ALPHABET[b % 64]).join('');
}

/** Volume serial of the EFI FAT image (8 hex digits, mkfs.vfat -i). */
export function fatSerial(c: Pick<ImageConfig, 'name' | 'volumeId'>): string {
  return seed('fat-serial', c.name, c.volumeId).subarray(0, 4).toString('hex');
}

/** GPT disk GUID of the hybrid ISO (32 hex digits), marked as an RFC 4122 version-4 GUID. */
export function gptDiskGuid(c: Pick<ImageConfig, 'name' | 'volumeId' | 'sourceDateEpoch'>): string {
  const b = seed('gpt-disk-guid', c.name, c.volumeId, c.sourceDateEpoch).subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b.toString('hex');
}

/** xorriso's timestring: YYYYMMDDhhmmsscc in UTC. */
export function isoTimestamp(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14) + '00';
}

/** /etc/shadow counts days since the epoch ("last password change"). */
export function shadowDay(epoch: number): number {
  return Math.floor(epoch / 86400);
}

/** The serial port number of a ttySN device (isolinux and grub count ports, not devices). */
export function serialUnit(device: string): number | null {
  const m = /^ttyS(\d+)$/.exec(device);
  return m ? Number(m[1]) : null;
}

/**
 * The kernel command line of the live system. The serial console comes last so that it is
 * /dev/console (where systemd's messages go) and systemd starts a getty on it.
 */
export function kernelCmdline(c: Pick<ImageConfig, 'serial' | 'kernelCmdline'>): string[] {
  return [
    'boot=live',
    ...(c.serial ? ['console=tty0', `console=${c.serial.device},${c.serial.speed}`] : []),
    ...c.kernelCmdline,
  ];
}
