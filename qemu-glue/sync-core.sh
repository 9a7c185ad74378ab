#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Maintainer tool: copy the cirmem core (core/*, spec/cirmem_logic.h) into
# a QEMU git tree's subprojects/cirmem/, where the series' subprojects patch
# carries it; or, with --check, fail if the tree's copy differs (make
# qemu-check runs that, so the series never ships a stale core).
#   sync-core.sh [--check] QEMU_TREE
set -eu
check=
[ "$1" = --check ] && { check=1; shift; }
tree=$1
proj=$(cd "$(dirname "$0")/.." && pwd)
dst=$tree/subprojects/cirmem
status=0
for f in core/cirmem.h core/cirmem.c core/cirmem_utf8.c spec/cirmem_logic.h; do
    if [ -n "$check" ]; then
        cmp -s "$proj/$f" "$dst/$f" || {
            echo "sync-core: $dst/$f differs from $f (regenerate the series)" >&2
            status=1
        }
    else
        mkdir -p "$dst/$(dirname "$f")"
        cp "$proj/$f" "$dst/$f"
    fi
done
[ -n "$check" ] && [ $status -eq 0 ] && echo "sync-core: the series carries core/ as it is"
exit $status
