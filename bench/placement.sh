#!/bin/sh
# SPDX-License-Identifier: MIT
# Code-placement study for the small-chunk cells of the ring benchmark.
#
# At 1 and 64 bytes a write+read pair costs a few nanoseconds, and where
# the linker puts the functions (cirmem's, the byte loop's, the harness's)
# shifts that cost by more than the rings differ.  This script builds the
# unchanged sources several times with the shipped flags plus
# -falign-functions=N, which moves every function, runs each build's
# benchmark with --quick, and prints the 4 KiB ring's 1 B and 64 B cells
# side by side, so that a ratio is judged across placements instead of on
# one.
#
# usage: bench/placement.sh OUTDIR CC "CFLAGS" [cirmem_bench options...]
# env:   PLACEMENT_ALIGNS (default "default 64 256 1024 4096")
set -eu
out=$1
cc=$2
cflags=$3
shift 3
aligns=${PLACEMENT_ALIGNS:-"default 64 256 1024 4096"}
glib_cflags=$(pkg-config --cflags glib-2.0 | sed 's/-I/-isystem /g')
glib_libs=$(pkg-config --libs glib-2.0)

# cell CSV VARIANT CHUNK: median MB/s of the 4 KiB ring's cell.
cell() {
    awk -F, -v v="$2" -v k="$3" \
        '$1 == 4096 && $2 == k && $3 == v { print $4 }' "$1"
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

rows=""
for a in $aligns; do
    d=$out/align-$a
    mkdir -p "$d"
    flag=""
    [ "$a" = default ] || flag="-falign-functions=$a"
    for f in core/cirmem.c core/cirmem_utf8.c bench/byteloop.c; do
        # shellcheck disable=SC2086
        $cc $cflags $flag -c "$f" -o "$d/$(basename "$f" .c).o"
    done
    # shellcheck disable=SC2086
    $cc $cflags $glib_cflags $flag -c bench/bench.c -o "$d/bench.o"
    # shellcheck disable=SC2086
    $cc $cflags -o "$d/cirmem_bench" "$d/bench.o" "$d/byteloop.o" \
        "$d/cirmem.o" "$d/cirmem_utf8.o" $glib_libs
    echo "placement: align $a: running $d/cirmem_bench --quick $*" >&2
    "$d/cirmem_bench" --quick --out "$d" "$@" >"$d/results.txt"
    c1=$(cell "$d/ring.csv" overwrite 1)
    b1=$(cell "$d/ring.csv" byteloop 1)
    c64=$(cell "$d/ring.csv" overwrite 64)
    b64=$(cell "$d/ring.csv" byteloop 64)
    l64=$(cell "$d/ring.csv" limit 64)
    rows="$rows$(printf '%-9s | %8s %8s %6s | %8s %8s %8s %6s %6s' "$a" \
        "$c1" "$b1" "$(ratio "$c1" "$b1")" "$c64" "$b64" "$l64" \
        "$(ratio "$c64" "$b64")" "$(ratio "$l64" "$b64")")
"
done

{
    echo "4 KiB ring, medians in MB/s (cirmem = overwrite mode); one build per"
    echo "function alignment, each run with --quick"
    echo
    printf '%-9s | %24s | %40s\n' "" "1 B" "64 B"
    printf '%-9s | %8s %8s %6s | %8s %8s %8s %6s %6s\n' align cirmem \
        byteloop ratio cirmem byteloop limit ratio limit/
    printf '%-9s | %8s %8s %6s | %8s %8s %8s %6s %6s\n' "" "" "" "" "" "" \
        "" "" byteloop
    printf '%s' "$rows"
} | tee "$out/placement.txt"
