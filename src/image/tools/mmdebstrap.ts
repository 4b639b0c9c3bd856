// mmdebstrap, for the bootstrap stage: the flags that make a root from the archive.

import type { ImageConfig } from '../config.ts';
import type { HostFile, Tool } from './tool.ts';

export const MMDEBSTRAP: Tool = { file: 'mmdebstrap', version: ['--version'], package: 'mmdebstrap' };

/** What apt verifies the archive's signatures with. */
export const APT_KEYRING: HostFile = { path: '/usr/share/keyrings/debian-archive-keyring.gpg', package: 'debian-archive-keyring' };

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

export type MmdebstrapConfig = Pick<ImageConfig, 'variant' | 'architecture' | 'components' | 'basePackages' | 'suite'>;

export function mmdebstrapArgs(c: MmdebstrapConfig, root: string, sources: readonly string[], aptCache?: string): string[] {
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
