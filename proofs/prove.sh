#!/bin/sh
# SPDX-License-Identifier: MIT
# The proof gate: runs Frama-C WP on core/ and fails unless every goal
# (RTE guards and smoke tests included) is proved.  Frama-C itself exits 0
# with unproved goals, so its report is checked here.
#
# usage: proofs/prove.sh OUTDIR FILE.c...
# env:   WP_TIMEOUT (s, default 20), WP_PAR (default 2),
#        WP_CACHE_DIR (default OUTDIR/cache) — a warm re-run replays it.
set -eu
out=$1; shift
mkdir -p "$out"
cache=${WP_CACHE_DIR:-$out/cache}
mkdir -p "$cache"
log=$out/wp.log
report=$out/wp-report.json
start=$(date +%s)

# WP reaches the provers through why3's configuration.
[ -f "$HOME/.why3.conf" ] || why3 config detect >/dev/null

set +e
FRAMAC_WP_CACHE=update FRAMAC_WP_CACHEDIR=$cache \
frama-c -machdep x86_64 -cpp-extra-args="-Icore -Ispec" "$@" \
    -warn-unsigned-overflow -warn-unsigned-downcast \
    -wp -wp-rte -wp-smoke-tests -wp-split \
    -wp-prover z3,cvc4 -wp-timeout "${WP_TIMEOUT:-20}" \
    -wp-par "${WP_PAR:-2}" -wp-cache-env \
    -wp-report-json "$report" >"$log" 2>&1
rc=$?
set -e
end=$(date +%s)

# Function names, to group goals (typed_<function>_<property>).
sed -n 's/^[a-z][a-z0-9_ *]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' "$@" | sort -u >"$out/functions.txt"
set +e
awk -v total_time=$((end - start)) -v fnfile="$out/functions.txt" \
    -f proofs/summarize.awk "$log"
status=$?
set -e
if [ $rc -ne 0 ]; then
    echo "prove: frama-c exited $rc; see $log" >&2
    exit 1
fi
exit $status
