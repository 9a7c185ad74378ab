/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the byte-ring operations of core/ and of the reference
 * model spec/ref/, against hand-written expectations and against each
 * other (see test_common.h).  UTF-8 lives in test_utf8.c, the randomized
 * differential test in test_diff.c.
 */
#include "test_common.h"

static const size_t caps[] = { 1, 2, 3, 7, 251, (size_t)1 << 20 };
#define NCAPS (sizeof caps / sizeof caps[0])

static const cirmem_mode all_modes[] = {
    CIRMEM_OVERWRITE, CIRMEM_DROP_NEW, CIRMEM_BOUNDED,
    (cirmem_mode)3, (cirmem_mode)-1, /* unknown values behave as BOUNDED */
};
#define NMODES (sizeof all_modes / sizeof all_modes[0])

/* ---- init ---------------------------------------------------------- */

static void test_init_errors(void **state)
{
    uint8_t st[8];
    cirmem r, before;
    cirmem_ref m, mbefore;
    const size_t bad_caps[] = { 0, CIRMEM_CAPACITY_MAX + 1, SIZE_MAX };
    size_t i;

    (void)state;
    memset(&r, 0x5C, sizeof r);
    memcpy(&before, &r, sizeof r);
    memset(&m, 0x5C, sizeof m);
    memcpy(&mbefore, &m, sizeof m);

    assert_int_equal(cirmem_init(NULL, st, sizeof st), CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_init(&r, NULL, sizeof st), CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_init(NULL, NULL, 0), CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_ref_init(NULL, st, sizeof st), CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_ref_init(&m, NULL, sizeof st), CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_ref_init(NULL, NULL, 0), CIRMEM_ERR_NULL);
    for (i = 0; i < sizeof bad_caps / sizeof bad_caps[0]; i++) {
        assert_int_equal(cirmem_init(&r, st, bad_caps[i]), CIRMEM_ERR_CAPACITY);
        assert_int_equal(cirmem_ref_init(&m, st, bad_caps[i]),
                         CIRMEM_ERR_CAPACITY);
    }
    /* NULL is reported before the capacity */
    assert_int_equal(cirmem_init(&r, NULL, 0), CIRMEM_ERR_NULL);
    /* r untouched on every error */
    assert_memory_equal(&r, &before, sizeof r);
    assert_memory_equal(&m, &mbefore, sizeof m);
    assert_false(cirmem_invariant(&r));
}

static void test_init_ok(void **state)
{
    uint8_t st[8];
    cirmem r;
    size_t len = 99;

    (void)state;
    memset(&r, 0x5C, sizeof r);
    memset(st, 0x77, sizeof st);
    assert_int_equal(cirmem_init(&r, st, sizeof st), CIRMEM_OK);
    assert_true(cirmem_invariant(&r));
    assert_int_equal(cirmem_capacity(&r), 8);
    assert_int_equal(cirmem_used(&r), 0);
    assert_int_equal(cirmem_free(&r), 8);
    assert_int_equal(cirmem_bytes_written(&r), 0);
    assert_int_equal(cirmem_bytes_read(&r), 0);
    assert_int_equal(cirmem_bytes_dropped(&r), 0);
    assert_false(cirmem_data_lost(&r));
    assert_null(cirmem_read_span(&r, 0, &len));
    assert_int_equal(len, 0);
    /* init does not touch the storage */
    for (len = 0; len < sizeof st; len++)
        assert_int_equal(st[len], 0x77);

    /* re-init of a used ring empties it and zeroes the counters */
    assert_int_equal(cirmem_write(&r, U8("abc"), 3, CIRMEM_OVERWRITE), 3);
    assert_int_equal(cirmem_discard(&r, 1), 1);
    assert_int_equal(cirmem_init(&r, st, 5), CIRMEM_OK);
    assert_int_equal(cirmem_used(&r), 0);
    assert_int_equal(cirmem_capacity(&r), 5);
    assert_int_equal(cirmem_bytes_written(&r), 0);
    assert_int_equal(cirmem_bytes_dropped(&r), 0);
    assert_false(cirmem_data_lost(&r));

    /* the largest capacity is accepted (storage only queried, never
     * touched here: a 1-byte buffer stands in for it) */
    assert_int_equal(cirmem_init(&r, st, CIRMEM_CAPACITY_MAX), CIRMEM_OK);
    assert_true(cirmem_invariant(&r));
    assert_int_equal(cirmem_capacity(&r), CIRMEM_CAPACITY_MAX);
    assert_int_equal(cirmem_free(&r), CIRMEM_CAPACITY_MAX);
}

static void test_fresh_rings(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NCAPS; i++) {
        pair p;
        size_t len = 1;
        uint8_t *s;

        pair_init(&p, caps[i]);
        assert_int_equal(cirmem_free(&p.r), caps[i]);
        s = cirmem_write_span(&p.r, &len);
        assert_ptr_equal(s, p.rs);
        assert_int_equal(len, caps[i]);
        assert_int_equal(pair_read(&p, 5), 0);
        assert_int_equal(pair_discard(&p, 5), 0);
        assert_false(cirmem_data_lost(&p.r)); /* nothing was discarded */
        assert_int_equal(pair_consume(&p, 5), 0);
        assert_int_equal(pair_peek(&p, 0, 5), 0);
        pair_clear(&p);
        assert_false(cirmem_data_lost(&p.r));
        pair_fini(&p);
    }
}

/* ---- n == 0 and NULL pointers ----------------------------------------- */

