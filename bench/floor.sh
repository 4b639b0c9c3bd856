#!/usr/bin/env bash
# The floor: a hybrid BIOS+UEFI live ISO of a small Debian 12 server, built by raw tool calls
# and nothing of mkimage. It is the baseline the engine's image build is compared with, and the
# reference for what each image stage does. One JSON line per step on stdout; tool output on
# stderr.
#
#   bench/floor.sh OUTDIR          -> OUTDIR/live.iso, OUTDIR/live.iso.sha256
#
# Environment:
#   SOURCE_DATE_EPOCH   clamp for every timestamp (default: a fixed date)
#   FLOOR_APT_CACHE     directory of .deb files shared between runs (downloads are reused;
#                       the bootstrap itself still runs in full)
#   FLOOR_ROOT_CACHE    development only: a tarball of the bootstrapped root to reuse instead
#                       of bootstrapping (written when missing)
#   FLOOR_KEEP=1        keep OUTDIR/work (the root and the ISO staging tree)
set -euo pipefail

out=${1:?usage: bench/floor.sh OUTDIR}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export LC_ALL=C.UTF-8 TZ=UTC
umask 022

# --- the "config" -------------------------------------------------------------------------
NAME=floor
SUITE=bookworm
VARIANT=minbase
PACKAGES="dbus iproute2 linux-image-amd64 live-boot openssh-server procps systemd-resolved systemd-sysv udev"
HOSTNAME_=floor
VOLID=FLOOR_LIVE
ROOT_PASSWORD=live
SERIAL_DEV=ttyS0
SERIAL_SPEED=115200
COMMIT=${FLOOR_COMMIT:-$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo unknown)}

# Everything derived from the config, never from the clock or /dev/urandom.
seed=$(printf '%s\n' "$NAME" "$VOLID" "$ROOT_PASSWORD" | sha256sum | cut -c1-64)
SALT=$(printf '%s' "$seed" | cut -c1-16)
FAT_SERIAL=$(printf '%s' "$seed" | cut -c1-8)
GPT_GUID=$(printf '%s' "$seed" | cut -c33-64)
CMDLINE="boot=live console=tty0 console=$SERIAL_DEV,$SERIAL_SPEED"

mkdir -p "$out"
out=$(realpath "$out")
work=$out/work
root=$work/root
stage=$work/iso
rm -rf "$work" "$out/live.iso"
mkdir -p "$work" "$stage"

step() {
  local name=$1 t0 t1
  shift
  t0=$(date +%s%N)
  "$@" >&2
  t1=$(date +%s%N)
  printf '{"step":"%s","ms":%d}\n' "$name" $(((t1 - t0) / 1000000))
}

# --- steps ----------------------------------------------------------------------------------

bootstrap() {
  if [ -n "${FLOOR_ROOT_CACHE:-}" ] && [ -f "$FLOOR_ROOT_CACHE" ]; then
    mkdir -p "$root"
    tar -C "$root" --xattrs --xattrs-include='*' --numeric-owner -xpf "$FLOOR_ROOT_CACHE"
    return
  fi
  local cache_hooks=()
  if [ -n "${FLOOR_APT_CACHE:-}" ]; then
    mkdir -p "$FLOOR_APT_CACHE"
    cache_hooks=(
      --skip=essential/unlink
      --setup-hook='mkdir -p "$1"/var/cache/apt/archives/'
      --setup-hook="sync-in $FLOOR_APT_CACHE /var/cache/apt/archives/"
      --customize-hook="sync-out /var/cache/apt/archives $FLOOR_APT_CACHE"
    )
  fi
  # No mirror argument would mean deb.debian.org; the host's sources file is pasted instead.
  local sources=()
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && sources+=("$f")
  done
  mmdebstrap --mode=root --variant="$VARIANT" --architectures=amd64 --components=main \
    --include="${PACKAGES// /,}" \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    "${cache_hooks[@]}" \
    "$SUITE" "$root" "${sources[@]}"
  if [ -n "${FLOOR_ROOT_CACHE:-}" ]; then
    tar -C "$root" --xattrs --xattrs-include='*' --numeric-owner -cf "$FLOOR_ROOT_CACHE" .
  fi
}

