#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Maintainer tool: regenerate qemu-glue/patches/ from the last N commits
# of a git checkout of QEMU (one commit per patch).
#   format-series.sh QEMU_GIT_TREE N
# The SPDX line goes after the "---" separator, where git am and patch
# ignore it.
set -eu
tree=$1
n=$2
out=$(cd "$(dirname "$0")" && pwd)/patches
rm -f "$out"/*.patch
git -C "$tree" format-patch -q --no-signature --zero-commit -N \
    -o "$out" "HEAD~$n"
for p in "$out"/*.patch; do
    awk '!done && $0 == "---" {
             print; print "SPDX-License-Identifier: GPL-2.0-or-later"
             done = 1; next }
         { print }' "$p" > "$p.tmp"
    mv "$p.tmp" "$p"
done
ls "$out"