static void test_zero_and_null(void **state)
{
    pair p;
    cirmem snap;
    uint8_t out[8];
    size_t i, c = 77;

    (void)state;
    pair_init(&p, 5);
    assert_int_equal(pair_write(&p, "abc", 3, CIRMEM_BOUNDED), 3);
    memcpy(&snap, &p.r, sizeof snap);

    for (i = 0; i < NMODES; i++) {
        assert_int_equal(pair_write(&p, "xyz", 0, all_modes[i]), 0);
        assert_int_equal(pair_write(&p, NULL, 0, all_modes[i]), 0);
        assert_int_equal(pair_write(&p, NULL, 4, all_modes[i]), 0);
        assert_int_equal(pair_write(&p, NULL, 99, all_modes[i]), 0);
    }
    assert_int_equal(cirmem_read(&p.r, NULL, 2), 0);
    assert_int_equal(cirmem_ref_read(&p.m, NULL, 2), 0);
    assert_int_equal(cirmem_read(&p.r, NULL, 0), 0);
    assert_int_equal(cirmem_read(&p.r, out, 0), 0);
    assert_int_equal(cirmem_peek(&p.r, 0, NULL, 2), 0);
    assert_int_equal(cirmem_ref_peek(&p.m, 0, NULL, 2), 0);
    assert_int_equal(cirmem_peek(&p.r, 0, out, 0), 0);
    assert_int_equal(cirmem_discard(&p.r, 0), 0);
    assert_int_equal(cirmem_consume(&p.r, 0), 0);
    assert_int_equal(cirmem_commit(&p.r, 0), 0);
    assert_int_equal(cirmem_read_utf8(&p.r, NULL, 4, 4, 0, &c), 0);
    assert_int_equal(c, 0);
    c = 77;
    assert_int_equal(cirmem_ref_read_utf8(&p.m, NULL, 4, 4, 0, &c), 0);
    assert_int_equal(c, 0);
    /* nothing moved, not even the lost flag */
    assert_memory_equal(&snap, &p.r, sizeof snap);
    pair_check(&p);

    /* consumed may be NULL */
    assert_int_equal(cirmem_read_utf8(&p.r, out, sizeof out, 2, 0, NULL), 2);
    assert_int_equal(cirmem_ref_read_utf8(&p.m, out, sizeof out, 2, 0, NULL),
                     2);
    pair_check(&p);
    assert_int_equal(cirmem_used(&p.r), 1);
    pair_fini(&p);
}

/* ---- write: hand-written tables ------------------------------------ */

struct wrow {
    size_t cap;
    const char *prior;    /* contents before, written BOUNDED */
    const char *data;     /* the write */
    cirmem_mode mode;
    size_t ret;           /* expected return */
    const char *after;    /* expected contents */
    uint64_t dropped;     /* expected bytes_dropped */
};

/* lwrb-style table: capacity, prior contents, write, expected contents. */
static const struct wrow wrows[] = {
    /* OVERWRITE: n < free, n = free, free < n < cap, n = cap, n > cap */
    { 4, "", "ab", CIRMEM_OVERWRITE, 2, "ab", 0 },
    { 4, "ab", "cd", CIRMEM_OVERWRITE, 2, "abcd", 0 },
    { 4, "abc", "de", CIRMEM_OVERWRITE, 2, "bcde", 1 },
    { 4, "ab", "cdef", CIRMEM_OVERWRITE, 4, "cdef", 2 },
    { 4, "ab", "cdefgh", CIRMEM_OVERWRITE, 6, "efgh", 4 },
    { 4, "abcd", "e", CIRMEM_OVERWRITE, 1, "bcde", 1 },
    { 4, "abcd", "efgh", CIRMEM_OVERWRITE, 4, "efgh", 4 },
    { 4, "", "abcdefghij", CIRMEM_OVERWRITE, 10, "ghij", 6 },
    { 4, "abcd", "", CIRMEM_OVERWRITE, 0, "abcd", 0 },
    { 3, "ab", "cdefg", CIRMEM_OVERWRITE, 5, "efg", 4 },
    { 1, "", "xyz", CIRMEM_OVERWRITE, 3, "z", 2 },
    { 1, "a", "b", CIRMEM_OVERWRITE, 1, "b", 1 },
    { 2, "", "buff", CIRMEM_OVERWRITE, 4, "ff", 2 }, /* QEMU test-char */
    /* DROP_NEW */
    { 4, "a", "bc", CIRMEM_DROP_NEW, 2, "abc", 0 },
    { 4, "ab", "cd", CIRMEM_DROP_NEW, 2, "abcd", 0 },
    { 4, "ab", "cdef", CIRMEM_DROP_NEW, 4, "abcd", 2 },
    { 4, "abcd", "e", CIRMEM_DROP_NEW, 1, "abcd", 1 },
    { 4, "", "abcdef", CIRMEM_DROP_NEW, 6, "abcd", 2 },
    { 1, "a", "b", CIRMEM_DROP_NEW, 1, "a", 1 },
    /* BOUNDED */
    { 4, "a", "bc", CIRMEM_BOUNDED, 2, "abc", 0 },
    { 4, "ab", "cd", CIRMEM_BOUNDED, 2, "abcd", 0 },
    { 4, "ab", "cdef", CIRMEM_BOUNDED, 2, "abcd", 0 },
    { 4, "abcd", "e", CIRMEM_BOUNDED, 0, "abcd", 0 },
    { 4, "", "abcdef", CIRMEM_BOUNDED, 4, "abcd", 0 },
    { 1, "a", "b", CIRMEM_BOUNDED, 0, "a", 0 },
    { 4, "ab", "cdef", (cirmem_mode)7, 2, "abcd", 0 },
};

