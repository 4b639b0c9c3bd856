// unshare and the shell that prepares an image root, for every script run inside a root
// (in-root.ts: the packages stage's apt, hooks, locale-gen).

import { OVERLAY_OPTIONS } from '../root-overlay.ts';
import type { Tool } from './tool.ts';

export const UNSHARE: Tool = { file: 'unshare', version: ['--version'], package: 'util-linux' };

/**
 * unshare: a private mount namespace (every mount made for the script disappears with its last
 * process, even on SIGKILL), a PID namespace (no daemon the script starts outlives it), UTS
 * and IPC namespaces (`hostname` in a script names the root's host, not the build machine's)
 * and, unless the script needs the network, an empty network namespace.
 */
export function unshareArgs(root: string, network: boolean): string[] {
  return [
    '--mount',
    '--propagation',
    'private',
    '--pid',
    '--uts',
    '--ipc',
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

/** What a script in a chroot expects mounted: $1 the root, $2 1 for the network. */
const ROOT_MOUNTS = `mount -t proc -o nosuid,nodev,noexec proc "$1/proc"
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
`;

/**
 * Runs in the new namespaces, on the host: mounts what a script in a chroot expects, then
 * reads the script from stdin into the private /run and executes it in the root. Only
 * positional parameters are used, so the script's environment is exactly the caller's.
 */
export const IN_ROOT_SETUP = `set -eu
${ROOT_MOUNTS}mkdir -m 0700 "$1/run/mkimage"
cat >"$1/run/mkimage/script"
chmod 0755 "$1/run/mkimage/script"
exec chroot "$1" /run/mkimage/script
`;

/** Keeps package maintainer scripts from starting services in the root while a script runs. */
export const POLICY_RC_D = '#!/bin/sh\n# Written by mkimage while a script runs in the image root.\nexit 101\n';

/**
 * `mkimage shell`: the same namespaces and mounts as a hook, over a throwaway overlay of a
 * stored root (mounted inside the private mount namespace, so it cannot outlive the shell),
 * then the command in the root, on the caller's terminal. $1 the merged root, $2 network,
 * $3 the stored root (never written), $4 a scratch dir with upper/ and work/; the command after.
 */
export const SHELL_SETUP = `set -eu
mount -t overlay overlay -o "lowerdir=$3,upperdir=$4/upper,workdir=$4/work,${OVERLAY_OPTIONS.join(',')}" "$1"
${ROOT_MOUNTS}root=$1
shift 4
# Not exec: this shell stays PID 1 of the namespace, so the command is an ordinary process
# that Ctrl-C reaches (the kernel drops a terminal's SIGINT to a PID 1 without a handler).
chroot "$root" "$@"
`;

export function shellArgs(o: { readonly root: string; readonly lower: string; readonly scratch: string; readonly network: boolean; readonly command: readonly string[] }): string[] {
  return [
    '--mount', '--propagation', 'private', '--pid', '--uts', '--ipc', '--fork', '--kill-child',
    ...(o.network ? [] : ['--net']),
    '--', '/bin/sh', '-c', SHELL_SETUP, 'mkimage-shell', o.root, o.network ? '1' : '0', o.lower, o.scratch, ...o.command,
  ];
}
