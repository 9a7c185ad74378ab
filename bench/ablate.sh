#!/bin/sh
# SPDX-License-Identifier: MIT
# What one piece of the small-write path costs, to the cycle.
#
# Copies this tree's core/ and spec/ to OUTDIR/tree, removes or weakens
# one piece of bookkeeping there (VARIANT, below), and runs bench/pairs.sh
# with this tree as A and the edited copy as B.  The edited cores are
# wrong on purpose (a counter stops counting, or stops saturating): they
# are never built into anything but this measurement.  bench/RESULTS.md
# uses them to say what limits the 1-byte figures.
#
# Variants:
#   no-read-count      cirmem_read no longer counts bytes_read
#   read-count-wraps   bytes_read is a plain add (no saturation check)
#   read-count-guarded bytes_read is counted only once bytes_written has
#                      saturated (a load and a branch instead of a store)
#   full-no-counts     a write into a full ring (overwrite_few) no longer
#                      counts bytes_written / bytes_dropped / the lost flag
#
# usage: bench/ablate.sh OUTDIR CC "CFLAGS" VARIANT [CHUNK [CAP [REPS [MODE]]]]
#        bench/ablate.sh --check OUTDIR CC "CFLAGS"
#          (applies every variant and compiles it: `make bench-build`)
set -eu

# edit VARIANT FILE: apply VARIANT to FILE; fail if the code it edits
# has changed, so that a stale variant cannot time the unedited core.
edit() {
    # the body of count_read(), which three variants edit
    read='    r->read = sat_add(r->read, n);\n'
    clear='    if (n > 0) {\n        r->lost = false;'
    case $1 in
    no-read-count)
        from=$read$clear
        to=$clear ;;
    read-count-wraps)
        from=$read$clear
        to='    r->read += n;\n'$clear ;;
    read-count-guarded)
        from=$read$clear
        to='    if (r->written == UINT64_MAX) {\n    '$read'    }\n'$clear ;;
    full-no-counts)
        from='    r->head = head + n;\n    r->written = sat_add(r->written, n);\n    count_dropped(r, n);'
        to='    r->head = head + n;' ;;
    *)
        echo "ablate.sh: unknown variant '$1'" >&2
        exit 2 ;;
    esac
    FROM=$from TO=$to perl -0pi -e '
        my ($f, $t) = map { s/\\n/\n/gr } @ENV{qw(FROM TO)};
        s/\Q$f\E/$t/ or die "ablate.sh: the edited code has changed\n";
    ' "$2"
}

# tree OUTDIR VARIANT: OUTDIR/tree = this tree's core/ and spec/, edited.
tree() {
    rm -rf "$1/tree"
    mkdir -p "$1/tree"
    cp -R core spec "$1/tree/"
    edit "$2" "$1/tree/core/cirmem.c"
}

if [ "$1" = --check ]; then
    out=$2
    for v in no-read-count read-count-wraps read-count-guarded \
             full-no-counts; do
        tree "$out" "$v"
        # shellcheck disable=SC2086
        $3 $4 -I"$out/tree/core" -I"$out/tree/spec" \
            -c "$out/tree/core/cirmem.c" -o "$out/$v.o"
    done
    exit 0
fi

out=$1
cc=$2
cflags=$3
tree "$out" "$4"
shift 4
sh bench/pairs.sh "$out" "$cc" "$cflags" . "$out/tree" "$@"
