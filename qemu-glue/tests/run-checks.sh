#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make qemu-check:  run-checks.sh WORKTREE OBJDIR STOCK_QEMU INITRAMFS OUTDIR
set -u
work=$(cd "$1" && pwd)
obj=$(cd "$2" && pwd)
stock=$3
initrd=$4
out=$5
glue=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
qemu=$obj/qemu-system-x86_64
failed=

step() {
    echo "==== qemu-check: $1"
}
fail() {
    echo "FAIL: $1"
    failed="$failed
  $1"
}

# 1. checkpatch on every patch of the series (run from the tree, as a
#    maintainer would); the series carries core/ unchanged.
step "checkpatch"
for p in "$glue"/patches/[0-9]*.patch; do
    if (cd "$work" && perl scripts/checkpatch.pl -q "$p") > "$out/cp.txt" 2>&1
    then
        echo "checkpatch ok: $(basename "$p")"
    else
        cat "$out/cp.txt"
        fail "checkpatch $(basename "$p")"
    fi
done
sh "$glue/sync-core.sh" --check "$work" || fail "the subprojects patch carries a stale core"

# 2. QEMU's own chardev unit test (ringbuf, mux, hub use the ringbuf).
step "tests/unit/test-char"
if timeout 300 "$obj/tests/unit/test-char" --tap > "$out/test-char.tap" 2>&1
then
    echo "test-char: $(grep -c '^ok' "$out/test-char.tap") passed"
else
    tail -20 "$out/test-char.tap"
    fail "test-char"
fi

# 3. The ringbuf qtest: a 16550 at 0x3f8 driven with outb, checked by QMP.
step "tests/qtest/ringbuf-test"
if QTEST_QEMU_BINARY=$qemu timeout 600 "$obj/tests/qtest/ringbuf-test" \
    --tap > "$out/ringbuf-test.tap" 2>&1; then
    echo "ringbuf-test: $(grep -c '^ok' "$out/ringbuf-test.tap") passed"
else
    tail -30 "$out/ringbuf-test.tap"
    fail "ringbuf-test"
fi

# 4. Each stock defect next to the fix.
step "stock vs fixed"
if [ -x "$stock" ]; then
    PYTHONPATH=$glue/tests timeout 600 python3 "$glue/tests/defects.py" \
        "$stock" "$qemu" || fail "defects.py"
else
    fail "stock QEMU $stock missing (install qemu-system-x86: make deps)"
fi

# 5. A Linux boot on a ringbuf serial console.
step "boot Debian's kernel on a ringbuf"
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
    fail "no readable /boot/vmlinuz-*-amd64 (install linux-image-amd64)"
else
    PYTHONPATH=$glue/tests timeout 900 python3 "$glue/tests/e2e.py" \
        "$qemu" "$kernel" "$initrd" "$out/e2e" || fail "e2e.py"
    # 6. The input path and HMP console with the guest's shells.
    step "memchar-write/memchar-read and HMP console with a Linux shell"
    PYTHONPATH=$glue/tests timeout 900 python3 \
        "$glue/tests/interactive.py" "$qemu" "$kernel" "$initrd" \
        "$out/interactive" || fail "interactive.py"
fi

# 7. Hostile and careless clients: huge reads under a memory limit, a
#    console client that stops reading.
step "hardening: huge reads, a stalled console client"
PYTHONPATH=$glue/tests timeout 900 python3 "$glue/tests/hardening.py" \
    "$qemu" "$out/hardening" || fail "hardening.py"

# Nothing may outlive the checks.
if pgrep -f "^$qemu " > /dev/null; then
    fail "a QEMU process was left behind"
fi

if [ -n "$failed" ]; then
    echo "qemu-check: FAILED:$failed"
    exit 1
fi
echo "qemu-check: all passed"
