#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Lay the glue over a working copy of QEMU's source.
#   apply.sh PRISTINE WORKTREE GLUEDIR PROJECTDIR
# PRISTINE is never modified.  WORKTREE is created once as a copy that
# keeps timestamps; afterwards only files whose content changes are
# rewritten, so the next ninja run rebuilds only what the glue touched.
set -eu
pristine=$(cd "$1" && pwd)
work=$2
glue=$(cd "$3" && pwd)
proj=$(cd "$4" && pwd)

if [ "$(cat "$work/.cirmem-work-ok" 2>/dev/null)" != "$pristine" ]; then
    rm -rf "$work.tmp"
    mkdir -p "$(dirname "$work")"
    cp -a "$pristine" "$work.tmp"
    rm -rf "$work"
    mv "$work.tmp" "$work"
    : > "$work/.cirmem-managed"
    echo "$pristine" > "$work/.cirmem-work-ok"
fi
work=$(cd "$work" && pwd)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT INT TERM

# 1. Patched files: start from the pristine version, apply the series.
for p in "$glue"/patches/*.patch; do
    [ -f "$p" ] || continue
    sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$p"
done | sort -u > "$stage/.patched"
while read -r f; do
    mkdir -p "$stage/tree/$(dirname "$f")"
    if [ -f "$pristine/$f" ]; then
        cp "$pristine/$f" "$stage/tree/$f"
    fi
done < "$stage/.patched"
mkdir -p "$stage/tree"
for p in "$glue"/patches/*.patch; do
    [ -f "$p" ] || continue
    if ! patch -s -p1 -d "$stage/tree" --no-backup-if-mismatch < "$p"; then
        echo "apply: $p does not apply to $pristine" >&2
        exit 1
    fi
done

# 2. Whole files the glue adds or replaces.
if [ -d "$glue/files" ]; then
    (cd "$glue/files" && tar -cf - .) | (cd "$stage/tree" && tar -xf -)
fi

# 3. The cirmem core, compiled into QEMU from cirmem/.
mkdir -p "$stage/tree/cirmem/core" "$stage/tree/cirmem/spec"
for f in "$proj"/core/*.c "$proj"/core/*.h; do
    [ -f "$f" ] && cp "$f" "$stage/tree/cirmem/core/"
done
for f in "$proj"/spec/*.h; do
    [ -f "$f" ] && cp "$f" "$stage/tree/cirmem/spec/"
done

# 4. Sync: write only what differs; restore files no longer managed.
(cd "$stage/tree" && find . -type f | sed 's#^\./##' | sort) > "$stage/.new"
changed=0
while read -r f; do
    if ! cmp -s "$stage/tree/$f" "$work/$f"; then
        mkdir -p "$work/$(dirname "$f")"
        cp "$stage/tree/$f" "$work/$f"
        echo "apply: updated $f"
        changed=$((changed + 1))
    fi
done < "$stage/.new"
sort "$work/.cirmem-managed" | comm -23 - "$stage/.new" | while read -r f; do
    if [ -f "$pristine/$f" ]; then
        cmp -s "$pristine/$f" "$work/$f" || cp "$pristine/$f" "$work/$f"
    else
        rm -f "$work/$f"
    fi
    echo "apply: restored $f"
done
cp "$stage/.new" "$work/.cirmem-managed"
echo "apply: $changed file(s) changed"
