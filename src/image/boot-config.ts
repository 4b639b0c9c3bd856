// The text of the boot loaders' configuration and of the ISO's .disk/info, from the config
// alone (pure, so tests compare it directly).

import type { ImageConfig } from './config.ts';

/** What the boot loaders' menus are made of. */
export type BootMenuConfig = Pick<ImageConfig, 'name' | 'description' | 'serial' | 'kernelCmdline' | 'bootTimeout'>;
import { isoTimestamp, kernelCmdline, serialUnit } from './derive.ts';
import { ISO_PATHS } from './live-layout.ts';

/** isolinux (BIOS): one entry, booted after the configured wait; SERIAL must be the first line. */
export function isolinuxCfg(c: BootMenuConfig): string {
  const unit = c.serial ? serialUnit(c.serial.device) : null;
  const lines = [
    ...(c.serial && unit !== null ? [`SERIAL ${unit} ${c.serial.speed}`] : []),
    'DEFAULT live',
    // TIMEOUT counts tenths of a second; 0 would wait for ever, so no wait means no prompt.
    ...(c.bootTimeout > 0 ? ['PROMPT 1', `TIMEOUT ${c.bootTimeout * 10}`] : ['PROMPT 0', 'TIMEOUT 0']),
    `SAY Booting ${c.name}...`,
    'LABEL live',
    `  KERNEL ${ISO_PATHS.kernel}`,
    `  APPEND initrd=${ISO_PATHS.initrd} ${kernelCmdline(c).join(' ')}`,
    '',
  ];
  return lines.join('\n');
}

/** grub (UEFI): the menu on the ISO, read by the EFI binary's embedded configuration. */
export function grubCfg(c: BootMenuConfig): string {
  const unit = c.serial ? serialUnit(c.serial.device) : null;
  const lines = [
    ...(c.serial && unit !== null
      ? [
          `serial --unit=${unit} --speed=${c.serial.speed}`,
          'terminal_input serial console',
          'terminal_output serial console',
        ]
      : []),
    `set timeout=${c.bootTimeout}`,
    'set default=0',
    `menuentry ${grubQuote(c.description ? `${c.name} - ${c.description}` : c.name)} {`,
    `  linux ${ISO_PATHS.kernel} ${kernelCmdline(c).join(' ')}`,
    `  initrd ${ISO_PATHS.initrd}`,
    '}',
    '',
  ];
  return lines.join('\n');
}

/**
 * Built into BOOTX64.EFI: find the ISO (CD or USB stick) by its volume id and hand over to the
 * grub.cfg on it. The EFI image therefore depends on the volume id only.
 */
export function grubEmbeddedCfg(c: Pick<ImageConfig, 'volumeId'>): string {
  return [
    `search --no-floppy --set=root --label ${c.volumeId}`,
    `set prefix=($root)/${ISO_PATHS.grubDir}`,
    'configfile $prefix/grub.cfg',
    '',
  ].join('\n');
}

/** .disk/info: one line that says what the medium is and which commit it was built from. */
export function diskInfo(c: Pick<ImageConfig, 'name' | 'suite' | 'architecture' | 'description' | 'sourceDateEpoch'>, commit: string): string {
  const date = isoTimestamp(c.sourceDateEpoch).slice(0, 8);
  return `${c.name} ${c.suite} ${c.architecture} ${commit} ${date}${c.description ? ` - ${c.description}` : ''}\n`;
}

function grubQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
