// Every host tool the image steps run, with all of their flags, and the host files they read:
// the one place to look when a tool's behaviour or the host's package set changes. Steps only
// call these builders; the builders are pure, so tests check the flags directly.

import type { ImageConfig } from './config.ts';
import { fatSerial, gptDiskGuid, isoTimestamp } from './derive.ts';

/** PATH of every tool (our process helper inherits no environment). */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Tool {
  readonly file: string;
  /** How to ask for its version (fingerprints record the first line of the answer). */
  readonly version: readonly string[];
  /** The program to ask, when not `file` itself (same package, and a version flag). */
  readonly versionFile?: string;
  /** The Debian package that ships it. */
  readonly package: string;
}

export const TOOLS = {
  mmdebstrap: { file: 'mmdebstrap', version: ['--version'], package: 'mmdebstrap' },
  unshare: { file: 'unshare', version: ['--version'], package: 'util-linux' },
  mksquashfs: { file: 'mksquashfs', version: ['-version'], package: 'squashfs-tools' },
  xorriso: { file: 'xorriso', version: ['-version'], package: 'xorriso' },
  grubMkimage: { file: 'grub-mkimage', version: ['--version'], package: 'grub-common' },
  // mkfs.vfat has no version flag (its --help starts with the usage), but fatlabel of the same
  // dosfstools release answers --version.
  mkfsVfat: { file: 'mkfs.vfat', version: ['--version'], versionFile: 'fatlabel', package: 'dosfstools' },
  mmd: { file: 'mmd', version: ['-V'], package: 'mtools' },
  mcopy: { file: 'mcopy', version: ['-V'], package: 'mtools' },
  openssl: { file: 'openssl', version: ['version'], package: 'openssl' },
  tar: { file: 'tar', version: ['--version'], package: 'tar' },
  qemu: { file: 'qemu-system-x86_64', version: ['--version'], package: 'qemu-system-x86' },
} as const satisfies Record<string, Tool>;

/** Files of the host that end up in (or shape) the image, and the packages that ship them. */
export const HOST_FILES = {
  isolinuxBin: { path: '/usr/lib/ISOLINUX/isolinux.bin', package: 'isolinux' },
  isohybridMbr: { path: '/usr/lib/ISOLINUX/isohdpfx.bin', package: 'isolinux' },
  ldlinux: { path: '/usr/lib/syslinux/modules/bios/ldlinux.c32', package: 'syslinux-common' },
  grubEfiModules: { path: '/usr/lib/grub/x86_64-efi', package: 'grub-efi-amd64-bin' },
  ovmf: { path: '/usr/share/ovmf/OVMF.fd', package: 'ovmf' },
  aptKeyring: { path: '/usr/share/keyrings/debian-archive-keyring.gpg', package: 'debian-archive-keyring' },
} as const;

/** Debian packages the image steps and the boot check need on the host, sorted. */
export const requiredHostPackages: readonly string[] = [
  ...new Set([
    ...Object.values(TOOLS).map((t) => t.package),
    ...Object.values(HOST_FILES).map((f) => f.package),
    // tar --zstd runs zstd; mkinitramfs inside the root needs nothing of the host.
    'zstd',
  ]),
].sort();

// --- bootstrap ------------------------------------------------------------------------------

/**
 * Not installed into the image: documentation, manuals and translations are a third of a
 * small server's root and nobody reads them on a live system. Copyright files stay (licences).
 */
export const DPKG_PATH_EXCLUDES = [
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
] as const;

export function mmdebstrapArgs(c: ImageConfig, root: string, sources: readonly string[], aptCache?: string): string[] {
  return [
    // We are root; the unshare mode would need subuids and is slower.
    '--mode=root',
    // apt's and dpkg's own lines (Get:, Unpacking, Setting up) instead of a progress bar drawn
    // only on a terminal: the log shows what happened and progress.ts counts packages from
    // them. Only the output changes, never the root.
    '--verbose',
    `--variant=${c.variant}`,
    `--architectures=${c.architecture}`,
    `--components=${(c.components.length > 0 ? c.components : ['main']).join(',')}`,
    ...(c.basePackages.length > 0 ? [`--include=${c.basePackages.join(',')}`] : []),
    '--aptopt=Acquire::Languages "none"',
    ...DPKG_PATH_EXCLUDES.map((o) => `--dpkgopt=${o}`),
    ...(aptCache ? aptCacheHooks(aptCache) : []),
    c.suite,
    root,
    // Mirror URLs, sources.list lines, or files (deb822 .sources files are understood).
    ...sources,
  ];
}

/**
 * Shares downloaded .debs between bootstraps (mmdebstrap's documented sync-in/sync-out
 * recipe). The essential packages must not be unlinked, or they would be downloaded again.
 */
