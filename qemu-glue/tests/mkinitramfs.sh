#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Build a busybox initramfs:  mkinitramfs.sh INIT_SCRIPT OUT.cpio.gz
set -eu
init=$1
out=$2
bb=/bin/busybox
[ -x "$bb" ] && "$bb" --list >/dev/null 2>&1 || {
    echo "mkinitramfs: $bb missing (install busybox-static: make deps)" >&2
    exit 1
}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT INT TERM
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/sbin"
cp "$bb" "$root/bin/busybox"
cp "$init" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
    gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(wc -c < "$out") bytes)"
