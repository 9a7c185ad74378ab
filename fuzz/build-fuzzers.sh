#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# The in-repo fuzzer build of cirmem, for OSS-Fuzz and ClusterFuzzLite.
# fuzz/oss-fuzz/build.sh (the copy that lives in the oss-fuzz repository)
# and .clusterfuzzlite/build.sh only call this script, so the build
# cannot drift from the tree it builds.
#
# Follows the OSS-Fuzz conventions: compiles C with $CC $CFLAGS, links with
# $CXX $CXXFLAGS ... $LIB_FUZZING_ENGINE, and puts into $OUT, per target,
# the binary, <target>_seed_corpus.zip, <target>.dict, <target>.options.
# Scratch objects go to $WORK.  Runs from the project root or finds the
# project in $SRC/cirmem.  The harnesses are C only (no C++ standard
# library), so the memory sanitizer needs no instrumented libc++.
# `make oss-fuzz-check` runs it locally for every sanitizer of
# fuzz/oss-fuzz/project.yaml, with clang-14.

: "${CC:?}" "${CXX:?}" "${OUT:?}" "${WORK:?}" "${LIB_FUZZING_ENGINE:?}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}

if [ -f core/cirmem.h ]; then
    ROOT=$PWD
else
    ROOT=${SRC:?}/cirmem
fi
cd "$ROOT"

OBJ=$WORK/cirmem-obj
mkdir -p "$OBJ" "$OUT"
INC="-Icore -Ispec -Ifuzz"

# the library under test and the reference model, compiled once
LIBOBJ=
for src in core/cirmem.c core/cirmem_utf8.c spec/ref/cirmem_ref.c; do
    o=$OBJ/$(basename "$src" .c).o
    # shellcheck disable=SC2086
    $CC $CFLAGS -std=c11 $INC -c "$src" -o "$o"
    LIBOBJ="$LIBOBJ $o"
done

zip_dir() { # zip_dir OUT.zip FILE... (flat; python fallback without zip)
    local z=$1
    shift
    rm -f "$z"
    [ $# -gt 0 ] || return 0
    if command -v zip >/dev/null; then
        zip -q -j "$z" "$@"
    else
        python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in sys.argv[2:]: z.write(f, os.path.basename(f))' "$z" "$@"
    fi
}

for h in ring utf8; do
    t=fuzz_$h
    # shellcheck disable=SC2086
    $CC $CFLAGS -std=c11 $INC -c "fuzz/$t.c" -o "$OBJ/$t.o"
    # shellcheck disable=SC2086
    $CXX $CXXFLAGS "$OBJ/$t.o" $LIBOBJ $LIB_FUZZING_ENGINE -o "$OUT/$t"
    seeds=$(find "fuzz/corpus/$h" "fuzz/regressions/$h" -maxdepth 1 -type f \
        ! -name '.*' ! -name 'README*' 2>/dev/null | sort)
    # shellcheck disable=SC2086
    zip_dir "$OUT/${t}_seed_corpus.zip" $seeds
    cp "fuzz/$t.dict" "$OUT/$t.dict"
    printf '[libfuzzer]\ndict = %s.dict\nmax_len = 4096\ntimeout = 10\n' \
        "$t" >"$OUT/$t.options"
done
echo "build.sh: built $(ls "$OUT" | grep -c '^fuzz_[a-z0-9]*$') targets in $OUT"