function aptCacheHooks(dir: string): string[] {
  return [
    '--skip=essential/unlink',
    '--setup-hook=mkdir -p "$1"/var/cache/apt/archives/',
    `--setup-hook=sync-in ${dir} /var/cache/apt/archives/`,
    `--customize-hook=sync-out /var/cache/apt/archives ${dir}`,
  ];
}

/** The packages stage: apt inside the root (sources as the bootstrap left them). */
export function aptInstallScript(packages: readonly string[]): string {
  return [
    '#!/bin/sh',
    'set -eu',
    'apt-get update',
    // confold: a feature's overlay comes later; a package must not ask about config files.
    `apt-get install --yes --no-install-recommends -o Dpkg::Options::=--force-confold ${packages.join(' ')}`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
    '',
  ].join('\n');
}

// --- hooks and other commands inside the root -----------------------------------------------

/**
 * unshare: a private mount namespace (every mount made for the script disappears with its last
 * process, even on SIGKILL), a PID namespace (no daemon the script starts outlives it) and,
 * unless the script needs the network, an empty network namespace.
 */
export function unshareArgs(root: string, network: boolean): string[] {
  return [
    '--mount',
    '--propagation',
    'private',
    '--pid',
    '--fork',
    '--kill-child',
    ...(network ? [] : ['--net']),
    '--',
    '/bin/sh',
    '-c',
    IN_ROOT_SETUP,
    'mkimage-in-root',
    root,
    network ? '1' : '0',
  ];
}

/**
 * Runs in the new namespaces, on the host: mounts what a script in a chroot expects, then
 * reads the script from stdin into the private /run and executes it in the root. Only
 * positional parameters are used, so the script's environment is exactly the caller's.
 */
export const IN_ROOT_SETUP = `set -eu
mount -t proc -o nosuid,nodev,noexec proc "$1/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$1/sys"
mount -t tmpfs -o mode=0755,nosuid dev "$1/dev"
for n in null zero full random urandom tty; do
  : >"$1/dev/$n"
  mount --bind "/dev/$n" "$1/dev/$n"
done
mkdir "$1/dev/pts" "$1/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$1/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$1/dev/shm"
ln -s pts/ptmx "$1/dev/ptmx"
ln -s /proc/self/fd "$1/dev/fd"
mount -t tmpfs -o mode=0755,nosuid,nodev run "$1/run"
if [ "$2" = 1 ]; then
  # The root's resolv.conf is a file (bind the host's over it, read-only) or a link into /run
  # (systemd-resolved: fill the link's target in the private /run).
  if [ -L "$1/etc/resolv.conf" ]; then
    case "$(readlink "$1/etc/resolv.conf")" in
      /*) t=$(readlink "$1/etc/resolv.conf") ;;
      *) t=$(realpath -m -s "/etc/$(readlink "$1/etc/resolv.conf")") ;;
    esac
    case "$t" in /run/*) mkdir -p "$1$(dirname "$t")"; cat /etc/resolv.conf >"$1$t" ;; esac
  elif [ -f "$1/etc/resolv.conf" ]; then
    mount --bind -o ro /etc/resolv.conf "$1/etc/resolv.conf"
  fi
fi
mkdir -m 0700 "$1/run/mkimage"
cat >"$1/run/mkimage/script"
chmod 0755 "$1/run/mkimage/script"
exec chroot "$1" /run/mkimage/script
`;

/** Keeps package maintainer scripts from starting services in the root while a script runs. */
export const POLICY_RC_D = '#!/bin/sh\n# Written by mkimage while a script runs in the image root.\nexit 101\n';

// --- boot files -------------------------------------------------------------------------------

/** Built into the EFI binary: it reads grub.cfg from the ISO, so these are all it needs. */
export const GRUB_EFI_MODULES = [
  'all_video',
  'configfile',
  'echo',
  'fat',
  'iso9660',
  'linux',
  'normal',
  'part_gpt',
  'part_msdos',
  'search',
  'search_label',
  'serial',
  'terminal',
  'test',
] as const;

/** grub-mkimage (unlike grub-mkstandalone) writes the same binary every time. */
export function grubMkimageArgs(output: string, embeddedConfig: string): string[] {
  return [
    '--format=x86_64-efi',
    `--output=${output}`,
    '--prefix=/boot/grub',
    `--config=${embeddedConfig}`,
    `--directory=${HOST_FILES.grubEfiModules.path}`,
    ...GRUB_EFI_MODULES,
  ];
}

/** FAT for the EFI image: --invariant fixes the label's timestamp, -i the serial (after it). */
export function mkfsVfatArgs(c: ImageConfig, image: string, kib: number): string[] {
  return ['-C', '--invariant', '-i', fatSerial(c), '-n', 'EFIBOOT', image, String(kib)];
}

export function mmdArgs(image: string, dirs: readonly string[]): string[] {
  return ['-i', image, ...dirs.map((d) => `::${d}`)];
}

/** -m: the file's mtime (set to SOURCE_DATE_EPOCH), not the time of the copy. */
export function mcopyArgs(image: string, source: string, dest: string): string[] {
  return ['-m', '-i', image, source, `::${dest}`];
}

