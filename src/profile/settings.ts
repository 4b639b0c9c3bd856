// The variables a profile can set, declared once as data: type, how values merge, default
// and help. Validation, `mkimage show` and the docs all come from this table. Features may
// declare more with setting() in their feature.ts.

import type { SettingDecl } from '../dsl/profile.ts';

const s = (d: Omit<SettingDecl, 'at'>): SettingDecl => d;

/** server-mini -> SERVER_MINI: what an ISO volume id may hold. */
function volumeIdOf(distro: string): string {
  return distro.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

export const BUILTIN_SETTINGS: readonly SettingDecl[] = [
  s({ name: 'SUITE', type: 'string', default: 'bookworm', help: 'Debian suite the image is bootstrapped from' }),
  s({ name: 'VARIANT', type: 'enum', choices: ['essential', 'required', 'minbase', 'buildd', 'important', 'standard'], default: 'minbase', help: 'mmdebstrap variant: the base set of packages' }),
  s({ name: 'MIRRORS', type: 'list', default: [], help: 'mirror URLs or sources.list lines; empty: the host\'s apt sources' }),
  s({ name: 'COMPONENTS', type: 'list', default: ['main'], help: 'archive components' }),
  s({ name: 'BASE_PACKAGES', type: 'list', default: [], help: 'packages of the bootstrap stage: the part distros share, cached once for all of them' }),
  s({ name: 'BASE_LISTS', type: 'list', default: [], help: 'package lists (features/*/lists/NAME) of the bootstrap stage; tags(...) selects lists by tag' }),
  s({ name: 'PACKAGES', type: 'list', default: [], help: 'packages installed on top of the bootstrap: what makes this distro different' }),
  s({ name: 'LISTS', type: 'list', default: [], help: 'package lists installed on top of the bootstrap; tags(...) selects lists by tag' }),
  s({ name: 'KERNEL', type: 'string', default: '', help: 'kernel package, installed by the bootstrap (use/kernel: linux-image-amd64); empty: no kernel, for containers and VMs that bring their own' }),
  s({ name: 'HOSTNAME', type: 'string', default: 'debian', help: 'hostname of the booted image' }),
  s({ name: 'LOCALE', type: 'string', default: 'C.UTF-8', help: 'system locale (LANG)' }),
  s({ name: 'TIMEZONE', type: 'string', default: 'Etc/UTC', help: 'system time zone' }),
  s({ name: 'SERIAL_CONSOLE', type: 'string', default: '', help: 'serial console as DEVICE,SPEED (ttyS0,115200); empty for none' }),
  s({ name: 'KERNEL_CMDLINE', type: 'list', default: [], help: 'extra kernel command-line arguments' }),
  s({ name: 'ROOT_PASSWORD', type: 'string', default: '', help: 'root password; empty locks the root account' }),
  s({ name: 'COMPRESSION', type: 'enum', choices: ['fast', 'tight'], default: 'fast', help: 'squashfs compression: fast (zstd) or tight (xz)' }),
  s({ name: 'VOLUME_ID', type: 'string', default: '', derive: volumeIdOf, help: 'ISO volume id (1-32 of A-Z, 0-9, _); by default the distro name in capitals' }),
  s({ name: 'HOOKS', type: 'list', default: [], help: "features' hooks/ scripts that run (feature/file), added by the mixins that carry them" }),
];
