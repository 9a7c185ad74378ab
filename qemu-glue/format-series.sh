#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Maintainer tool: regenerate qemu-glue/patches/ from the QEMU git tree
# `make qemu` works in (branch cirmem on top of tag pristine), one patch
# per commit, as `git format-patch --cover-letter --numbered --signoff`.
#   format-series.sh [QEMU_GIT_TREE]     (default build/qemu/src)
# The Signed-off-by is the git identity of whoever runs this.  The cover
# letter is kept as patches/0000-cover-letter.txt, so that
# `git am patches/*.patch` applies the series (git am stops at an empty
# patch); its subject and text are kept from the current file (edit it
# there), only its generated part (shortlog, diffstat) is renewed.  Afterwards `make qemu` sees the
# tree as the series it was formatted from.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tree=${1:-$here/../build/qemu/src}
out=$here/patches
old_cover=$(mktemp)
trap 'rm -f "$old_cover"' EXIT
[ -f "$out/0000-cover-letter.txt" ] && cp "$out/0000-cover-letter.txt" "$old_cover"
sh "$here/sync-core.sh" --check "$tree"
rm -f "$out"/*.patch "$out"/0000-cover-letter.txt
git -C "$tree" format-patch -q --cover-letter --numbered --signoff \
    --no-signature --zero-commit -o "$out" pristine..HEAD
cover=$out/0000-cover-letter.patch
if [ -s "$old_cover" ]; then
    # Subject and body (up to the shortlog) from the old cover letter.
    subj=$(sed -n 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //p' "$old_cover")
    body=$(mktemp)
    awk 'f && /^[^ ].* \([0-9]+\):$/ { exit } f { print }
         /^$/ && !f && seen { f = 1 } /^Subject:/ { seen = 1 }' \
        "$old_cover" > "$body"
    # drop the body's trailing blank lines (format-patch adds its own)
    sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$body"
    awk -v subj="$subj" -v bodyf="$body" '
        /^Subject:/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
        /^\*\*\* BLURB HERE \*\*\*$/ {
            while ((getline l < bodyf) > 0) print l; skip = 1; next }
        skip && /^$/ { skip = 0 }
        { print }' "$cover" > "$cover.tmp"
    mv "$cover.tmp" "$cover"
    rm -f "$body"
fi
mv "$cover" "$out/0000-cover-letter.txt"
gitdir=$(cd "$tree" && cd "$(git rev-parse --git-dir)" && pwd)
git -C "$tree" rev-parse HEAD > "$gitdir/cirmem-head"
ls "$out"/[0-9]*.patch | grep -v cover-letter | xargs cat | sha256sum |
    cut -c1-16 > "$gitdir/cirmem-series"
ls "$out"