/** Environment additions for mtools (the image is not a configured drive). */
export const MTOOLS_ENV = { MTOOLS_SKIP_CHECK: '1' } as const;

/** sha512-crypt with a salt from the config (chpasswd would pick a random one). */
export function opensslPasswdArgs(salt: string): string[] {
  return ['passwd', '-6', '-salt', salt, '-stdin'];
}

// --- squashfs -----------------------------------------------------------------------------------

/** Already next to the squashfs on the ISO; the live system never reads them. */
export const SQUASHFS_EXCLUDES = ['boot/vmlinuz-*', 'boot/initrd.img-*'] as const;

export function mksquashfsArgs(c: ImageConfig, root: string, output: string): string[] {
  const compression =
    c.compression === 'fast'
      ? ['-comp', 'zstd', '-Xcompression-level', '3']
      : ['-comp', 'xz', '-Xbcj', 'x86'];
  // Timestamps: SOURCE_DATE_EPOCH in the environment sets the build time and every file's
  // mtime (mksquashfs 4.5 refuses -mkfs-time/-all-time alongside it).
  return [
    root,
    output,
    '-noappend',
    // -quiet without -no-progress: only the progress bar, which off a terminal 4.5 redraws
    // every 100 blocks and inodes (`\r[===-  ] 1700/3000  56%`), for progress.ts to read.
    // The bar does not change the image.
    '-quiet',
    ...compression,
    '-b',
    '1M',
    '-xattrs',
    // -e takes the rest of the command line: keep it last.
    '-wildcards',
    '-e',
    ...SQUASHFS_EXCLUDES,
  ];
}

// --- iso -------------------------------------------------------------------------------------

export interface IsoInputs {
  /** The boot-files tree (live/vmlinuz, isolinux/, boot/grub/...), grafted at the ISO's root. */
  readonly bootTree: string;
  readonly squashfs: string;
  readonly diskInfo: string;
}

/** Where things are on the ISO; isolinux.cfg and grub.cfg name the same paths. */
export const ISO_PATHS = {
  kernel: '/live/vmlinuz',
  initrd: '/live/initrd.img',
  squashfs: '/live/filesystem.squashfs',
  isolinuxDir: 'isolinux',
  grubDir: 'boot/grub',
  efiImage: 'boot/grub/efi.img',
  diskInfo: '/.disk/info',
} as const;

export function xorrisoArgs(c: ImageConfig, inputs: IsoInputs, output: string): string[] {
  const date = isoTimestamp(c.sourceDateEpoch);
  return [
    '-as',
    'mkisofs',
    '-o',
    output,
    '-V',
    c.volumeId,
    // Rock Ridge with owners 0 and normalised modes; Joliet for other systems.
    '-r',
    '-J',
    '-joliet-long',
    // Every date of the image, and the GPT GUID (random by default), from the config.
    `--modification-date=${date}`,
    '--set_all_file_dates',
    date,
    '--gpt_disk_guid',
    gptDiskGuid(c),
    // BIOS: the isohybrid MBR (USB sticks) and isolinux by El Torito (CDs).
    '-isohybrid-mbr',
    HOST_FILES.isohybridMbr.path,
    '-c',
    `${ISO_PATHS.isolinuxDir}/boot.cat`,
    '-b',
    `${ISO_PATHS.isolinuxDir}/isolinux.bin`,
    '-no-emul-boot',
    '-boot-load-size',
    '4',
    '-boot-info-table',
    // UEFI: the FAT image as El Torito alternative, and as a GPT partition on USB sticks.
    '-eltorito-alt-boot',
    '-e',
    ISO_PATHS.efiImage,
    '-no-emul-boot',
    '-isohybrid-gpt-basdat',
    '-graft-points',
    inputs.bootTree,
    `${ISO_PATHS.squashfs}=${inputs.squashfs}`,
    `${ISO_PATHS.diskInfo}=${inputs.diskInfo}`,
  ];
}

// --- tar -------------------------------------------------------------------------------------

export function tarArgs(c: ImageConfig, root: string, output: string): string[] {
  return [
    '--create',
    `--file=${output}`,
    `--directory=${root}`,
    '--sort=name',
    // pax keeps xattrs and ACLs; atime and ctime are dropped, and the header names fixed
    // (they contain the PID by default).
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    `--mtime=@${c.sourceDateEpoch}`,
    '--clamp-mtime',
    '--numeric-owner',
    '--xattrs',
    '--xattrs-include=*',
    '--acls',
    '--zstd',
    '.',
  ];
}

// --- boot check ------------------------------------------------------------------------------

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
    ...(o.uefi ? ['-bios', HOST_FILES.ovmf.path] : []),
  ];
}

/** A path inside a qemu option list: commas separate options, a doubled one is literal. */
function qemuPath(path: string): string {
  return path.replaceAll(',', ',,');
}
