#!/bin/bash
# SPDX-License-Identifier: MIT
# `make oss-fuzz-check`: run the OSS-Fuzz build script of cirmem here, the
# way OSS-Fuzz's base-builder would, once per configuration that
# fuzz/oss-fuzz/project.yaml claims (every sanitizer on x86_64, address on
# i386), then run each target on its unzipped seed corpus.
#
# The script under test is fuzz/oss-fuzz/build.sh, the thin file that is
# copied to the oss-fuzz repository: it finds this tree as $SRC/cirmem
# (a symlink here) and runs fuzz/build-fuzzers.sh.
#
# Usage: fuzz/oss-fuzz-check.sh OUTDIR   (run from the repository root)
set -u -o pipefail

top=$(realpath -m -- "${1:?usage: oss-fuzz-check.sh OUTDIR}")
CC=${OSSFUZZ_CC:-clang-14}
CXX=${OSSFUZZ_CXX:-clang++-14}
die() { echo "oss-fuzz-check: FAIL: $*" >&2; exit 1; }
command -v "$CXX" >/dev/null || die "$CXX missing (package clang-14)"
[ -f fuzz/oss-fuzz/project.yaml ] || die "run from the repository root"

# What project.yaml claims must be what is checked below.
claims=$(sed -n '/^sanitizers:/,/^[a-z]/s/^  - //p' fuzz/oss-fuzz/project.yaml | sort | tr '\n' ' ')
[ "$claims" = "address memory undefined " ] ||
    die "project.yaml sanitizers are '$claims'; update this script too"
archs=$(sed -n '/^architectures:/,/^[a-z]/s/^  - //p' fuzz/oss-fuzz/project.yaml | sort | tr '\n' ' ')
[ "$archs" = "i386 x86_64 " ] ||
    die "project.yaml architectures are '$archs'; update this script too"

common="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=fuzzer-no-link"
# The C-relevant checks of OSS-Fuzz's "undefined" configuration; unsigned
# wrap-around is reported but not fatal there (the harness's PRNG wraps on
# purpose), and is silenced at run time below.
ubsan_checks=array-bounds,bool,builtin,enum,float-divide-by-zero,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound
flags_address="-fsanitize=address -fsanitize-address-use-after-scope"
flags_undefined="-fsanitize=$ubsan_checks,unsigned-integer-overflow -fno-sanitize-recover=$ubsan_checks"
flags_memory="-fsanitize=memory -fsanitize-memory-track-origins"

rm -rf "$top"
mkdir -p "$top/src"
ln -s "$PWD" "$top/src/cirmem"

n_ok=0
for cfg in address:x86_64 undefined:x86_64 memory:x86_64 address:i386; do
    san=${cfg%%:*} arch=${cfg##*:}
    d=$top/$san-$arch
    mkdir -p "$d/out" "$d/work"
    eval "sflags=\$flags_$san"
    m=
    [ "$arch" = i386 ] && m=-m32
    # shellcheck disable=SC2154
    env CC="$CC" CXX="$CXX" CFLAGS="$common $sflags $m" \
        CXXFLAGS="$common $sflags $m" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
        SANITIZER="$san" FUZZING_ENGINE=libfuzzer ARCHITECTURE="$arch" \
        OUT="$d/out" SRC="$top/src" WORK="$d/work" \
        timeout 600 nice -n 10 bash fuzz/oss-fuzz/build.sh >"$d/build.log" 2>&1 ||
        { tail -30 "$d/build.log"; die "build.sh failed for $san/$arch"; }
    n=0
    for t in "$d"/out/*; do
        case $t in *.zip|*.dict|*.options) continue ;; esac
        [ -x "$t" ] || continue
        b=$(basename "$t")
        n=$((n + 1))
        if [ "$arch" = i386 ]; then
            file -L "$t" | grep -q 'ELF 32-bit.*80386' || die "$b ($san/$arch) is not i386"
        fi
        for x in _seed_corpus.zip .dict .options; do
            [ -s "$d/out/$b$x" ] || die "missing $b$x ($san/$arch)"
        done
        if [ "$arch" = i386 ] && ! sh tests/i386-native.sh "${HOSTCC:-cc}"; then
            # this kernel cannot run i386 binaries: built and checked
            # only (make fuzz-m32 runs the seeds under qemu-i386-static)
            echo "oss-fuzz-check: $san/$arch $b: built, not run (no IA-32 emulation in this kernel)"
            continue
        fi
        rm -rf "$d/work/seeds-$b"
        mkdir -p "$d/work/seeds-$b"
        unzip -q "$d/out/${b}_seed_corpus.zip" -d "$d/work/seeds-$b" ||
            die "cannot unzip ${b}_seed_corpus.zip"
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:silence_unsigned_overflow=1 \
            MSAN_OPTIONS=halt_on_error=1 \
            timeout 300 nice -n 10 "$t" -runs=0 -dict="$d/out/$b.dict" \
            "$d/work/seeds-$b" >"$d/work/$b.log" 2>&1 ||
            { tail -30 "$d/work/$b.log"; die "$b ($san/$arch) failed on its seeds"; }
        echo "oss-fuzz-check: $san/$arch $b: $(find "$d/work/seeds-$b" -type f | wc -l) seeds OK ($(grep -o 'cov: [0-9]*' "$d/work/$b.log" | tail -1))"
    done
    [ "$n" -eq 2 ] || die "$san/$arch: expected 2 targets, got $n"
    n_ok=$((n_ok + 1))
done
echo "oss-fuzz-check: passed ($n_ok configurations: address, undefined, memory on x86_64; address on i386)"
