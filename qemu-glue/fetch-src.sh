#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Obtain a pristine QEMU 10.0.x source tree for the glue build.
#   fetch-src.sh DEST [QEMU_SRC]
# With QEMU_SRC: copy that tree (a checkout of a v10.0.x tag) to DEST; the
# user's tree is never touched.  Without: `apt-get source qemu/trixie`
# (Debian 13's package, source only: .ci/apt-sources.sh adds a deb-src
# entry for trixie and no deb entry, so no trixie binary is installed).
# Debian's own patches are applied by dpkg-source; they only make the
# firmware-stripped +ds tarball buildable.
set -eu
dest=$1
src=${2:-}
want=${src:-apt-get source qemu/trixie}
if [ -f "$dest/.cirmem-src-ok" ] && [ "$(cat "$dest/.cirmem-src-ok")" = "$want" ]; then
    exit 0
fi
parent=$(dirname "$dest")
mkdir -p "$parent"
check_version() { # the glue is a series against 10.0.x
    v=$(cat "$1/VERSION" 2>/dev/null || echo none)
    case "$v" in
    10.0.*) ;;
    *) echo "fetch-src: $1 is QEMU $v; the series is for QEMU 10.0.x" >&2
       exit 1 ;;
    esac
}
if [ -n "$src" ]; then
    [ -f "$src/configure" ] && [ -f "$src/chardev/char-ringbuf.c" ] || {
        echo "fetch-src: $src does not look like a QEMU source tree" >&2
        exit 1
    }
    check_version "$src"
    rm -rf "$dest.tmp"
    mkdir -p "$dest.tmp"
    (cd "$src" && tar --exclude=./build --exclude=.git -cf - .) |
        (cd "$dest.tmp" && tar -xf -)
    rm -rf "$dest"
    mv "$dest.tmp" "$dest"
    echo "$want" > "$dest/.cirmem-src-ok"
    exit 0
fi

command -v dpkg-source >/dev/null || {
    echo "fetch-src: dpkg-source missing (install dpkg-dev: make deps)" >&2
    exit 1
}
sh "$(dirname "$0")/../.ci/apt-sources.sh"
work="$parent/qemu-pkg"
rm -rf "$work"
mkdir -p "$work"
(cd "$work" && timeout 900 apt-get source -q qemu/trixie >fetch.log 2>&1) || {
    tail -5 "$work/fetch.log" >&2
    echo "fetch-src: apt-get source qemu/trixie failed" \
         "(is there a deb-src entry for trixie? see .ci/apt-sources.sh)" >&2
    exit 1
}
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' | head -n 1)
[ -n "$tree" ] && [ -f "$tree/chardev/char-ringbuf.c" ] || {
    echo "fetch-src: no QEMU tree under $work" >&2
    exit 1
}
check_version "$tree"
rm -rf "$dest"
mv "$tree" "$dest"
rm -rf "$work"
echo "$want" > "$dest/.cirmem-src-ok"
