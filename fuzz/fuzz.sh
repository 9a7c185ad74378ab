#!/bin/bash
# SPDX-License-Identifier: MIT
# Driver of the cirmem fuzzing targets (called by fuzz/fuzz.mk, which
# builds the binaries first).  Run from the repository root.
#
#   fuzz.sh replay                      corpus + regressions, ASan+UBSan
#   fuzz.sh run ENGINE HARNESS SECONDS regress|campaign
#   fuzz.sh cov                         coverage of core/ by the corpus;
#                                       fails on a line or branch outside
#                                       tests/coverage-allowlist.txt
#
# Environment: FUZZ_DIR (build/fuzz), FUZZ_HARNESSES ("ring utf8"),
# FUZZ_NICE (nice level, 10), FUZZ_COV_EXTRA (more corpus roots for cov:
# each holds <harness>/ inputs, or AFL++ output <harness>/default/queue/).
# Every engine run is wrapped in `timeout`, so nothing here can hang.
set -u -o pipefail

FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
FUZZ_HARNESSES=${FUZZ_HARNESSES:-ring utf8}
FUZZ_NICE=${FUZZ_NICE:-10}
LLVM_PROFDATA=${LLVM_PROFDATA:-llvm-profdata-14}
LLVM_COV=${LLVM_COV:-llvm-cov-14}

die() { echo "fuzz: FAIL: $*" >&2; exit 1; }
say() { echo "fuzz: $*"; }

# Files of a directory that are inputs (not hidden, not README*).
inputs_of() {
    [ -d "$1" ] || return 0
    find "$1" -maxdepth 1 -type f ! -name '.*' ! -name 'README*' | sort
}

cmd_replay() {
    local h bin n
    for h in $FUZZ_HARNESSES; do
        bin=$FUZZ_DIR/replay-san/fuzz_$h
        [ -x "$bin" ] || die "$bin not built"
        n=$(inputs_of "fuzz/corpus/$h" | wc -l)
        [ "$n" -gt 0 ] || die "empty seed corpus fuzz/corpus/$h"
        # shellcheck disable=SC2046
        timeout -k 10 300 env ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            "$bin" $(inputs_of "fuzz/corpus/$h") \
            $(inputs_of "fuzz/regressions/$h") ||
            die "replay of $h corpus/regressions (ASan+UBSan) failed"
        say "replay $h: $n seeds, $(inputs_of "fuzz/regressions/$h" |
            wc -l) regressions, no divergence"
    done
}

# libFuzzer: new inputs go to $corpus (first dir), seeds are read-only.
run_libfuzzer() {
    local h=$1 secs=$2 corpus=$3 art=$4 log=$5 rc bin=$FUZZ_DIR/libfuzzer/fuzz_$h
    local regs=()
    [ -x "$bin" ] || die "$bin not built"
    [ -d "fuzz/regressions/$h" ] && regs=("fuzz/regressions/$h")
    mkdir -p "$corpus" "$art"
    timeout -k 10 $((secs + 120)) nice -n "$FUZZ_NICE" "$bin" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=3072 \
        -max_len=4096 -print_final_stats=1 -dict="fuzz/fuzz_$h.dict" \
        -artifact_prefix="$art/" "$corpus" "fuzz/corpus/$h" "${regs[@]}" \
        >"$log" 2>&1
    rc=$?
    local eps execs cov
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]* ft: [0-9]* corp: [^ ]*' | tail -1)
    say "libfuzzer $h: ${secs}s, ${execs:-?} execs, ${eps:-?} execs/s, $cov, corpus $(inputs_of "$corpus" | wc -l) files (log $log)"
    if [ "$rc" -ne 0 ]; then
        tail -40 "$log" >&2
        ls -l "$art" >&2
        [ "$rc" -eq 124 ] && die "libfuzzer $h: timed out (hang)"
        die "libfuzzer $h: exit $rc, crash/divergence input in $art/"
    fi
}

# PIDs of running processes whose executable is one of the given files.
pids_of() {
    local want=() f p exe
    for f in "$@"; do want+=("$(readlink -f "$f")"); done
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        for f in "${want[@]}"; do
            [ "$exe" = "$f" ] && echo "${p#/proc/}"
        done
    done
}