static void test_write_table(void **state)
{
    size_t i, h;

    (void)state;
    for (i = 0; i < sizeof wrows / sizeof wrows[0]; i++) {
        const struct wrow *w = &wrows[i];
        size_t np = strlen(w->prior), nd = strlen(w->data);
        size_t na = strlen(w->after);

        for (h = 0; h < w->cap; h++) { /* the prior data at every head */
            pair p;
            uint64_t exp_written;

            pair_init(&p, w->cap);
            pair_set_head(&p, h);
            assert_int_equal(pair_write(&p, w->prior, np, CIRMEM_BOUNDED), np);
            assert_int_equal(pair_write(&p, w->data, nd, w->mode), w->ret);
            assert_int_equal(cirmem_used(&p.r), na);
            {   /* into exactly na bytes, asking for cap */
                uint8_t *o = t_alloc_exact(na);

                assert_int_equal(cirmem_peek(&p.r, 0, o, w->cap), na);
                if (memcmp(o, w->after, na) != 0)
                    fail_msg("row %zu head %zu: contents differ", i, h);
                free(o);
            }
            assert_int_equal(cirmem_bytes_dropped(&p.r), w->dropped);
            exp_written = h + np + (w->mode == CIRMEM_OVERWRITE ||
                                            w->mode == CIRMEM_DROP_NEW
                                        ? nd : w->ret);
            assert_int_equal(cirmem_bytes_written(&p.r), exp_written);
            assert_int_equal(cirmem_bytes_read(&p.r), h);
            assert_int_equal(cirmem_data_lost(&p.r), w->dropped > 0);
            pair_fini(&p);
        }
    }
}

/* QEMU tests/unit/test-char.c, char_ringbuf_test: a ring of 2, write
 * "buff" -> 4; read 4 -> "ff"; read again -> "". */
static void test_qemu_ringbuf_vector(void **state)
{
    pair p;
    uint8_t out[4], out2[4];

    (void)state;
    pair_init(&p, 2);
    assert_int_equal(pair_write(&p, "buff", 4, CIRMEM_OVERWRITE), 4);
    assert_true(cirmem_data_lost(&p.r));
    assert_int_equal(cirmem_read(&p.r, out, 4), 2);
    assert_memory_equal(out, "ff", 2);
    assert_int_equal(cirmem_ref_read(&p.m, out2, 4), 2);
    assert_memory_equal(out2, "ff", 2);
    pair_check(&p);
    assert_false(cirmem_data_lost(&p.r));
    assert_int_equal(pair_read(&p, 4), 0);
    assert_int_equal(cirmem_bytes_written(&p.r), 4);
    assert_int_equal(cirmem_bytes_read(&p.r), 2);
    assert_int_equal(cirmem_bytes_dropped(&p.r), 2);
    pair_fini(&p);
}

/* ---- write: every wrap position, differential ------------------------- */

static void test_wrap_every_position(void **state)
{
    const size_t cap = 7;
    uint8_t prior[7], data[9];
    size_t h, u, n, mi, k;

    (void)state;
    for (k = 0; k < sizeof prior; k++)
        prior[k] = (uint8_t)(0x10 + k);
    for (k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(0x40 + k);
    for (h = 0; h < cap; h++)
        for (u = 0; u <= cap; u++)
            for (n = 0; n <= 9; n++)
                for (mi = 0; mi < NMODES; mi++) {
                    pair p;
                    size_t ret;

                    pair_init(&p, cap);
                    pair_set_head(&p, h);
                    pair_write(&p, prior, u, CIRMEM_BOUNDED);
                    ret = pair_write(&p, data, n, all_modes[mi]);
                    /* the newest bytes of the ring are data's newest */
                    if (all_modes[mi] == CIRMEM_OVERWRITE && n > 0) {
                        size_t keep = t_min(n, cap);
                        assert_int_equal(ret, n);
                        assert_int_equal(cirmem_peek(&p.r,
                                         cirmem_used(&p.r) - keep, p.tmp,
                                         keep), keep);
                        assert_memory_equal(p.tmp, data + n - keep, keep);
                    }
                    /* then read everything back in odd-sized steps */
                    while (pair_read(&p, 3) > 0)
                        ;
                    pair_fini(&p);
                }
}

/* The steady state of a console nobody reads: a full ring, OVERWRITE
 * writes of a few bytes at a time, for several laps around the storage
 * (every head position, and chunks that end exactly at the storage end
 * or cross it). */
static void test_full_ring_overwrite_laps(void **state)
{
    static const size_t chunk_caps[] = { 1, 2, 7, 64, 251 };
    uint8_t data[251]; /* the largest capacity */
    size_t ci, n, k, written;

    (void)state;
    for (k = 0; k < sizeof data; k++)
        data[k] = (uint8_t)(0x80 ^ k);
    for (ci = 0; ci < sizeof chunk_caps / sizeof chunk_caps[0]; ci++)
        for (n = 1; n <= 65; n++) {
            size_t cap = chunk_caps[ci];
            pair p;

            pair_init(&p, cap);
            pair_write(&p, data, cap, CIRMEM_BOUNDED); /* full */
            written = cap;
            while (written < 3 * cap + 2 * n) {
                assert_int_equal(pair_write(&p, data, n, CIRMEM_OVERWRITE),
                                 n);
                written += n;
                assert_int_equal(cirmem_used(&p.r), cap);
                assert_true(cirmem_data_lost(&p.r));
            }
            assert_int_equal(cirmem_bytes_dropped(&p.r), written - cap);
            pair_fini(&p);
        }
}

/* ---- read, peek, discard, clear -------------------------------------- */

static void test_read_peek_discard(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NCAPS; i++) {
        size_t cap = caps[i], h, hs[3];
        size_t nh = 0;

        hs[nh++] = 0;
        if (cap > 1)
            hs[nh++] = cap - 1;
        if (cap > 2)
            hs[nh++] = cap / 2;
        for (h = 0; h < nh; h++) {
            pair p;
            size_t k, u;
            uint8_t *d = malloc(cap);

            assert_non_null(d);
            for (k = 0; k < cap; k++)
                d[k] = (uint8_t)(k * 7 + 1);
            pair_init(&p, cap);
            pair_set_head(&p, hs[h]);
            assert_int_equal(pair_write(&p, d, cap, CIRMEM_BOUNDED), cap);
            assert_int_equal(cirmem_free(&p.r), 0);
            u = cap;
            /* peek: offsets inside, at and past used; n beyond the end */
            assert_int_equal(pair_peek(&p, 0, cap + 5), u);
            assert_int_equal(pair_peek(&p, u - 1, 10), 1);
            assert_int_equal(pair_peek(&p, u, 10), 0);
            assert_int_equal(pair_peek(&p, u + 1, 10), 0);
            assert_int_equal(pair_peek(&p, SIZE_MAX, SIZE_MAX / 4), 0);
            assert_int_equal(pair_peek(&p, u / 2, 0), 0);
            /* peek reads contents[off ..] exactly */
            {   /* into exactly the u - u / 2 bytes, asking for cap */
                uint8_t *o = t_alloc_exact(u - u / 2);

                assert_int_equal(cirmem_peek(&p.r, u / 2, o, cap),
                                 u - u / 2);
                assert_memory_equal(o, d + u / 2, u - u / 2);
                free(o);
            }
            /* discard sets lost, read clears it, 0 leaves it */
            assert_int_equal(pair_discard(&p, 1), 1);
            assert_true(cirmem_data_lost(&p.r));
            assert_int_equal(pair_discard(&p, 0), 0);
            assert_true(cirmem_data_lost(&p.r));
            assert_int_equal(pair_read(&p, 0), 0);
            assert_true(cirmem_data_lost(&p.r));
            if (cap > 1) {
                assert_int_equal(pair_read(&p, 1), 1);
                assert_false(cirmem_data_lost(&p.r));
            }
            /* read more than used */
            pair_read(&p, SIZE_MAX);
            assert_int_equal(cirmem_used(&p.r), 0);
            assert_int_equal(pair_read(&p, 1), 0);
            /* clear: counts everything as dropped */
            pair_write(&p, d, cap / 2 + 1, CIRMEM_BOUNDED);
            pair_clear(&p);
            assert_int_equal(cirmem_used(&p.r), 0);
            assert_true(cirmem_data_lost(&p.r));
            assert_int_equal(cirmem_bytes_dropped(&p.r), 1 + cap / 2 + 1);
            /* clearing an empty ring changes nothing */
            pair_read(&p, 0);
            pair_clear(&p);
            assert_int_equal(cirmem_bytes_dropped(&p.r), 1 + cap / 2 + 1);
            /* discard more than used */
            pair_write(&p, d, 1, CIRMEM_BOUNDED);
            assert_int_equal(pair_discard(&p, SIZE_MAX), 1);
            free(d);
            pair_fini(&p);
        }
    }
}

