#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The QEMU git work tree the build uses: the pristine source as commit
# `pristine`, and on branch `cirmem` exactly `git am` of the series.
#   worktree.sh PRISTINE WORK PATCHDIR [COUNT]
# COUNT applies only the first COUNT patches (qemu-series-check).
# git checkout/am rewrite only files whose content changes, so ninja
# rebuilds only what the series touches.  Local changes are never thrown
# away: a dirty tree or commits that are not the series stop the script.
set -eu
pristine=$(cd "$1" && pwd)
work=$2
patches=$(cd "$3" && pwd)
count=${4:-all}
git_() { git -C "$work" -c user.name="${GIT_AUTHOR_NAME:-cirmem build}" \
    -c user.email="${GIT_AUTHOR_EMAIL:-build@cirmem.invalid}" "$@"; }

if [ "$(cat "$work/.git/cirmem-pristine" 2>/dev/null)" != "$pristine" ]; then
    rm -rf "$work.tmp"
    mkdir -p "$(dirname "$work")"
    cp -a "$pristine" "$work.tmp"
    rm -f "$work.tmp/.cirmem-src-ok"
    git -C "$work.tmp" init -q -b upstream
    git -C "$work.tmp" add -A -f .
    GIT_AUTHOR_DATE=1970-01-01T00:00:01Z GIT_COMMITTER_DATE=1970-01-01T00:00:01Z git -C "$work.tmp" \
        -c user.name="cirmem build" -c user.email=build@cirmem.invalid \
        commit -q -m "QEMU $(cat "$pristine/VERSION") as fetched ($(basename "$pristine"))"
    git -C "$work.tmp" tag pristine
    echo "$pristine" > "$work.tmp/.git/cirmem-pristine"
    rm -rf "$work"
    mv "$work.tmp" "$work"
fi

# The series without its cover letter (which git am cannot apply).
set --
for p in "$patches"/[0-9]*.patch; do
    case "$p" in *cover-letter.patch) ;; *) set -- "$@" "$p" ;; esac
done
[ -f "${1:-}" ] || { echo "worktree: no patches in $patches" >&2; exit 1; }
if [ "$count" != all ]; then
    i=0; keep=
    for p in "$@"; do
        i=$((i + 1)); [ $i -le "$count" ] && keep="$keep $p"
    done
    # shellcheck disable=SC2086
    set -- $keep
fi
stamp=$(cat "$@" | sha256sum | cut -c1-16)
if [ -n "$(git_ status --porcelain --untracked-files=no)" ]; then
    echo "worktree: $work has uncommitted changes; commit them and run" \
         "qemu-glue/format-series.sh, or make qemu-clean" >&2
    exit 1
fi
if [ "$(cat "$work/.git/cirmem-series" 2>/dev/null)" = "$stamp" ] &&
   [ "$(git_ rev-parse HEAD)" = "$(cat "$work/.git/cirmem-head" 2>/dev/null)" ]; then
    exit 0
fi
head=$(git_ rev-parse HEAD)
if [ "$head" != "$(git_ rev-parse pristine)" ] &&
   [ "$head" != "$(cat "$work/.git/cirmem-head" 2>/dev/null)" ]; then
    echo "worktree: $work has commits that are not the series (HEAD $head);" \
         "run qemu-glue/format-series.sh first, or make qemu-clean" >&2
    exit 1
fi
git_ checkout -q -B cirmem pristine
git_ am -q --keep-cr "$@" || {
    git_ am --abort || true
    echo "worktree: the series does not apply with git am onto $pristine" >&2
    exit 1
}
echo "worktree: git am of $# patch(es) onto QEMU $(cat "$pristine/VERSION")"
git_ rev-parse HEAD > "$work/.git/cirmem-head"
echo "$stamp" > "$work/.git/cirmem-series"
