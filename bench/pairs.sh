#!/bin/sh
# SPDX-License-Identifier: MIT
# Compares two versions of the core at one chunk size, to the cycle.
#
# Builds core/cirmem.c of tree A and of tree B (each with its own core/
# and spec/ headers) with the given flags, renames each build's global
# symbols to A_* / B_*, and links both with bench/pairs.c and the byte
# loop.  Code placement moves a pair by several cycles at these sizes, so
# this is repeated for four function alignments and both link orders
# (eight binaries); each prints the minimum ns per pair of A, B, the
# byte loop and the call floor (empty functions), and the script prints
# the median and range of each over the eight.  Run it on an idle
# machine: minima do not survive a busy CPU.  MODE "full" times OVERWRITE
# writes into a full ring instead of pairs.
#
# usage: bench/pairs.sh OUTDIR CC "CFLAGS" TREE_A TREE_B
#                       [CHUNK [CAP [REPS [MODE]]]]
# e.g.   git worktree add /tmp/base HEAD~1
#        sh bench/pairs.sh build/bench/pairs cc "-O2 ..." /tmp/base . 1
set -eu
out=$1
cc=$2
cflags=$3
tree_a=$4
tree_b=$5
chunk=${6:-1}
cap=${7:-4096}
reps=${8:-100}
mode=${9:-pairs}
mkdir -p "$out"

# obj TREE NAME ALIGNFLAG: compile TREE's core and rename its symbols.
obj() {
    # shellcheck disable=SC2086
    $cc $cflags $3 -I"$1/core" -I"$1/spec" -c "$1/core/cirmem.c" \
        -o "$out/$2.raw.o"
    nm --defined-only -g "$out/$2.raw.o" | awk -v p="$2_" \
        '{ print $3 " " p $3 }' >"$out/$2.syms"
    objcopy --redefine-syms="$out/$2.syms" "$out/$2.raw.o" "$out/$2.o"
}

: >"$out/runs.txt"
for align in default 32 64 256; do
    flag=""
    [ "$align" = default ] || flag="-falign-functions=$align"
    obj "$tree_a" A "$flag"
    obj "$tree_b" B "$flag"
    # shellcheck disable=SC2086
    $cc $cflags $flag -Icore -Ispec -c bench/byteloop.c -o "$out/byteloop.o"
    # shellcheck disable=SC2086
    $cc $cflags $flag -Icore -Ispec -c bench/pairs.c -o "$out/pairs.o"
    for order in "A B" "B A"; do
        # shellcheck disable=SC2086
        set -- $order
        bin=$out/pairs-$align-$1$2
        $cc -o "$bin" "$out/pairs.o" "$out/$1.o" "$out/$2.o" \
            "$out/byteloop.o"
        "$bin" "$chunk" "$cap" "$reps" "$mode" >>"$out/runs.txt"
    done
done

# median and range of column $1 over the eight runs
stat() {
    cut -d' ' -f"$1" "$out/runs.txt" | sort -n | awk '
        { v[NR] = $1 }
        END { printf "median %.3f  range %.3f-%.3f",
                     (v[4] + v[5]) / 2, v[1], v[NR] }'
}

{
    if [ "$mode" = full ]; then
        echo "chunk $chunk B, full ring of $cap B: ns per OVERWRITE write," \
            "minimum of"
    else
        echo "chunk $chunk B, ring $cap B: ns per write+read pair, minimum of"
    fi
    echo "$reps repetitions, over 8 placements (4 alignments x 2 link orders)"
    echo "  A        $(stat 1)   ($tree_a)"
    echo "  B        $(stat 2)   ($tree_b)"
    echo "  byteloop $(stat 3)"
    echo "  floor    $(stat 4)   (empty calls: the loop and calls alone)"
} | tee "$out/pairs.txt"
