#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages given as arguments when any is missing.
# An argument NAME@bpo means NAME from bookworm-backports (installed with
# `-t bookworm-backports`; present only when its installed version is a
# backport).  .ci/apt-sources.sh adds the apt entries this needs.
set -e
# why3 keeps its prover list in $HOME/.why3.conf; CI may not set HOME.
: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
export HOME
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
missing=
missing_bpo=
for a in "$@"; do
    p=${a%@bpo}
    v=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
    case "$a" in
    *@bpo) case "$v" in *'ok installed'*bpo*) ;; *) missing_bpo="$missing_bpo $p" ;; esac ;;
    *) case "$v" in *'ok installed'*) ;; *) missing="$missing $p" ;; esac ;;
    esac
done
if [ -n "$missing$missing_bpo" ]; then
    echo "deps: installing$missing${missing_bpo:+ (bookworm-backports:$missing_bpo)}"
    sh "$(dirname "$0")/apt-sources.sh"
    # NAME:i386 (the -m32 tests) needs the i386 architecture in dpkg.
    case "$missing" in *:i386*)
        dpkg --print-foreign-architectures | grep -qx i386 ||
            $SUDO dpkg --add-architecture i386 ;;
    esac
    $SUDO apt-get update -q
    [ -z "$missing" ] ||
        $SUDO apt-get install -y -q --no-install-recommends $missing
    [ -z "$missing_bpo" ] ||
        $SUDO apt-get install -y -q --no-install-recommends \
            -t bookworm-backports $missing_bpo
fi
# WP reaches z3/cvc4 through why3, which needs its config.
if [ ! -f "${HOME}/.why3.conf" ] && command -v why3 >/dev/null; then
    why3 config detect >/dev/null
fi
echo "deps: all present"
