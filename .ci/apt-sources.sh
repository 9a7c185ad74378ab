#!/bin/sh
# SPDX-License-Identifier: MIT
# Make apt able to supply what the QEMU 10.0 glue needs, in files of our
# own under /etc/apt/sources.list.d/ (the system's files stay as they are):
#   - bookworm-backports binaries: meson >= 1.5 (QEMU 10 needs it) and the
#     stock qemu-system-x86 10.0 used as the unpatched baseline;
#   - trixie *source* only (deb-src): `apt-get source qemu/trixie` gives
#     QEMU 10.0.x.  No `deb` line for trixie: its binaries are never
#     installed on bookworm.
# Safe to run again; runs `apt-get update` only when it added a file.
set -eu
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
mirror=http://deb.debian.org/debian
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
added=
add() { # $1 file, $2 type, $3 suite
    [ -f "/etc/apt/sources.list.d/$1" ] && return 0
    printf 'Types: %s\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
        "$2" "$mirror" "$3" "$keyring" > /tmp/cirmem-src.$$
    $SUDO install -m 644 /tmp/cirmem-src.$$ "/etc/apt/sources.list.d/$1"
    rm -f /tmp/cirmem-src.$$
    echo "apt-sources: added /etc/apt/sources.list.d/$1 ($2 $3)"
    added=1
}
grep -rqsE '^[^#]*(bookworm-backports)' /etc/apt/sources.list \
    /etc/apt/sources.list.d/ || add cirmem-bookworm-backports.sources deb bookworm-backports
add cirmem-trixie-src.sources deb-src trixie
if [ -n "$added" ]; then
    $SUDO apt-get update -q
fi
