#!/bin/sh
# Installs the Debian packages mkimage and its tests use on the host, if any is missing.
# Run as root on Debian 12. Idempotent: installs nothing when everything is there.
set -eu
PACKAGES="util-linux mount coreutils acl attr libcap2-bin git graphviz curl patch
  debian-archive-keyring dose-distcheck dpkg-dev gpg gpgv xz-utils nginx dosfstools grub-common grub-efi-amd64-bin isolinux mmdebstrap mtools openssl
  ovmf qemu-system-x86 squashfs-tools syslinux-common tar tmux xorriso zstd"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
fi
