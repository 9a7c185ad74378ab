#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Obtain QEMU's source tree for the glue build.
#   fetch-src.sh DEST [QEMU_SRC]
# With QEMU_SRC: copy that tree to DEST (the user's tree is never touched).
# Without: `apt-get source qemu` (Debian bookworm) into DEST's parent and
# link DEST to the unpacked tree.  Adds a deb-src entry when none exists.
set -eu
dest=$1
src=${2:-}
# The stamp records where the tree came from: refetch when that changes.
if [ -f "$dest/.cirmem-src-ok" ] &&
   [ "$(cat "$dest/.cirmem-src-ok")" = "${src:-apt-get source qemu}" ]; then
    exit 0
fi
parent=$(dirname "$dest")
mkdir -p "$parent"
if [ -n "$src" ]; then
    [ -f "$src/configure" ] && [ -f "$src/chardev/char-ringbuf.c" ] || {
        echo "fetch-src: $src does not look like a QEMU source tree" >&2
        exit 1
    }
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    # Copy, not link: the glue is applied to the copy.
    (cd "$src" && tar --exclude=./build --exclude=.git -cf - .) |
        (cd "$dest.tmp" && tar -xf -)
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
    echo "$src" > "$dest/.cirmem-src-ok"
    exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v dpkg-source >/dev/null; then
    echo "fetch-src: dpkg-source missing (install dpkg-dev: make deps)" >&2
    exit 1
fi
has_src() {
    grep -rqsE '^[[:space:]]*(Types:.*deb-src|deb-src[[:space:]])' \
        /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! has_src; then
    # Mirror every deb822 `Types: deb` stanza as a deb-src one, in a
    # file of our own; the system's files stay as they are.
    out=/etc/apt/sources.list.d/cirmem-deb-src.sources
    tmp=$(mktemp)
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; ORS = "\n\n" }
             /(^|\n)Types:[ \t]*deb([ \t]|\n|$)/ {
                 sub(/Types:[ \t]*deb/, "Types: deb-src"); print }' "$f" >> "$tmp"
    done
    if [ -f /etc/apt/sources.list ]; then
        sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list |
            grep -v 'packages.cloud.google' > "$tmp.list" || true
    fi
    if [ -s "$tmp" ]; then
        echo "fetch-src: adding $out"
        $SUDO install -m 644 "$tmp" "$out"
    fi
    if [ -s "$tmp.list" ]; then
        $SUDO install -m 644 "$tmp.list" /etc/apt/sources.list.d/cirmem-deb-src.list
    fi
    rm -f "$tmp" "$tmp.list"
    $SUDO apt-get update -q
fi
work="$parent/qemu-pkg"
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && timeout 900 apt-get source -q qemu) || {
    echo "fetch-src: apt-get source qemu failed" >&2
    exit 1
}
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n 1)
[ -n "$tree" ] && [ -f "$tree/chardev/char-ringbuf.c" ] || {
    echo "fetch-src: no QEMU tree under $work" >&2
    exit 1
}
rm -rf "$dest"
mv "$tree" "$dest"
# Keep only the unpacked tree; the tarballs are not needed any more.
rm -rf "$work"
echo "apt-get source qemu" > "$dest/.cirmem-src-ok"
