#!/bin/sh
# SPDX-License-Identifier: MIT
# Exit 0 if this kernel runs i386 binaries.  Some VMs (a Firecracker
# kernel without IA-32 emulation, seen here) refuse them with ENOEXEC;
# there the -m32 gates run their binaries under qemu-i386-static instead
# (user mode, without ASan, whose shadow mapping does not work there).
#   i386-native.sh CC
set -u
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
printf 'int main(void) { return 0; }\n' > "$d/p.c"
"$1" -m32 -o "$d/p" "$d/p.c" 2>/dev/null || exit 1
"$d/p" 2>/dev/null