# AFL++ may leave an orphaned, stopped persistent-mode child behind when it
# exits.  End those (by pid): started by this run (not in $1), running one
# of our binaries, and orphaned (parent 1) or stopped.
reap_afl_children() {
    local before=" $1 " p st ppid
    shift
    for p in $(pids_of "$@"); do
        case $before in *" $p "*) continue ;; esac
        read -r st ppid < <(awk '{print $3, $4}' "/proc/$p/stat" 2>/dev/null) ||
            continue
        if [ "$ppid" = 1 ] || [ "$st" = T ] || [ "$st" = t ]; then
            kill -KILL "$p" 2>/dev/null && say "reaped leftover AFL++ child $p"
        fi
    done
}

# AFL++: one instance, -V seconds, CmpLog binary alongside.
run_afl() {
    local h=$1 secs=$2 out=$3 mode=$4 log=$5 rc in
    local bin=$FUZZ_DIR/afl/fuzz_$h cmp=$FUZZ_DIR/afl-cmplog/fuzz_$h
    [ -x "$bin" ] && [ -x "$cmp" ] || die "$bin / $cmp not built"
    command -v afl-fuzz >/dev/null || die "afl-fuzz not installed (afl++)"
    in=$FUZZ_DIR/afl-seeds/$h
    rm -rf "$in"
    mkdir -p "$in" "$out"
    # shellcheck disable=SC2046
    cp $(inputs_of "fuzz/corpus/$h") $(inputs_of "fuzz/regressions/$h") "$in/"
    if [ "$mode" = regress ]; then
        rm -rf "$out"
    fi
    local before
    before=$(pids_of "$bin" "$cmp" | tr '\n' ' ')
    # core_pattern may be a pipe and not settable (containers, CI):
    # AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES makes that a warning.
    timeout -k 10 $((secs + 180)) env AFL_SKIP_CPUFREQ=1 \
        AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
        AFL_NO_AFFINITY=1 AFL_AUTORESUME=1 AFL_FAST_CAL=1 \
        nice -n "$FUZZ_NICE" afl-fuzz -V "$secs" -t 2000 -i "$in" -o "$out" \
        -x "fuzz/fuzz_$h.dict" -c "$cmp" -- "$bin" >"$log" 2>&1
    rc=$?
    sleep 1
    reap_afl_children "$before" "$bin" "$cmp"
    local st=$out/default/fuzzer_stats crashes hangs
    crashes=$(find "$out/default/crashes" -name 'id:*' 2>/dev/null | wc -l)
    hangs=$(find "$out/default/hangs" -name 'id:*' 2>/dev/null | wc -l)
    if [ -f "$st" ]; then
        say "afl++ $h: ${secs}s, $(sed -n 's/^execs_done *: //p' "$st") execs, $(sed -n 's/^execs_per_sec *: //p' "$st") execs/s, edges $(sed -n 's/^edges_found *: //p' "$st")/$(sed -n 's/^total_edges *: //p' "$st") (bitmap $(sed -n 's/^bitmap_cvg *: //p' "$st")), corpus $(sed -n 's/^corpus_count *: //p' "$st"), crashes $crashes, hangs $hangs (log $log)"
    fi
    if [ "$rc" -ne 0 ] || [ ! -f "$st" ]; then
        tail -40 "$log" >&2
        [ "$rc" -eq 124 ] && die "afl++ $h: did not stop in time"
        die "afl++ $h: afl-fuzz exit $rc"
    fi
    [ "$crashes" -eq 0 ] || die "afl++ $h: $crashes crashing inputs in $out/default/crashes"
    [ "$hangs" -eq 0 ] || die "afl++ $h: $hangs hanging inputs in $out/default/hangs"
}

cmd_run() {
    local engine=$1 h=$2 secs=$3 mode=$4 base
    case $mode in
    regress) base=$FUZZ_DIR/regress ;;
    campaign) base=$FUZZ_DIR ;;
    *) die "mode must be regress or campaign" ;;
    esac
    mkdir -p "$base/logs"
    case $engine in
    libfuzzer)
        if [ "$mode" = regress ]; then
            rm -rf "$base/lf-corpus/$h"
            run_libfuzzer "$h" "$secs" "$base/lf-corpus/$h" \
                "$base/artifacts/libfuzzer-$h" "$base/logs/libfuzzer-$h.log"
        else
            run_libfuzzer "$h" "$secs" "$base/corpus/$h" \
                "$base/crashes/libfuzzer-$h" "$base/logs/libfuzzer-$h.log"
        fi ;;
    afl)
        run_afl "$h" "$secs" "$base/afl-out/$h" "$mode" \
            "$base/logs/afl-$h.log" ;;
    *) die "ENGINE must be libfuzzer or afl, not '$engine'" ;;
    esac
}

