#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages given as arguments when any is missing.
set -e
# why3 keeps its prover list in $HOME/.why3.conf; CI may not set HOME.
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME
missing=
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "deps: installing$missing"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
# WP reaches z3/cvc4 through why3, which needs its config.
if [ ! -f "${HOME}/.why3.conf" ] && command -v why3 >/dev/null; then
    why3 config detect >/dev/null
fi
echo "deps: all present"
