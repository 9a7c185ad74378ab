#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Coverage gate: fail when a line or branch of core/ is unreached and not
in the allowlist (`make test-cov`, `make fuzz-cov`).

    cov_gate.py NAME LCOV ALLOWLIST [SOURCE...]

LCOV is `llvm-cov export -format=lcov` output.  SOURCE files (default
core/cirmem.c core/cirmem_utf8.c) must all appear in it.  Every DA line
with count 0 and every BRDA branch side with count 0 or "-" is a miss.
ALLOWLIST lines are

    FILE | line|branch | N | TEXT

meaning: the source line of FILE whose text contains TEXT may have up to
N unreached branch sides (or be an unreached line).  Lines are matched by
their text, not their number, so edits elsewhere do not move them; TEXT
must match exactly one line of FILE.  Lines starting with `#` are
comments (every entry must say why it is unreachable).  Prints line/branch totals and every
miss; exit 1 on a miss outside the list or a list entry that no longer
matches a line; an entry whose line is now reached is reported (stale),
not fatal, since the two gates share one list.
"""
import os
import sys


def parse_lcov(path):
    files = {}
    cur = None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if line.startswith("SF:"):
                cur = files.setdefault(os.path.relpath(line[3:]),
                                       {"da": {}, "br": {}})
            elif line.startswith("DA:") and cur is not None:
                no, cnt = line[3:].split(",")[:2]
                cur["da"][int(no)] = cur["da"].get(int(no), 0) + int(cnt)
            elif line.startswith("BRDA:") and cur is not None:
                no, blk, br, cnt = line[5:].split(",")
                key = (int(no), blk, br)
                hit = 0 if cnt == "-" else int(cnt)
                cur["br"][key] = cur["br"].get(key, 0) + hit
    return files


def parse_allow(path):
    out = []
    with open(path) as f:
        for i, raw in enumerate(f, 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in raw.rstrip("\n").split("|", 3)]
            if len(parts) != 4 or parts[1] not in ("line", "branch") or \
                    not parts[2].isdigit() or not parts[3]:
                sys.exit("cov_gate: %s:%d: want 'FILE | line|branch | N | "
                         "TEXT'" % (path, i))
            out.append({"file": parts[0], "kind": parts[1],
                        "n": int(parts[2]), "text": parts[3], "where": i})
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    name, lcov, allow_path = sys.argv[1:4]
    sources = sys.argv[4:] or ["core/cirmem.c", "core/cirmem_utf8.c"]
    files = parse_lcov(lcov)
    allow = parse_allow(allow_path)
    bad = []
    # resolve allowlist entries to line numbers
    for a in allow:
        if not os.path.exists(a["file"]):
            bad.append("allowlist line %d: no file %s" % (a["where"],
                                                          a["file"]))
            continue
        with open(a["file"]) as f:
            hits = [i for i, l in enumerate(f, 1) if a["text"] in l]
        if len(hits) != 1:
            bad.append("allowlist line %d: '%s' matches %d lines of %s"
                       % (a["where"], a["text"], len(hits), a["file"]))
            a["line"] = None
        else:
            a["line"] = hits[0]
    tot = {"lines": 0, "lines_hit": 0, "br": 0, "br_hit": 0}
    used = set()
    for src in sources:
        if src not in files:
            bad.append("%s is not in %s" % (src, lcov))
            continue
        with open(src) as f:
            text = f.read().split("\n")
        d = files[src]
        tot["lines"] += len(d["da"])
        tot["lines_hit"] += sum(1 for c in d["da"].values() if c > 0)
        tot["br"] += len(d["br"])
        tot["br_hit"] += sum(1 for c in d["br"].values() if c > 0)
        miss_br = {}
        for (no, _, _), c in d["br"].items():
            if c == 0:
                miss_br[no] = miss_br.get(no, 0) + 1
        misses = [(no, "line", 1) for no, c in d["da"].items() if c == 0] + \
            [(no, "branch", k) for no, k in miss_br.items()]
        for no, kind, k in sorted(misses):
            ok = [a for a in allow if a["file"] == src and
                  a["line"] == no and a["kind"] == kind and k <= a["n"]]
            src_text = text[no - 1].strip() if no <= len(text) else "?"
            tag = "allowed (allowlist line %d)" % ok[0]["where"] if ok \
                else "NOT ALLOWED"
            print("  %s:%d: %d %s%s unreached, %s: %s" % (
                src, no, k, kind, "es" if kind == "branch" and k > 1 else "",
                tag, src_text))
            if ok:
                used.add(ok[0]["where"])
            else:
                bad.append("%s:%d unreached %s" % (src, no, kind))
    for a in allow:
        if a["where"] not in used and a.get("line"):
            print("  note: allowlist line %d (%s:%d) is reached by %s "
                  "(stale for this gate)" % (a["where"], a["file"],
                                             a["line"], name))

    def pct(h, t):
        return 100.0 * h / t if t else 100.0
    print("%s: core/ lines %d/%d (%.2f%%), branches %d/%d (%.2f%%)" % (
        name, tot["lines_hit"], tot["lines"],
        pct(tot["lines_hit"], tot["lines"]), tot["br_hit"], tot["br"],
        pct(tot["br_hit"], tot["br"])))
    if bad:
        print("%s: FAIL: %s" % (name, "; ".join(bad)))
        return 1
    print("%s: every unreached line/branch of core/ is in %s" % (
        name, allow_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