/* ---- spans --------------------------------------------------------- */

static void test_spans_every_position(void **state)
{
    const size_t cap = 7;
    uint8_t d[16];
    size_t h, u, n, k;

    (void)state;
    for (k = 0; k < sizeof d; k++)
        d[k] = (uint8_t)(0x61 + k);
    for (h = 0; h < cap; h++)
        for (u = 0; u <= cap; u++)
            for (n = 0; n <= cap + 1; n++) {
                pair p;
                size_t fits = t_min(n, cap - u);

                pair_init(&p, cap);
                pair_set_head(&p, h);
                assert_int_equal(pair_write(&p, d, u, CIRMEM_BOUNDED), u);
                assert_int_equal(pair_fill_spans(&p, d + 3, n), fits);
                /* read back through spans, in pieces of n */
                for (k = 0; k < 4 && cirmem_used(&p.r) > 0; k++)
                    pair_drain_spans(&p, n == 0 ? 1 : n);
                pair_drain_spans(&p, SIZE_MAX);
                assert_int_equal(cirmem_used(&p.r), 0);
                pair_fini(&p);
            }
}

static void test_span_api(void **state)
{
    uint8_t st[5], tmp[3];
    cirmem r;
    size_t len = 0, len2 = 0;
    uint8_t *w;
    const uint8_t *s;

    (void)state;
    assert_int_equal(cirmem_init(&r, st, sizeof st), CIRMEM_OK);
    assert_int_equal(cirmem_write(&r, U8("xyz"), 3, CIRMEM_BOUNDED), 3);
    assert_int_equal(cirmem_read(&r, tmp, 3), 3);
    r.head = 3; /* white-box: empty ring, oldest position 3 (valid) */
    assert_true(cirmem_invariant(&r));
    /* first span: storage[3..5) */
    w = cirmem_write_span(&r, &len);
    assert_ptr_equal(w, st + 3);
    assert_int_equal(len, 2);
    memcpy(w, "AB", 2);
    assert_int_equal(cirmem_commit(&r, 2), 2);
    /* once committed, the next span is the wrapped rest: storage[0..3) */
    w = cirmem_write_span(&r, &len2);
    assert_ptr_equal(w, st);
    assert_int_equal(len2, 3);
    memset(w, 'C', 3);
    /* committing more than free commits free */
    assert_int_equal(cirmem_commit(&r, SIZE_MAX), 3);
    assert_int_equal(cirmem_used(&r), 5);
    assert_null(cirmem_write_span(&r, &len));
    assert_int_equal(len, 0);
    assert_int_equal(cirmem_commit(&r, 3), 0);
    assert_int_equal(cirmem_bytes_written(&r), 8);
    assert_true(cirmem_invariant(&r));
    /* read spans: "AB" at storage[3..5), "CCC" at storage[0..3) */
    s = cirmem_read_span(&r, 0, &len);
    assert_ptr_equal(s, st + 3);
    assert_int_equal(len, 2);
    s = cirmem_read_span(&r, 1, &len);
    assert_ptr_equal(s, st + 4);
    assert_int_equal(len, 1);
    s = cirmem_read_span(&r, 2, &len);
    assert_ptr_equal(s, st);
    assert_int_equal(len, 3);
    s = cirmem_read_span(&r, 4, &len);
    assert_ptr_equal(s, st + 2);
    assert_int_equal(len, 1);
    assert_null(cirmem_read_span(&r, 5, &len));
    assert_int_equal(len, 0);
    assert_null(cirmem_read_span(&r, SIZE_MAX, &len));
    assert_int_equal(len, 0);
    /* consume is a read without copy */
    r.lost = true;
    assert_int_equal(cirmem_consume(&r, 2), 2);
    assert_false(cirmem_data_lost(&r));
    assert_int_equal(*cirmem_read_span(&r, 0, &len), 'C');
    assert_int_equal(len, 3);
    assert_int_equal(cirmem_consume(&r, 99), 3);
    assert_int_equal(cirmem_consume(&r, 1), 0);
    assert_int_equal(cirmem_bytes_read(&r), 3 + 5);
    assert_true(cirmem_invariant(&r));
    /* a write span that stops at the oldest byte */
    r.head = 3; /* white-box again: empty, oldest position 3 */
    assert_int_equal(cirmem_write(&r, U8("0123"), 4, CIRMEM_BOUNDED), 4);
    w = cirmem_write_span(&r, &len);
    assert_ptr_equal(w, st + 2);
    assert_int_equal(len, 1);
    assert_int_equal(cirmem_peek(&r, 0, tmp, 3), 3);
    assert_memory_equal(tmp, "012", 3);
    assert_true(cirmem_invariant(&r));
}