# Line and branch coverage of core/ by the seeds (and FUZZ_COV_EXTRA dirs).
cmd_cov() {
    local h prof=$FUZZ_DIR/cov/prof d files=() f
    rm -rf "$prof"
    mkdir -p "$prof"
    for h in $FUZZ_HARNESSES; do
        f=$(inputs_of "fuzz/corpus/$h"; inputs_of "fuzz/regressions/$h"
            for d in ${FUZZ_COV_EXTRA:-}; do
                inputs_of "$d/$h"; inputs_of "$d/$h/default/queue"; done)
        # shellcheck disable=SC2086
        printf '%s\n' $f | xargs -r env \
            LLVM_PROFILE_FILE="$prof/$h-%p.profraw" \
            timeout -k 10 900 "$FUZZ_DIR/cov/fuzz_$h" >/dev/null ||
            die "coverage run of $h failed"
        say "cov: $h ran $(printf '%s\n' $f | grep -c .) inputs"
        files+=(-object "$FUZZ_DIR/cov/fuzz_$h")
    done
    "$LLVM_PROFDATA" merge -sparse "$prof"/*.profraw -o "$prof/all.profdata" ||
        die "llvm-profdata merge failed"
    # the first binary is the positional argument, the rest -object
    "$LLVM_COV" report -show-branch-summary \
        -instr-profile="$prof/all.profdata" "${files[@]:1}" \
        core/cirmem.c core/cirmem_utf8.c | tee "$FUZZ_DIR/cov/report.txt"
    "$LLVM_COV" export -format=lcov -instr-profile="$prof/all.profdata" \
        "${files[@]:1}" core/cirmem.c core/cirmem_utf8.c \
        >"$FUZZ_DIR/cov/core.lcov" || die "llvm-cov export failed"
    "$LLVM_COV" show -show-branches=count -instr-profile="$prof/all.profdata" \
        "${files[@]:1}" core/cirmem.c core/cirmem_utf8.c \
        >"$FUZZ_DIR/cov/core.txt"
    echo "Unreached lines and branches of core/ (file:line: source):"
    awk -F'[:,]' '
        /^SF:/ { file = substr($0, 4); next }
        /^DA:/ { if ($3 == 0) miss[file ":" $2] = miss[file ":" $2] " line" }
        /^BRDA:/ { if ($5 == "0" || $5 == "-")
                     miss[file ":" $2] = miss[file ":" $2] " branch" }
        END { for (k in miss) print k "\t" miss[k] }' "$FUZZ_DIR/cov/core.lcov" |
        sort -t: -k1,1 -k2,2n | while IFS=$'\t' read -r loc what; do
            file=${loc%:*}; line=${loc##*:}
            printf '  %s:%s (%s): %s\n' "${file#"$PWD"/}" "$line" \
                "${what# }" "$(sed -n "${line}p" "$file" | sed 's/^ *//')"
        done
    say "coverage details: $FUZZ_DIR/cov/core.txt (llvm-cov show), $FUZZ_DIR/cov/core.lcov"
    # the gate: every line and branch side reached or allowlisted
    python3 tests/cov_gate.py fuzz-cov "$FUZZ_DIR/cov/core.lcov" \
        tests/coverage-allowlist.txt core/cirmem.c core/cirmem_utf8.c ||
        die "fuzz-cov: core/ not fully covered by the corpus (see above)"
}

case ${1:-} in
replay) cmd_replay ;;
run) [ $# -eq 5 ] || die "usage: fuzz.sh run ENGINE HARNESS SECONDS MODE"
    cmd_run "$2" "$3" "$4" "$5" ;;
cov) cmd_cov ;;
*) die "usage: fuzz.sh replay | run ENGINE HARNESS SECONDS MODE | cov" ;;
esac
