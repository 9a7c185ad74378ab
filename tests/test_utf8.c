/* SPDX-License-Identifier: MIT */
/*
 * cirmem_read_utf8(): hand-written vectors run against core/ and against
 * the reference model separately (each must produce the expected bytes),
 * at several head positions so that the sequences straddle the wrap; then
 * an exhaustive core-vs-model comparison over short byte strings.
 *
 * The expected outputs were written by hand from the rules in
 * spec/SPEC.md and double-checked with Python, e.g.
 *   python3 -c "print(bytes.fromhex('e08080').decode('utf-8','replace')
 *               .encode().hex())"
 */
#include "test_common.h"

#define BIG ((size_t)1000)
#define FL CIRMEM_UTF8_FLUSH
#define NUL CIRMEM_UTF8_NUL_AS_C0_80
#define R "efbfbd" /* U+FFFD */

struct uvec {
    size_t cap;        /* ring capacity */
    bool lost;         /* lost flag before the call */
    const char *in;    /* ring contents, hex */
    unsigned flags;
    size_t max_in, out_cap;
    const char *out;   /* expected output, hex */
    size_t consumed;   /* expected bytes consumed */
};

static const struct uvec vecs[] = {
    /* well-formed */
    { 16, false, "414243", 0, BIG, BIG, "414243", 3 },
    { 16, false, "c3a9", 0, BIG, BIG, "c3a9", 2 },
    { 16, false, "e282ac", 0, BIG, BIG, "e282ac", 3 },
    { 16, false, "f09f9880", 0, BIG, BIG, "f09f9880", 4 },
    { 16, false, "c280dfbf", 0, BIG, BIG, "c280dfbf", 4 },
    { 16, false, "e0a080efbfbf", 0, BIG, BIG, "e0a080efbfbf", 6 },
    { 16, false, "ed9fbfee8080", 0, BIG, BIG, "ed9fbfee8080", 6 },
    { 16, false, "f0908080f48fbfbf", 0, BIG, BIG, "f0908080f48fbfbf", 8 },
    { 16, false, "7f", 0, BIG, BIG, "7f", 1 },
    /* NUL: kept as 00, or C0 80 with the flag */
    { 16, false, "0041", 0, BIG, BIG, "0041", 2 },
    { 16, false, "004100", NUL, BIG, BIG, "c08041c080", 3 },
    { 16, false, "00", NUL, BIG, 1, "", 0 },
    { 16, false, "00", NUL, BIG, 2, "c080", 1 },
    /* overlongs: C0 80 (even with NUL_AS_C0_80), C1 BF, E0 80 80,
     * E0 9F BF, F0 80 80 80, F0 8F BF BF */
    { 16, false, "c080", 0, BIG, BIG, R R, 2 },
    { 16, false, "c080", NUL, BIG, BIG, R R, 2 },
    { 16, false, "c1bf", 0, BIG, BIG, R R, 2 },
    { 16, false, "e08080", 0, BIG, BIG, R R R, 3 },
    { 16, false, "e09fbf", 0, BIG, BIG, R R R, 3 },
    { 16, false, "f0808080", 0, BIG, BIG, R R R R, 4 },
    { 16, false, "f08fbfbf", 0, BIG, BIG, R R R R, 4 },
    /* surrogates */
    { 16, false, "eda080", 0, BIG, BIG, R R R, 3 },
    { 16, false, "edbfbf", 0, BIG, BIG, R R R, 3 },
    /* above U+10FFFF */
    { 16, false, "f4908080", 0, BIG, BIG, R R R R, 4 },
    { 16, false, "f5808080", 0, BIG, BIG, R R R R, 4 },
    /* bytes that never occur */
    { 16, false, "f5", FL, BIG, BIG, R, 1 },
    { 16, false, "ff41", 0, BIG, BIG, R "41", 2 },
    { 16, false, "f888808080", 0, BIG, BIG, R R R R R, 5 },
    { 16, false, "fe", 0, BIG, BIG, R, 1 },
    /* lone continuation bytes (no loss): each is replaced */
    { 16, false, "808041", 0, BIG, BIG, R R "41", 3 },
    { 16, false, "bf", 0, BIG, BIG, R, 1 },
    /* truncated sequences followed by more data: one U+FFFD per
     * maximal subpart */
    { 16, false, "e28241", 0, BIG, BIG, R "41", 3 },
    { 16, false, "f09f9841", 0, BIG, BIG, R "41", 4 },
    { 16, false, "f09f41", 0, BIG, BIG, R "41", 3 },
    { 16, false, "c241", 0, BIG, BIG, R "41", 2 },
    { 16, false, "e2c3a9", 0, BIG, BIG, R "c3a9", 3 },
    { 16, false, "f4c280", 0, BIG, BIG, R "c280", 3 },
    /* Unicode ch. 3, table 3-8 example */
    { 16, false, "61f18080e180c2628063 80bf64", 0, BIG, BIG,
      "61" R R R "62" R "63" R R "64", 13 },
    /* incomplete at the end of the data: stays, unless FLUSH */
    { 16, false, "41e282", 0, BIG, BIG, "41", 1 },
    { 16, false, "41e282", FL, BIG, BIG, "41" R, 3 },
    { 16, false, "41f0", 0, BIG, BIG, "41", 1 },
    { 16, false, "41f0", FL, BIG, BIG, "41" R, 2 },
    { 16, false, "f09f98", 0, BIG, BIG, "", 0 },
    { 16, false, "f09f98", FL, BIG, BIG, R, 3 },
    { 16, false, "e0", 0, BIG, BIG, "", 0 },
    { 16, false, "c3", FL | NUL, BIG, BIG, R, 1 },
    /* ...but an invalid tail is not "incomplete": E0 80 at the end */
    { 16, false, "e080", 0, BIG, BIG, R R, 2 },
    { 16, false, "f490", 0, BIG, BIG, R R, 2 },
    { 16, false, "eda0", 0, BIG, BIG, R R, 2 },
    /* a full ring holding only an incomplete sequence is flushed, so the
     * writer can always make progress */
    { 2, false, "e282", 0, BIG, BIG, R, 2 },
    { 3, false, "f09f98", 0, BIG, BIG, R, 3 },
    { 1, false, "c3", 0, BIG, BIG, R, 1 },
    { 4, false, "f09f9880", 0, BIG, BIG, "f09f9880", 4 },
    /* full, but the incomplete sequence does not start at offset 0 */
    { 3, false, "41e282", 0, BIG, BIG, "41", 1 },
    /* max_in splits: a character is never split */
    { 16, false, "41e282ac42", 0, 3, BIG, "41", 1 },
    { 16, false, "41e282ac42", 0, 4, BIG, "41e282ac", 4 },
    { 16, false, "41e282ac42", 0, 0, BIG, "", 0 },
    { 16, false, "f09f9880", FL, 3, BIG, "", 0 },
    /* bytes past max_in may classify a unit: E2 82 then 41 is an invalid
     * 2-byte subpart even though 41 is beyond max_in */
    { 16, false, "e28241", 0, 2, BIG, R, 2 },
    { 16, false, "e282", 0, 2, BIG, "", 0 },
    { 16, false, "e282", FL, 2, BIG, R, 2 },
    { 16, false, "e282", FL, 1, BIG, "", 0 },
    /* out_cap too small */
    { 16, false, "e282ac", 0, BIG, 2, "", 0 },
    { 16, false, "e282ac", 0, BIG, 3, "e282ac", 3 },
    { 16, false, "4180", 0, BIG, 3, "41", 1 },
    { 16, false, "4180", 0, BIG, 4, "41" R, 2 },
    { 16, false, "414243", 0, BIG, 0, "", 0 },
    /* after a loss: up to 3 leading continuation bytes vanish */
    { 16, true, "808041", 0, BIG, BIG, "41", 3 },
    { 16, true, "98bf80", 0, BIG, BIG, "", 3 },
    { 16, true, "8080808041", 0, BIG, BIG, R "41", 5 },
    { 16, true, "41", 0, BIG, BIG, "41", 1 },
    { 16, true, "c3a9", 0, BIG, BIG, "c3a9", 2 },
    { 16, true, "808041", 0, 1, BIG, "", 1 },
    { 16, true, "808041", 0, BIG, 0, "", 2 },
    { 16, true, "80e282", 0, BIG, BIG, "", 1 },
    { 16, true, "80e282", FL, BIG, BIG, R, 3 },
    { 16, true, "41" "80", 0, BIG, BIG, "41" R, 2 },
    { 16, true, "", 0, BIG, BIG, "", 0 },
    /* after a loss in a full ring: the skip consumes, the incomplete
     * sequence behind it is no longer at offset 0 and stays */
    { 3, true, "80e282", 0, BIG, BIG, "", 1 },
    /* the QEMU ring of 2 after writing "buff" holds "ff" (lost set) */
    { 2, true, "6666", 0, BIG, BIG, "6666", 2 },
    /* empty ring */
    { 4, false, "", FL, BIG, BIG, "", 0 },
};

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;

    while (*h) {
        unsigned v;

        if (*h == ' ') {
            h++;
            continue;
        }
        assert_int_equal(sscanf(h, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

/* Load @in into the ring pair at head @h with the lost flag @lost. */
static void load(pair *p, size_t h, const uint8_t *in, size_t n, bool lost)
{
    pair_set_head(p, h);
    if (lost) {
        /* a junk byte, then the data; the junk is overwritten or
         * discarded, either way the lost flag ends up set */
        pair_write(p, "\x80", 1, CIRMEM_BOUNDED);
        pair_write(p, in, n, CIRMEM_OVERWRITE);
        if (cirmem_used(&p->r) > n)
            pair_discard(p, 1);
    } else {
        assert_int_equal(pair_write(p, in, n, CIRMEM_BOUNDED), n);
    }
    assert_int_equal(cirmem_used(&p->r), n);
    assert_int_equal(cirmem_data_lost(&p->r), lost);
}

static void check_vec(const struct uvec *v, size_t idx, size_t h)
{
    uint8_t in[64], exp[64], o2[BIG], *o1;
    size_t n = unhex(v->in, in), ne = unhex(v->out, exp);
    size_t c1 = 12345, c2 = 12345, a, b;
    size_t sz = t_min(v->out_cap, 3 * n); /* all the call may write */
    uint64_t read0;
    pair p;

    pair_init(&p, v->cap);
    load(&p, h, in, n, v->lost);
    read0 = cirmem_bytes_read(&p.r);

    /* core against the expectation, into an exact-size buffer */
    o1 = t_alloc_exact(sz);
    a = cirmem_read_utf8(&p.r, o1, v->out_cap, v->max_in, v->flags, &c1);
    assert_true(a <= sz);
    t_canary_intact(o1, a, sz, "cirmem_read_utf8");
    if (a != ne || c1 != v->consumed || memcmp(o1, exp, ne) != 0)
        fail_msg("vec %zu (in %s, head %zu): core produced %zu consumed %zu,"
                 " expected %zu / %zu", idx, v->in, h, a, c1, ne,
                 v->consumed);
    /* reference model against the expectation */
    b = cirmem_ref_read_utf8(&p.m, o2, v->out_cap, v->max_in, v->flags, &c2);
    if (b != ne || c2 != v->consumed || memcmp(o2, exp, ne) != 0)
        fail_msg("vec %zu (in %s, head %zu): ref produced %zu consumed %zu,"
                 " expected %zu / %zu", idx, v->in, h, b, c2, ne,
                 v->consumed);
    /* the rest of the state */
    pair_check(&p);
    assert_int_equal(cirmem_used(&p.r), n - v->consumed);
    assert_int_equal(cirmem_bytes_read(&p.r), read0 + v->consumed);
    assert_int_equal(cirmem_data_lost(&p.r), v->lost && v->consumed == 0);
    if (n > v->consumed) {
        assert_int_equal(cirmem_peek(&p.r, 0, o2, BIG), n - v->consumed);
        assert_memory_equal(o2, in + v->consumed, n - v->consumed);
    }
    free(o1);
    pair_fini(&p);
}

static void test_vectors(void **state)
{
    size_t i, h;

    (void)state;
    for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        for (h = 0; h < vecs[i].cap; h++) /* every wrap position */
            check_vec(&vecs[i], i, h);
}

/* out == NULL: with out_cap > 0 nothing happens; with out_cap 0 only
 * what produces no output (the post-loss skip) can be consumed. */
static void test_null_out(void **state)
{
    pair p;
    size_t c = 5;

    (void)state;
    pair_init(&p, 8);
    load(&p, 3, (const uint8_t *)"\x80\x80" "A", 3, true);
    assert_int_equal(cirmem_read_utf8(&p.r, NULL, 1, BIG, FL, &c), 0);
    assert_int_equal(c, 0);
    assert_int_equal(cirmem_ref_read_utf8(&p.m, NULL, 1, BIG, FL, &c), 0);
    assert_int_equal(c, 0);
    pair_check(&p);
    assert_true(cirmem_data_lost(&p.r));
    assert_int_equal(cirmem_used(&p.r), 3);

    c = 5;
    assert_int_equal(cirmem_read_utf8(&p.r, NULL, 0, BIG, FL, &c), 0);
    assert_int_equal(c, 2);
    assert_int_equal(cirmem_ref_read_utf8(&p.m, NULL, 0, BIG, FL, &c), 0);
    assert_int_equal(c, 2);
    pair_check(&p);
    assert_false(cirmem_data_lost(&p.r));
    assert_int_equal(cirmem_used(&p.r), 1);
    pair_fini(&p);
}

/* Progress guarantee of cirmem.h: with max_in >= 4 and out_cap >= 4 a
 * call consumes at least one byte when the ring holds >= 4 bytes, is
 * full, or FLUSH is given (and it is not empty). */
static void test_progress(void **state)
{
    static const uint8_t pool[] = { 0x41, 0x00, 0x80, 0xbf, 0xc2, 0xc0,
                                    0xe0, 0xe2, 0xed, 0xf0, 0xf4, 0xff };
    uint8_t in[4];
    size_t n, cap, idx, k, fl;
    unsigned flags[] = { 0, FL, NUL, FL | NUL };

    (void)state;
    for (n = 1; n <= 4; n++) {
        size_t combos = 1;

        for (k = 0; k < n; k++)
            combos *= sizeof pool;
        for (idx = 0; idx < combos; idx++) {
            size_t t = idx;

            for (k = 0; k < n; k++) {
                in[k] = pool[t % sizeof pool];
                t /= sizeof pool;
            }
            for (cap = n; cap <= n + 1; cap++)
                for (fl = 0; fl < 4; fl++) {
                    pair p;
                    bool must = n >= 4 || cap == n || (flags[fl] & FL);

                    pair_init(&p, cap);
                    load(&p, cap - 1, in, n, false);
                    pair_utf8(&p, 4, 4, flags[fl]);
                    if (must && cirmem_used(&p.r) == n)
                        fail_msg("no progress: n %zu cap %zu flags %u", n,
                                 cap, flags[fl]);
                    pair_fini(&p);
                }
        }
    }
}

/* Exhaustive core-vs-model comparison over all strings of up to 3 bytes
 * from a pool covering every byte class, with and without loss, in a
 * full and a roomy ring, at a wrapping head, for several limits. */
static void test_exhaustive_short(void **state)
{
    static const uint8_t pool[] = {
        0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
        0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0,
        0xf1, 0xf4, 0xf5, 0xff,
    };
    static const size_t lim[][2] = { { BIG, BIG }, { 2, 3 }, { 1, 8 },
                                     { 8, 2 } };
    uint8_t in[3];
    size_t n, idx, k, li, fl, lo, room, j;
    unsigned long calls = 0;

    (void)state;
    for (n = 1; n <= 3; n++) {
        size_t combos = 1;

        for (k = 0; k < n; k++)
            combos *= sizeof pool;
        for (idx = 0; idx < combos; idx++) {
            size_t t = idx;

            for (k = 0; k < n; k++) {
                in[k] = pool[t % sizeof pool];
                t /= sizeof pool;
            }
            for (room = 0; room <= 2; room += 2)
                for (lo = 0; lo < 2; lo++)
                    for (fl = 0; fl < 4; fl++)
                        for (li = 0; li < 4; li++) {
                            pair p;

                            pair_init(&p, n + room);
                            load(&p, n + room - 1, in, n, lo == 1);
                            /* call until nothing moves, like a reader */
                            for (j = 0; j < 8; j++) {
                                size_t before = cirmem_used(&p.r);
                                pair_utf8(&p, lim[li][1], lim[li][0],
                                          (unsigned)fl);
                                if (cirmem_used(&p.r) == before)
                                    break;
                            }
                            calls++;
                            pair_fini(&p);
                        }
        }
    }
    print_message("exhaustive UTF-8 comparison: %lu cases\n", calls);
}

/* ---- positioned reads (cirmem_peek_utf8_at) --------------------------- */

struct pvec {
    size_t cap;
    const char *pre;   /* written BOUNDED first, hex */
    const char *ow;    /* then written OVERWRITE (may push bytes out), hex */
    long rel;          /* position asked, relative to start (may be < 0) */
    unsigned flags;
    size_t max_in, out_cap;
    const char *out;   /* expected output, hex */
    long position;     /* expected position, relative to start */
    long next;         /* expected next, relative to start */
    int rc;
};

/* A 80 C: 41 E2 82 AC 42 C3 A9 80 43 = "A€Bé", a lone 80, "C" */
#define TXT "41e282ac42c3a98043"
static const struct pvec pvecs[] = {
    { 16, TXT, "", 0, 0, BIG, BIG, "41e282ac42c3a9" R "43", 0, 9, 0 },
    { 16, TXT, "", 1, 0, BIG, BIG, "e282ac42c3a9" R "43", 1, 9, 0 },
    /* inside €: the rest of the character is skipped */
    { 16, TXT, "", 2, 0, BIG, BIG, "42c3a9" R "43", 4, 9, 0 },
    { 16, TXT, "", 3, 0, BIG, BIG, "42c3a9" R "43", 4, 9, 0 },
    /* inside é; the lone 80 after it starts a unit of its own */
    { 16, TXT, "", 6, 0, BIG, BIG, R "43", 7, 9, 0 },
    { 16, TXT, "", 7, 0, BIG, BIG, R "43", 7, 9, 0 },
    /* at end: nothing, not an error; past end: an error */
    { 16, TXT, "", 9, 0, BIG, BIG, "", 9, 9, 0 },
    { 16, TXT, "", 10, 0, BIG, BIG, "", 0, 0, CIRMEM_ERR_POSITION },
    /* the skip counts against max_in */
    { 16, TXT, "", 2, 0, 1, BIG, "", 3, 3, 0 },
    { 16, TXT, "", 2, 0, 0, BIG, "", 2, 2, 0 },
    /* limits: never a split character */
    { 16, TXT, "", 0, 0, 4, BIG, "41e282ac", 0, 4, 0 },
    { 16, TXT, "", 0, 0, 3, BIG, "41", 0, 1, 0 },
    { 16, TXT, "", 0, 0, BIG, 3, "41", 0, 1, 0 },
    { 16, TXT, "", 0, 0, BIG, 0, "", 0, 0, 0 },
    /* an incomplete tail stays unless FLUSH; inside it is skipped */
    { 16, "41e282", "", 1, 0, BIG, BIG, "", 1, 1, 0 },
    { 16, "41e282", "", 1, FL, BIG, BIG, R, 1, 3, 0 },
    { 16, "41e282", "", 2, 0, BIG, BIG, "", 3, 3, 0 },
    /* the whole ring one incomplete sequence: flushed at start only */
    { 2, "e282", "", 0, 0, BIG, BIG, R, 0, 2, 0 },
    { 2, "e282", "", 1, 0, BIG, BIG, "", 2, 2, 0 },
    /* behind start: E2 was overwritten, 82 AC are orphans, skipped */
    { 4, "", "e282ac4142", -1, 0, BIG, BIG, "4142", 2, 4, 0 },
    { 4, "", "e282ac4142", -1, 0, 1, BIG, "", 1, 1, 0 },
    /* asked at start itself: no loss for this reader, no skip */
    { 4, "", "e282ac4142", 0, 0, BIG, BIG, R R "4142", 0, 4, 0 },
    /* the byte before is stored but no lead is: a lone byte, replaced */
    { 4, "", "e282ac4142", 1, 0, BIG, BIG, R "4142", 1, 4, 0 },
    /* at most three orphans are skipped behind start */
    { 5, "", "f080808080" "41", -1, 0, BIG, BIG, R "41", 3, 5, 0 },
    /* modified UTF-8 for NUL */
    { 8, "0041", "", 0, NUL, BIG, BIG, "c08041", 0, 2, 0 },
    /* a 4-byte character entered at each of its bytes */
    { 8, "f09f988041", "", 1, 0, BIG, BIG, "41", 4, 5, 0 },
    { 8, "f09f988041", "", 2, 0, BIG, BIG, "41", 4, 5, 0 },
    { 8, "f09f988041", "", 3, 0, BIG, BIG, "41", 4, 5, 0 },
    /* an invalid maximal subpart counts as a unit: E2 82 then 41 */
    { 8, "e28241", "", 1, 0, BIG, BIG, "41", 2, 3, 0 },
};

static void check_pvec(const struct pvec *v, size_t idx, size_t h)
{
    uint8_t pre[32], ow[32], exp[64], *o;
    size_t npre = unhex(v->pre, pre), now = unhex(v->ow, ow);
    size_t ne = unhex(v->out, exp);
    cirmem_pos_read res;
    uint64_t start, pos;
    pair p;
    int rc;

    pair_init(&p, v->cap);
    pair_set_head(&p, h);
    pair_write(&p, pre, npre, CIRMEM_BOUNDED);
    pair_write(&p, ow, now, CIRMEM_OVERWRITE);
    start = cirmem_start(&p.r);
    pos = (uint64_t)((long)start + v->rel);
    /* core and model agree (pair_utf8_at), and both match the table */
    rc = pair_utf8_at(&p, pos, v->out_cap, v->max_in, v->flags, &res);
    if (rc != v->rc)
        fail_msg("pvec %zu head %zu: rc %d, want %d", idx, h, rc, v->rc);
    if (rc == CIRMEM_OK) {
        o = t_alloc_exact(ne);
        assert_int_equal(cirmem_peek_utf8_at(&p.r, pos, o, ne, v->max_in,
                                             v->flags, &res), CIRMEM_OK);
        if (res.out_len != ne || memcmp(o, exp, ne) != 0 ||
            res.position != start + (uint64_t)v->position ||
            res.next != start + (uint64_t)v->next ||
            res.lost != res.position - pos)
            fail_msg("pvec %zu head %zu: out %zu bytes, position %+ld, next "
                     "%+ld; want %zu, %+ld, %+ld", idx, h, res.out_len,
                     (long)(res.position - start), (long)(res.next - start),
                     ne, v->position, v->next);
        free(o);
    }
    pair_fini(&p);
}

static void test_utf8_at_vectors(void **state)
{
    size_t i, h;

    (void)state;
    for (i = 0; i < sizeof pvecs / sizeof pvecs[0]; i++)
        for (h = 0; h < pvecs[i].cap; h++)
            check_pvec(&pvecs[i], i, h);
}

/* Errors: NULL res, NULL out with out_cap > 0, exhausted positions; each
 * writes nothing. */
static void test_utf8_at_errors(void **state)
{
    pair p;
    cirmem_pos_read res;
    uint8_t o[4] = { 1, 2, 3, 4 };

    (void)state;
    pair_init(&p, 8);
    pair_write(&p, "abc", 3, CIRMEM_BOUNDED);
    assert_int_equal(cirmem_peek_utf8_at(&p.r, 0, o, 4, 4, 0, NULL),
                     CIRMEM_ERR_NULL);
    t_res_poison(&res);
    assert_int_equal(cirmem_peek_utf8_at(&p.r, 0, NULL, 4, 4, 0, &res),
                     CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_peek_utf8_at(&p.r, 4, o, 4, 4, 0, &res),
                     CIRMEM_ERR_POSITION);
    assert_int_equal(cirmem_peek_utf8_at(&p.r, UINT64_MAX, o, 4, 4, 0, &res),
                     CIRMEM_ERR_POSITION);
    t_res_poisoned(&res);
    assert_memory_equal(o, "\x01\x02\x03\x04", 4);
    /* NULL out with out_cap 0: fine, only skips can happen */
    assert_int_equal(pair_utf8_at(&p, 1, 0, 4, 0, &res), CIRMEM_OK);
    assert_int_equal(res.out_len, 0);
    assert_int_equal(cirmem_peek_utf8_at(&p.r, 1, NULL, 0, 4, 0, &res),
                     CIRMEM_OK);
    assert_int_equal(res.next, 1);
    /* exhausted */
    p.r.written = p.m.written = UINT64_MAX;
    assert_int_equal(pair_utf8_at(&p, 0, 4, 4, 0, NULL), CIRMEM_ERR_EXHAUSTED);
    pair_fini(&p);
}

/*
 * Valid text in rings of several capacities and heads, losses included:
 * from every position between start - 2 and end + 1, the positioned read
 * (core == model, checked by pair_utf8_at) returns the text from the
 * first character boundary at or after max(pos, start): never a part of
 * a character, never U+FFFD.
 */
static void test_utf8_at_every_position(void **state)
{
    static const char *const chars[] = { "A", "\xc3\xa9", "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80", "z" };
    uint8_t text[400], o[1200];
    bool boundary[401];
    size_t len = 0, i, cap, h;
    uint64_t s = 4242;

    (void)state;
    while (len < 380) {
        const char *c = chars[t_rand(&s) % 5];
        size_t n = strlen(c);

        boundary[len] = true;
        for (i = 1; i < n; i++)
            boundary[len + i] = false;
        memcpy(text + len, c, n);
        len += n;
    }
    boundary[len] = true;
    for (cap = 5; cap <= 40; cap += 7)
        for (h = 0; h < cap; h += 3) {
            pair p;
            size_t fed = 0;

            pair_init(&p, cap);
            pair_set_head(&p, h);
            while (fed < len) {
                size_t n = t_min(len - fed, 1 + (size_t)(t_rand(&s) % cap));
                uint64_t base = cirmem_end(&p.r) - fed; /* position of text[0] */
                uint64_t st, en, pos;

                pair_write(&p, text + fed, n, CIRMEM_OVERWRITE);
                fed += n;
                st = cirmem_start(&p.r);
                en = cirmem_end(&p.r);
                for (pos = st >= base + 2 ? st - 2 : base; pos <= en + 1; pos++) {
                    cirmem_pos_read res;
                    size_t t0, e, k;
                    int rc = pair_utf8_at(&p, pos, 3 * cap, SIZE_MAX, 0,
                                          &res);

                    if (pos > en) {
                        assert_int_equal(rc, CIRMEM_ERR_POSITION);
                        continue;
                    }
                    assert_int_equal(rc, CIRMEM_OK);
                    size_t lead = (size_t)((pos > st ? pos : st) - base);

                    while (!boundary[lead])
                        lead--;
                    if (pos >= st && lead < st - base) {
                        /* an overwrite cut this character's lead off and
                         * this reader lost nothing: the bytes left of it
                         * are lone continuation bytes, replaced */
                        assert_int_equal(res.position, pos);
                        assert_true(res.out_len >= 3);
                        assert_int_equal(cirmem_peek_utf8_at(&p.r, pos, o,
                                         3, SIZE_MAX, 0, &res), CIRMEM_OK);
                        assert_memory_equal(o, "\xef\xbf\xbd", 3);
                        continue;
                    }
                    t0 = (size_t)((pos > st ? pos : st) - base);
                    while (t0 < fed && !boundary[t0])
                        t0++;
                    /* the last write may have cut a character: without
                     * FLUSH it stays for later (cap >= 5: it is never
                     * the whole ring) */
                    e = fed;
                    while (!boundary[e])
                        e--;
                    if (e < t0)
                        e = t0;
                    /* behind start, orphans are skipped; inside the
                     * contents, the rest of a character is */
                    assert_int_equal(res.position - base, t0);
                    assert_int_equal(res.next - base, e);
                    assert_int_equal(res.out_len, e - t0);
                    k = res.out_len;
                    assert_true(k <= sizeof o);
                    assert_int_equal(cirmem_peek_utf8_at(&p.r, pos, o,
                                                         sizeof o, SIZE_MAX,
                                                         0, &res), CIRMEM_OK);
                    assert_memory_equal(o, text + t0, k);
                }
            }
            pair_fini(&p);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_null_out),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_exhaustive_short),
        cmocka_unit_test(test_utf8_at_vectors),
        cmocka_unit_test(test_utf8_at_errors),
        cmocka_unit_test(test_utf8_at_every_position),
    };

    return cmocka_run_group_tests_name("cirmem_utf8", tests, NULL, NULL);
}