/* ---- counters ------------------------------------------------------ */

/* Put the same counter values into core and model.  White-box: the tests
 * set the fields directly to reach UINT64_MAX in a few steps. */
static void set_counters(pair *p, uint64_t w, uint64_t r, uint64_t d)
{
    p->r.written = p->m.written = w;
    p->r.read = p->m.read = r;
    p->r.dropped = p->m.dropped = d;
    /* the refused bytes are among the dropped ones; the model's start
     * follows (it keeps positions its own way) */
    if (p->r.refused > d)
        p->r.refused = d;
    p->m.start = w - p->r.refused - cirmem_ref_used(&p->m);
}

static void test_counter_saturation(void **state)
{
    pair p;
    const uint64_t M = UINT64_MAX;
    uint8_t d[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    (void)state;
    pair_init(&p, 4);
    /* balanced, close to the top: written = read + dropped + used */
    set_counters(&p, M - 3, M - 10, 7);
    pair_check(&p);
    assert_int_equal(pair_write(&p, d, 2, CIRMEM_BOUNDED), 2);
    assert_int_equal(cirmem_bytes_written(&p.r), M - 1);
    assert_int_equal(pair_write(&p, d, 1, CIRMEM_BOUNDED), 1);
    assert_int_equal(cirmem_bytes_written(&p.r), M);
    /* written saturated: further writes keep it at the top */
    assert_int_equal(pair_write(&p, d, 8, CIRMEM_OVERWRITE), 8);
    assert_int_equal(cirmem_bytes_written(&p.r), M);
    assert_true(cirmem_invariant(&p.r)); /* identity waived once saturated */
    assert_int_equal(cirmem_bytes_dropped(&p.r), 7 + 3 + 4);

    /* dropped saturates */
    set_counters(&p, M, 0, M - 2);
    assert_int_equal(pair_write(&p, d, 8, CIRMEM_DROP_NEW), 8);
    assert_int_equal(cirmem_bytes_dropped(&p.r), M);
    assert_int_equal(pair_discard(&p, 1), 1);
    assert_int_equal(cirmem_bytes_dropped(&p.r), M);

    /* read saturates, through read, consume and read_utf8 */
    set_counters(&p, M, M - 1, 0);
    assert_int_equal(pair_read(&p, 2), 2);
    assert_int_equal(cirmem_bytes_read(&p.r), M);
    assert_int_equal(pair_consume(&p, 1), 1);
    assert_int_equal(cirmem_bytes_read(&p.r), M);
    pair_write(&p, "ab", 2, CIRMEM_BOUNDED);
    assert_int_equal(pair_utf8(&p, 8, 8, 0), 2);
    assert_int_equal(cirmem_bytes_read(&p.r), M);
    pair_fini(&p);
}

static void test_accounting_identity(void **state)
{
    pair p;
    uint8_t d[10] = "0123456789";
    size_t i;

    (void)state;
    pair_init(&p, 6);
    for (i = 0; i < 50; i++) {
        pair_write(&p, d, i % 11, all_modes[i % NMODES]);
        if (i % 3 == 0)
            pair_read(&p, i % 4);
        if (i % 5 == 0)
            pair_discard(&p, 1);
        if (i % 7 == 0)
            pair_consume(&p, 2);
        assert_int_equal(cirmem_bytes_written(&p.r),
                         cirmem_bytes_read(&p.r) + cirmem_bytes_dropped(&p.r) +
                             cirmem_used(&p.r));
    }
    assert_true(cirmem_bytes_dropped(&p.r) > 0);
    assert_true(cirmem_bytes_read(&p.r) > 0);
    pair_fini(&p);
}

/* ---- cirmem_invariant() on broken structs ----------------------------- */

static void test_invariant_rejects(void **state)
{
    uint8_t st[4];
    cirmem good, r;

    (void)state;
    assert_false(cirmem_invariant(NULL));
    assert_int_equal(cirmem_init(&good, st, sizeof st), CIRMEM_OK);
    assert_int_equal(cirmem_write(&good, U8("ab"), 2, CIRMEM_BOUNDED), 2);
    assert_true(cirmem_invariant(&good));

    r = good; r.buf = NULL;
    assert_false(cirmem_invariant(&r));
    r = good; r.cap = 0; r.head = 0; r.used = 0; r.written = 0;
    assert_false(cirmem_invariant(&r));
    r = good; r.cap = CIRMEM_CAPACITY_MAX + 1;
    assert_false(cirmem_invariant(&r));
    r = good; r.head = 4;
    assert_false(cirmem_invariant(&r));
    r = good; r.head = SIZE_MAX;
    assert_false(cirmem_invariant(&r));
    r = good; r.used = 5; r.written = 5;
    assert_false(cirmem_invariant(&r));
    r = good; r.written = 3;            /* 3 != 0 + 0 + 2 */
    assert_false(cirmem_invariant(&r));
    r = good; r.read = 1;               /* 2 != 1 + 0 + 2 */
    assert_false(cirmem_invariant(&r));
    /* sums that equal written only modulo 2^64 */
    r = good; r.read = 1; r.dropped = UINT64_MAX;  /* 1 + MAX + 2 */
    assert_false(cirmem_invariant(&r));
    r = good; r.read = UINT64_MAX - 1; r.dropped = 2; /* MAX-1 + 2 + 2 */
    assert_false(cirmem_invariant(&r));
    /* only written == UINT64_MAX waives the identity */
    r = good; r.written = UINT64_MAX - 1;
    assert_false(cirmem_invariant(&r));
    r = good; r.read = UINT64_MAX; r.written = UINT64_MAX - 1;
    assert_false(cirmem_invariant(&r));
    /* boundaries that are valid */
    r = good; r.head = 3;
    assert_true(cirmem_invariant(&r));
    r = good; r.used = 4; r.written = 4;
    assert_true(cirmem_invariant(&r));
    r = good; r.written = UINT64_MAX; r.read = 5; /* saturated: waived */
    assert_true(cirmem_invariant(&r));
    /* the refused bytes are part of the dropped ones */
    r = good; r.written = 3; r.dropped = 1; r.refused = 2;
    assert_false(cirmem_invariant(&r));
    r = good; r.written = 3; r.dropped = 1; r.refused = 1;
    assert_true(cirmem_invariant(&r));
    r = good; r.written = UINT64_MAX; r.refused = 7; /* saturated: waived */
    assert_true(cirmem_invariant(&r));
}

/* ---- positions ---------------------------------------------------------- */

/* Every byte the ring ever stored, in order: hist[p] is the byte at
 * position p.  Kept by the test from what each call is specified to store,
 * independently of core and model. */
typedef struct hist {
    uint8_t b[4096];
    size_t n;
} hist;

static void hist_add(hist *h, const uint8_t *d, size_t n)
{
    assert_true(h->n + n <= sizeof h->b);
    memcpy(h->b + h->n, d, n);
    h->n += n;
}

/* Every position from 0 to end + 2 with several sizes: the bytes, the
 * report and the errors must follow from the history alone. */
static void check_all_positions(pair *p, const hist *h)
{
    uint64_t end = cirmem_end(&p->r), start = cirmem_start(&p->r), pos;
    static const size_t sizes[] = { 0, 1, 2, 5, SIZE_MAX };
    size_t i;

    assert_int_equal(end, h->n);
    assert_int_equal(start, end - cirmem_used(&p->r));
    for (pos = 0; pos <= end + 2; pos++) {
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            cirmem_pos_read res;
            int rc = pair_peek_at(p, pos, sizes[i], &res);
            uint8_t *o;
            uint64_t first = pos > start ? pos : start;
            size_t k;

            if (pos > end) {
                assert_int_equal(rc, CIRMEM_ERR_POSITION);
                continue;
            }
            assert_int_equal(rc, CIRMEM_OK);
            k = t_min(sizes[i], (size_t)(end - first));
            assert_int_equal(res.position, first);
            assert_int_equal(res.lost, first - pos);
            assert_int_equal(res.out_len, k);
            assert_int_equal(res.next, first + k);
            o = t_alloc_exact(k);
            assert_int_equal(cirmem_peek_at(&p->r, pos, o, sizes[i], &res),
                             CIRMEM_OK);
            assert_memory_equal(o, h->b + first, k);
            free(o);
        }
    }
}

