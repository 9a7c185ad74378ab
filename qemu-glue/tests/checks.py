# SPDX-License-Identifier: GPL-2.0-or-later
"""What the Linux-guest checks (e2e.py, interactive.py) share: the boot
timeout and the ok/FAIL report."""

import os

BOOT_TIMEOUT = float(os.environ.get("CIRMEM_BOOT_TIMEOUT", "240"))
failures = []


def check(cond, what):
    print("    %s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        failures.append(what)
