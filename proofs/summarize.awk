# SPDX-License-Identifier: MIT
# Reads a frama-c -wp log; prints function | goals | proved | time and a
# total; exits 1 on any unproved goal, failed smoke test, or warning that
# would make a proof unsound (missing RTE guards, casts, kernel errors).
function fn_of(goal,   g) {
    g = goal
    sub(/^typed_/, "", g)
    # goal names are typed_<function>_<property...>
    for (f in fnames) if (index(g, f "_") == 1 && length(f) > length(best)) best = f
    r = best; best = ""
    return r == "" ? "(global)" : r
}
/^\[wp\] \[[^]]*\] (Goal|Smoke-test) / {
    smoke = ($0 ~ /\] Smoke-test /)
    rest = $0; sub(/^.*\] (Goal|Smoke-test) /, "", rest)
    name = rest; sub(/ .*$/, "", name)
    if (smoke) ok = ($0 ~ /^\[wp\] \[Passed\]/)
    else ok = ($0 ~ / : Valid/)
    lines[++n] = name SUBSEP ok
    t = 0
    if (match(rest, /\(([0-9.]+)(ms|s)\)/)) {
        v = substr(rest, RSTART + 1, RLENGTH - 2)
        if (v ~ /ms$/) { sub(/ms$/, "", v); t = v / 1000 } else { sub(/s$/, "", v); t = v + 0 }
    }
    times[n] = t
    next
}
/^\[wp\] Warning: Missing RTE guards/ { bad_warn++; print "prove: " $0 }
/^\[kernel\].*[Ee]rror/ { bad_warn++; print "prove: " $0 }
/Cast with incompatible pointers types/ { bad_warn++; print "prove: cast warning: " $0 }
/^\[wp\] Proved goals:/ {
    summary = $0
    line = $0; sub(/^.*Proved goals: */, "", line)
    split(line, pg, / *\/ */); wp_proved = pg[1] + 0; wp_total = pg[2] + 0
}
/^\[wp\] [0-9]+ goals scheduled/ { }
END {
    # function names: from "typed_<fn>_" prefixes common to goals
    while ((getline l < fnfile) > 0) fnames[l] = 1
    for (i = 1; i <= n; i++) {
        split(lines[i], a, SUBSEP)
        f = fn_of(a[1])
        goals[f]++
        ok = a[2] + 0
        if (ok) proved[f]++; else { failed[f]++; fails = fails "\n  " a[1] }
        tm[f] += times[i]; tg++; if (ok) tp++; ttime += times[i]
        seen[f] = 1
    }
    printf "%-28s %7s %7s %9s\n", "function", "goals", "proved", "time(s)"
    printf "%-28s %7s %7s %9s\n", "----------------------------", "-----", "------", "-------"
    cmd = "sort"
    for (f in seen) printf "%-28s %7d %7d %9.2f\n", f, goals[f], proved[f], tm[f] | cmd
    close(cmd)
    printf "%-28s %7d %7d %9.2f  (wall %ds)\n", "TOTAL", tg, tp, ttime, total_time
    if (summary != "") print summary
    if (tg == 0) { print "prove: FAIL: no goal was run"; exit 1 }
    if (tg != tp) { print "prove: FAIL: unproved goals or failed smoke tests:" fails; exit 1 }
    if (summary == "" || wp_proved != wp_total) {
        print "prove: FAIL: WP's own count is not N / N"; exit 1
    }
    if (bad_warn) { print "prove: FAIL: " bad_warn " unsound warning(s)"; exit 1 }
    print "prove: all " tg " goals proved"
}