static void test_positions_basic(void **state)
{
    pair p;
    hist h = { .n = 0 };
    cirmem_pos_read res;
    uint8_t o[8];

    (void)state;
    pair_init(&p, 4);
    assert_int_equal(cirmem_start(&p.r), 0);
    assert_int_equal(cirmem_end(&p.r), 0);
    check_all_positions(&p, &h);
    /* at end: empty, not an error; past end: an error */
    assert_int_equal(pair_peek_at(&p, 0, 4, &res), CIRMEM_OK);
    assert_int_equal(res.out_len, 0);
    assert_int_equal(res.next, 0);
    assert_int_equal(pair_peek_at(&p, 1, 4, NULL), CIRMEM_ERR_POSITION);
    assert_int_equal(pair_peek_at(&p, UINT64_MAX, 4, NULL),
                     CIRMEM_ERR_POSITION);

    pair_write(&p, "abc", 3, CIRMEM_OVERWRITE);
    hist_add(&h, U8("abc"), 3);
    check_all_positions(&p, &h);
    /* DROP_NEW: the refused bytes get no position */
    pair_write(&p, "defg", 4, CIRMEM_DROP_NEW);
    hist_add(&h, U8("d"), 1);
    assert_int_equal(cirmem_end(&p.r), 4);
    /* BOUNDED into a full ring: nothing stored */
    pair_write(&p, "x", 1, CIRMEM_BOUNDED);
    check_all_positions(&p, &h);
    /* OVERWRITE: the overwritten bytes are lost to positioned readers */
    pair_write(&p, "ef", 2, CIRMEM_OVERWRITE);
    hist_add(&h, U8("ef"), 2);
    assert_int_equal(cirmem_start(&p.r), 2);
    assert_int_equal(pair_peek_at(&p, 0, 8, &res), CIRMEM_OK);
    assert_int_equal(res.position, 2);
    assert_int_equal(res.lost, 2);
    assert_int_equal(res.next, 6);
    check_all_positions(&p, &h);
    /* OVERWRITE longer than cap: the skipped input bytes had positions */
    pair_write(&p, "ghijklmnop", 10, CIRMEM_OVERWRITE);
    hist_add(&h, U8("ghijklmnop"), 10);
    assert_int_equal(cirmem_end(&p.r), 16);
    assert_int_equal(cirmem_start(&p.r), 12);
    check_all_positions(&p, &h);
    /* consuming reads, discard, clear move start, never end */
    pair_read(&p, 1);
    assert_int_equal(cirmem_start(&p.r), 13);
    pair_consume(&p, 1);
    pair_discard(&p, 1);
    assert_int_equal(cirmem_start(&p.r), 15);
    assert_int_equal(cirmem_end(&p.r), 16);
    check_all_positions(&p, &h);
    pair_clear(&p);
    assert_int_equal(cirmem_start(&p.r), 16);
    check_all_positions(&p, &h);
    /* span commits store the committed bytes */
    assert_int_equal(pair_fill_spans(&p, U8("qrs"), 3), 3);
    hist_add(&h, U8("qrs"), 3);
    check_all_positions(&p, &h);
    assert_int_equal(pair_drain_spans(&p, 2), 2);
    check_all_positions(&p, &h);
    /* read_utf8 consumes: start follows */
    pair_utf8(&p, 8, 8, 0);
    assert_int_equal(cirmem_start(&p.r), 19);
    check_all_positions(&p, &h);

    /* bad arguments: an error, nothing written */
    pair_write(&p, "tu", 2, CIRMEM_BOUNDED);
    hist_add(&h, U8("tu"), 2);
    t_res_poison(&res);
    assert_int_equal(cirmem_peek_at(&p.r, 19, o, 2, NULL), CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_peek_at(&p.r, 19, NULL, 2, &res), CIRMEM_ERR_NULL);
    assert_int_equal(cirmem_peek_at(&p.r, UINT64_MAX, NULL, 2, &res),
                     CIRMEM_ERR_NULL); /* NULL is reported first */
    t_res_poisoned(&res);
    assert_int_equal(cirmem_peek_at(&p.r, 19, NULL, 0, &res), CIRMEM_OK);
    assert_int_equal(res.position, 19);
    assert_int_equal(res.out_len, 0);
    assert_int_equal(res.next, 19);
    check_all_positions(&p, &h);
    pair_fini(&p);
}