overlay() {
  # What a feature's rootfs/ would hold: DHCP on every ethernet link.
  install -d "$root/etc/systemd/network"
  cat >"$root/etc/systemd/network/20-dhcp.network" <<'EOF'
[Match]
Type=ether
Name=en* eth*

[Network]
DHCP=yes
EOF
}

# Runs a script inside the root: a private mount and PID namespace (every mount and process
# dies with it), a fresh /proc, /sys, minimal /dev and /run, and no network.
in_root() {
  local script=$1
  unshare --mount --propagation private --pid --fork --net -- /bin/sh -eu -c '
    r=$1
    mount -t proc proc "$r/proc"
    mount -t sysfs -o ro sysfs "$r/sys"
    mount -t tmpfs -o mode=755,nosuid dev "$r/dev"
    for n in null zero full random urandom tty; do
      touch "$r/dev/$n"; mount --bind "/dev/$n" "$r/dev/$n"
    done
    mkdir "$r/dev/pts" "$r/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
    ln -s pts/ptmx "$r/dev/ptmx"
    mount -t tmpfs -o mode=755,nosuid,nodev run "$r/run"
    mkdir "$r/run/mkimage"
    cat >"$r/run/mkimage/hook"
    chmod 755 "$r/run/mkimage/hook"
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" \
      chroot "$r" /run/mkimage/hook
  ' sh "$root" <"$script"
}

hooks() {
  cat >"$work/10-services" <<'EOF'
#!/bin/sh
set -eu
systemctl enable systemd-networkd.service systemd-resolved.service
EOF
  in_root "$work/10-services"
}

