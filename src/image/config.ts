// What the image stages need to know of a distro: the frozen, resolved configuration that the
// profile layer (src/profile) produces, reduced to plain data. Stages read nothing else, so
// this is also what their fingerprints are made of.

import type { LockedDistro } from '../archive/lock-file.ts';

export interface OverlaySource {
  /** The feature the files come from (errors and provenance name it). */
  readonly feature: string;
  /** Absolute path of the feature's rootfs/ directory. */
  readonly dir: string;
  /** Paths (relative to the root, e.g. etc/haproxy/haproxy.cfg) this feature may overwrite when an earlier feature wrote them. */
  readonly overrides: readonly string[];
}

export interface HookSource {
  readonly feature: string;
  /** Absolute path of the script (features/<name>/hooks/<NN-name>). */
  readonly path: string;
  /** The hook may use the network (default: none, a private network namespace). */
  readonly network: boolean;
  /** The variables of hookEnv it gets (its feature's `reads`). */
  readonly reads: readonly string[];
}

/** Binary packages an image takes from one of the project's package builds instead of the archive's. */
export interface BuiltPackages {
  /** The source's name (the repository's directory in the root while apt reads it). */
  readonly source: string;
  /** The engine target whose output is the repository (a flat apt repository). */
  readonly target: string;
  /** The version of every binary in it. */
  readonly version: string;
  readonly binaries: readonly string[];
  /** The archive's binaries it replaces that it does not build itself (a renamed library): they leave the image. */
  readonly replaces: readonly string[];
}

export interface ImageConfig {
  /** The distro's name (`server-mini`): file names, .disk/info, the boot menu title. */
  readonly name: string;
  readonly description: string;
  /** Debian suite for mmdebstrap (`bookworm`). */
  readonly suite: string;
  /** mmdebstrap variant (`essential`, `minbase`, `important`, ...). */
  readonly variant: string;
  /** Mirror URLs or full sources.list lines; empty = the host's configured apt sources. */
  readonly mirrors: readonly string[];
  readonly components: readonly string[];
  readonly architecture: 'amd64';
  /** What the bootstrap stage installs beyond the variant's set (kernel, systemd, ssh, ...), sorted: shared by distros with the same base. */
  readonly basePackages: readonly string[];
  /** What the packages stage installs on top of the bootstrap, sorted (may be empty). */
  readonly packages: readonly string[];
  /**
   * Where each package was asked for (`features/web/feature.ts:5 (use/web)`), for the errors
   * of the stages that install them. No stage selects it: moving a line reruns nothing.
   */
  readonly packageOrigins?: Readonly<Record<string, string>>;
  /**
   * The distro's entry of mkimage.lock, current for this config: the bootstrap and packages
   * stages install exactly its packages, from the pool, and it is their fingerprint (not the
   * mirrors or the host's apt sources). Absent: they install from the archive as it is now.
   */
  readonly locked?: LockedDistro;
  /**
   * The project's package builds this image takes: every binary of them it installs comes
   * from their repository, pinned above the archive (and the lock). Sorted by source.
   */
  readonly built?: readonly BuiltPackages[];
  readonly hostname: string;
  readonly locale: string;
  readonly timezone: string;
  /** Serial console for the kernel, getty, isolinux and grub; null for none. */
  readonly serial: { readonly device: string; readonly speed: number } | null;
  /** Extra kernel command line arguments. */
  readonly kernelCmdline: readonly string[];
  /** Root password (plain; hashed reproducibly at build), or null for a locked root account. */
  readonly rootPassword: string | null;
  /** Compression of the live root: `fast` (zstd, low level) or `tight` (xz). */
  readonly compression: 'fast' | 'tight';
  /** ISO volume id (at most 32 characters, [A-Z0-9_]). */
  readonly volumeId: string;
  /** Feature overlays, in mixin order. */
  readonly overlays: readonly OverlaySource[];
  /** Feature hooks, in the order they run. */
  readonly hooks: readonly HookSource[];
  /** Every resolved variable by name (lists one item per line): each hook gets those it reads. */
  readonly hookEnv: Readonly<Record<string, string>>;
  /** Seconds the boot menus wait. */
  readonly bootTimeout: number;
  /** Clamp for every timestamp in the outputs (seconds since the epoch). */
  readonly sourceDateEpoch: number;
}