/* Every (capacity, head, operation) for small rings, the history
 * checked at every position after every step. */
static void test_positions_every_head(void **state)
{
    static const size_t pcaps[] = { 1, 2, 3, 7 };
    size_t ci, hd, step;

    (void)state;
    for (ci = 0; ci < sizeof pcaps / sizeof pcaps[0]; ci++) {
        size_t cap = pcaps[ci];

        for (hd = 0; hd < cap; hd++) {
            pair p;
            hist h = { .n = 0 };
            uint8_t d[32];
            uint64_t s = 77 + hd + 100 * cap;

            pair_init(&p, cap);
            pair_set_head(&p, hd);
            /* pair_set_head wrote and read hd bytes: they had positions */
            memset(d, 0xEE, sizeof d);
            for (step = 0; step < hd; step++)
                hist_add(&h, d, 1);
            for (step = 0; step < 40; step++) {
                size_t n = (size_t)(t_rand(&s) % (2 * cap + 2)), k;
                size_t fr = cirmem_free(&p.r);

                for (k = 0; k < n; k++)
                    d[k] = (uint8_t)('A' + (h.n + k) % 26);
                switch (t_rand(&s) % 8) {
                case 0: pair_write(&p, d, n, CIRMEM_OVERWRITE);
                    hist_add(&h, d, n);
                    break;
                case 1: pair_write(&p, d, n, CIRMEM_DROP_NEW);
                    hist_add(&h, d, t_min(n, fr));
                    break;
                case 2: pair_write(&p, d, n, CIRMEM_BOUNDED);
                    hist_add(&h, d, t_min(n, fr));
                    break;
                case 3: pair_read(&p, n); break;
                case 4: pair_discard(&p, n / 2); break;
                case 5: pair_consume(&p, n); break;
                case 6: hist_add(&h, d, pair_fill_spans(&p, d, n)); break;
                default: if (n % 3 == 0) pair_clear(&p); break;
                }
                check_all_positions(&p, &h);
            }
            pair_fini(&p);
        }
    }
}

/* The 64-bit counter running out: positions stay exact up to the last
 * byte whose position is below UINT64_MAX; then they are exhausted. */