cleanup() {
  local days hash
  days=$((SOURCE_DATE_EPOCH / 86400))
  hash=$(printf '%s\n' "$ROOT_PASSWORD" | openssl passwd -6 -salt "$SALT" -stdin)
  # Written anew (rm first): mmdebstrap's copies of the host's files carry the host's modes.
  rm -f "$root/etc/hostname" "$root/etc/hosts" "$root/etc/default/locale" "$root/etc/timezone"
  echo "$HOSTNAME_" >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
    "$HOSTNAME_" >"$root/etc/hosts"
  echo 'LANG=C.UTF-8' >"$root/etc/default/locale"
  ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
  echo 'Etc/UTC' >"$root/etc/timezone"
  # Reproducible password hash (fixed salt) and "last change" day for every account.
  awk -F: -v OFS=: -v h="$hash" -v d="$days" \
    '$1 == "root" { $2 = h } $3 != "" { $3 = d } { print }' "$root/etc/shadow" >"$work/shadow"
  cat "$work/shadow" >"$root/etc/shadow"
  rm -f "$root/etc/shadow-" "$root/etc/gshadow-" "$root/etc/passwd-" "$root/etc/group-" \
    "$root/etc/subuid-" "$root/etc/subgid-"
  # Per-machine identity is made at first boot: machine-id by systemd, ssh keys by this unit.
  rm -f "$root/etc/machine-id" "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
  : >"$root/etc/machine-id"
  chmod 444 "$root/etc/machine-id"
  cat >"$root/etc/systemd/system/ssh-host-keys.service" <<'EOF'
[Unit]
Description=Generate the SSH host keys of this machine
Before=ssh.service ssh.socket
ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=ssh.service ssh.socket
EOF
  for w in ssh.service ssh.socket; do
    install -d "$root/etc/systemd/system/$w.wants"
    ln -sf /etc/systemd/system/ssh-host-keys.service "$root/etc/systemd/system/$w.wants/"
  done
  # Caches and logs of the build.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/var/lib/dpkg/*-old "$root/var/cache/ldconfig/aux-cache" "$root"/tmp/* "$root"/run/* \
    "$root"/var/tmp/*
  find "$root/var/log" -type f -delete
  # A resolv.conf copied from the build host is no part of the image.
  [ -L "$root/etc/resolv.conf" ] || rm -f "$root/etc/resolv.conf"
}

boot_files() {
  local kernel initrd
  kernel=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n1)
  initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -n1)
  install -d "$stage/live" "$stage/isolinux" "$stage/boot/grub" "$stage/.disk" "$work/efi"
  cp "$kernel" "$stage/live/vmlinuz"
  cp "$initrd" "$stage/live/initrd.img"

  # BIOS: isolinux, straight to the live entry, on the serial console too.
  cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$stage/isolinux/"
  cat >"$stage/isolinux/isolinux.cfg" <<EOF
SERIAL 0 $SERIAL_SPEED
DEFAULT live
PROMPT 0
TIMEOUT 0
LABEL live
  KERNEL /live/vmlinuz
  APPEND initrd=/live/initrd.img $CMDLINE
EOF

  # UEFI: grub.cfg on the ISO; the EFI binary only finds the ISO by its volume id and reads it.
  cat >"$stage/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=$SERIAL_SPEED
terminal_input serial console
terminal_output serial console
set timeout=1
set default=0
menuentry "$NAME" {
  linux /live/vmlinuz $CMDLINE
  initrd /live/initrd.img
}
EOF
  cat >"$work/efi/embedded.cfg" <<EOF
search --no-floppy --set=root --label $VOLID
set prefix=(\$root)/boot/grub
configfile \$prefix/grub.cfg
EOF
  grub-mkimage --format=x86_64-efi --output="$work/efi/BOOTX64.EFI" --prefix=/boot/grub \
    --config="$work/efi/embedded.cfg" --directory=/usr/lib/grub/x86_64-efi \
    part_gpt part_msdos fat iso9660 search search_label configfile normal linux echo test \
    serial terminal all_video
  local kib
  kib=$(( ($(stat -c %s "$work/efi/BOOTX64.EFI") / 1024 + 1024 + 1023) / 1024 * 1024 ))
  mkfs.vfat -C --invariant -i "$FAT_SERIAL" -n EFIBOOT "$stage/boot/grub/efi.img" "$kib"
  MTOOLS_SKIP_CHECK=1 mmd -i "$stage/boot/grub/efi.img" ::/EFI ::/EFI/BOOT
  touch -d "@$SOURCE_DATE_EPOCH" "$work/efi/BOOTX64.EFI"
  MTOOLS_SKIP_CHECK=1 mcopy -m -i "$stage/boot/grub/efi.img" "$work/efi/BOOTX64.EFI" ::/EFI/BOOT/

  printf '%s %s (%s) %s\n' "$NAME" "$SUITE" "$COMMIT" "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%dT%H%M%SZ)" \
    >"$stage/.disk/info"
}

squashfs() {
  mksquashfs "$root" "$stage/live/filesystem.squashfs" -noappend -quiet -no-progress \
    -comp zstd -Xcompression-level 3 -b 1M -xattrs \
    -wildcards -e 'boot/vmlinuz-*' 'boot/initrd.img-*'
}

iso() {
  local date
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S00)
  # Every file date, the volume dates and the GPT GUID from SOURCE_DATE_EPOCH, not the clock.
  xorriso -as mkisofs -o "$out/live.iso" -V "$VOLID" -r -J -joliet-long \
    --modification-date="$date" --set_all_file_dates "$date" --gpt_disk_guid "$GPT_GUID" \
    -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
    -c isolinux/boot.cat -b isolinux/isolinux.bin -no-emul-boot -boot-load-size 4 -boot-info-table \
    -eltorito-alt-boot -e boot/grub/efi.img -no-emul-boot -isohybrid-gpt-basdat \
    "$stage"
  (cd "$out" && sha256sum live.iso >live.iso.sha256)
}

step bootstrap bootstrap
step overlay overlay
step hooks hooks
step cleanup cleanup
step boot-files boot_files
step squashfs squashfs
step iso iso
[ "${FLOOR_KEEP:-}" = 1 ] || rm -rf "$work"
printf '{"iso":"%s","bytes":%d,"sha256":"%s"}\n' "$out/live.iso" "$(stat -c %s "$out/live.iso")" \
  "$(cut -d' ' -f1 "$out/live.iso.sha256")"