static void test_positions_exhausted(void **state)
{
    pair p;
    const uint64_t M = UINT64_MAX;
    cirmem_pos_read res;
    uint8_t d[4] = { 1, 2, 3, 4 };

    (void)state;
    pair_init(&p, 4);
    pair_write(&p, "ab", 2, CIRMEM_BOUNDED);
    /* 10 bytes from the top, 3 of them refused by DROP_NEW */
    set_counters(&p, M - 10, 4, M - 16);
    p.r.refused = 3;
    p.m.start = M - 10 - 3 - 2;
    pair_check(&p);
    assert_int_equal(cirmem_end(&p.r), M - 13);
    assert_int_equal(cirmem_start(&p.r), M - 15);
    assert_int_equal(pair_peek_at(&p, M - 15, 4, &res), CIRMEM_OK);
    assert_int_equal(res.out_len, 2);
    assert_int_equal(pair_utf8_at(&p, M - 14, 8, 8, 0, &res), CIRMEM_OK);
    assert_int_equal(res.next, M - 13);
    assert_int_equal(pair_peek_at(&p, M - 12, 4, NULL), CIRMEM_ERR_POSITION);
    /* writes up to written = M - 1: still exact */
    pair_write(&p, d, 4, CIRMEM_DROP_NEW); /* 2 stored, 2 refused */
    pair_write(&p, d, 4, CIRMEM_OVERWRITE);
    pair_write(&p, d, 1, CIRMEM_OVERWRITE);
    assert_int_equal(cirmem_bytes_written(&p.r), M - 1);
    assert_int_equal(cirmem_end(&p.r), M - 1 - 5);
    assert_int_equal(pair_peek_at(&p, M - 6, 4, &res), CIRMEM_OK);
    assert_int_equal(res.position, M - 6);
    /* the byte that saturates written: exhausted from now on */
    pair_write(&p, d, 1, CIRMEM_OVERWRITE);
    assert_int_equal(cirmem_bytes_written(&p.r), M);
    assert_int_equal(cirmem_end(&p.r), M);
    assert_int_equal(cirmem_start(&p.r), M - cirmem_used(&p.r));
    assert_int_equal(pair_peek_at(&p, 0, 4, NULL), CIRMEM_ERR_EXHAUSTED);
    assert_int_equal(pair_peek_at(&p, M, 4, NULL), CIRMEM_ERR_EXHAUSTED);
    assert_int_equal(pair_utf8_at(&p, M - 1, 8, 8, 0, NULL),
                     CIRMEM_ERR_EXHAUSTED);
    /* the ring itself keeps working */
    assert_int_equal(pair_read(&p, 2), 2);
    pair_write(&p, d, 3, CIRMEM_OVERWRITE);
    assert_int_equal(cirmem_end(&p.r), M);
    assert_int_equal(pair_peek_at(&p, 5, 1, NULL), CIRMEM_ERR_EXHAUSTED);
    /* re-init starts positions again */
    assert_int_equal(cirmem_init(&p.r, p.rs, 4), CIRMEM_OK);
    assert_int_equal(cirmem_ref_init(&p.m, p.ms, 4), CIRMEM_OK);
    assert_int_equal(cirmem_end(&p.r), 0);
    pair_check(&p);
    pair_fini(&p);
}

/* ---- every capacity: a scripted workout ------------------------------- */

static void test_capacities(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NCAPS; i++) {
        size_t cap = caps[i], k;
        size_t big = 2 * cap + 3;
        uint8_t *d = malloc(big);
        pair p;

        assert_non_null(d);
        for (k = 0; k < big; k++)
            d[k] = (uint8_t)(k ^ (k >> 8));
        pair_init(&p, cap);
        assert_int_equal(pair_write(&p, d, cap, CIRMEM_BOUNDED), cap);
        assert_int_equal(pair_write(&p, d, 1, CIRMEM_BOUNDED), 0);
        assert_int_equal(pair_write(&p, d, 1, CIRMEM_DROP_NEW), 1);
        assert_int_equal(pair_write(&p, d + 1, big - 1, CIRMEM_OVERWRITE),
                         big - 1);
        /* the newest cap bytes of the input survive */
        assert_int_equal(cirmem_peek(&p.r, 0, p.tmp, cap), cap);
        assert_memory_equal(p.tmp, d + big - cap, cap);
        assert_int_equal(pair_read(&p, cap / 2), cap / 2);
        assert_int_equal(pair_write(&p, d, cap, CIRMEM_OVERWRITE), cap);
        assert_int_equal(pair_fill_spans(&p, d, cap), 0);
        assert_int_equal(pair_drain_spans(&p, cap / 3 + 1), cap / 3 + 1);
        assert_int_equal(pair_fill_spans(&p, d, cap), cap / 3 + 1);
        assert_int_equal(pair_discard(&p, 1), 1);
        /* room for U+FFFD per byte: FLUSH consumes everything */
        pair_utf8(&p, 3 * cap, cap, CIRMEM_UTF8_FLUSH);
        assert_int_equal(cirmem_used(&p.r), 0);
        pair_clear(&p);
        assert_int_equal(pair_write(&p, d, big, CIRMEM_DROP_NEW), big);
        assert_memory_equal(p.m.data, d, cap);
        free(d);
        pair_fini(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_init_ok),
        cmocka_unit_test(test_fresh_rings),
        cmocka_unit_test(test_zero_and_null),
        cmocka_unit_test(test_write_table),
        cmocka_unit_test(test_qemu_ringbuf_vector),
        cmocka_unit_test(test_wrap_every_position),
        cmocka_unit_test(test_full_ring_overwrite_laps),
        cmocka_unit_test(test_read_peek_discard),
        cmocka_unit_test(test_spans_every_position),
        cmocka_unit_test(test_span_api),
        cmocka_unit_test(test_counter_saturation),
        cmocka_unit_test(test_accounting_identity),
        cmocka_unit_test(test_invariant_rejects),
        cmocka_unit_test(test_capacities),
        cmocka_unit_test(test_positions_basic),
        cmocka_unit_test(test_positions_every_head),
        cmocka_unit_test(test_positions_exhausted),
    };

    return cmocka_run_group_tests_name("cirmem", tests, NULL, NULL);
}
