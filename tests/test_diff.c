/* SPDX-License-Identifier: MIT */
/*
 * Randomized differential tests (fixed seeds, so every run is the same):
 * core/ and the reference model take the same random operations, and the
 * whole state is compared after every one (pair_check() also asserts
 * cirmem_invariant()).
 */
#include "test_common.h"

/* Bytes biased towards UTF-8 structure: ASCII, NUL, lead bytes of every
 * length, continuation bytes of every range, never-valid bytes. */
static uint8_t rand_byte(uint64_t *s)
{
    static const uint8_t pool[] = {
        0x00, 0x0a, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
        0xc1, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf3, 0xf4,
        0xf5, 0xff,
    };
    uint64_t v = t_rand(s);

    if (v % 4 == 0)
        return (uint8_t)(v >> 8);
    return pool[(v >> 8) % sizeof pool];
}

static const cirmem_mode modes[] = { CIRMEM_OVERWRITE, CIRMEM_DROP_NEW,
                                     CIRMEM_BOUNDED, (cirmem_mode)9 };

static unsigned long run_random(size_t cap, uint64_t seed, unsigned ops)
{
    pair p;
    uint64_t s = seed;
    size_t maxn = 2 * cap + 3;
    uint8_t *d = malloc(maxn);
    unsigned i;

    assert_non_null(d);
    pair_init(&p, cap);
    for (i = 0; i < ops; i++) {
        uint64_t op = t_rand(&s) % 18;
        size_t n = (size_t)(t_rand(&s) % (maxn + 1));
        size_t k;

        for (k = 0; k < n; k++)
            d[k] = rand_byte(&s);
        switch (op) {
        case 0: case 1: case 2: case 3:
            pair_write(&p, d, n, modes[t_rand(&s) % 4]);
            break;
        case 4:
            pair_write(&p, NULL, n, modes[t_rand(&s) % 4]);
            break;
        case 5: case 6:
            pair_read(&p, n);
            break;
        case 7:
            pair_peek(&p, (size_t)(t_rand(&s) % (cap + 2)), n);
            break;
        case 8:
            pair_discard(&p, n / 2);
            break;
        case 9:
            if (t_rand(&s) % 8 == 0)
                pair_clear(&p);
            else
                pair_consume(&p, n / 2);
            break;
        case 10:
            pair_fill_spans(&p, d, n);
            break;
        case 11:
            pair_drain_spans(&p, n);
            break;
        case 12: case 13: case 14: {
            size_t out_cap = (size_t)(t_rand(&s) % 12);
            size_t max_in = (size_t)(t_rand(&s) % 10);
            unsigned flags = (unsigned)(t_rand(&s) % 4);
            if (t_rand(&s) % 4 == 0) {
                out_cap = 3 * cap; /* unlimited */
                max_in = SIZE_MAX;
            }
            pair_utf8(&p, out_cap, max_in, flags);
            break;
        }
        case 16: case 17: {
            /* positioned reads around start and end */
            uint64_t st = cirmem_start(&p.r), en = cirmem_end(&p.r);
            uint64_t pick = t_rand(&s), pos;

            switch (pick % 4) {
            case 0: pos = st > pick % 8 ? st - pick % 8 : 0; break;
            case 1: pos = st + (pick >> 8) % (en - st + 1); break;
            case 2: pos = en + (pick >> 8) % 3; break;
            default: pos = en > pick % 5 ? en - pick % 5 : 0; break;
            }
            if (op == 16) {
                pair_peek_at(&p, pos, n, NULL);
            } else {
                size_t out_cap = (size_t)(t_rand(&s) % 12);
                size_t max_in = (size_t)(t_rand(&s) % 10);

                if (t_rand(&s) % 4 == 0) {
                    out_cap = 3 * cap;
                    max_in = SIZE_MAX;
                }
                pair_utf8_at(&p, pos, out_cap, max_in,
                             (unsigned)(t_rand(&s) % 4), NULL);
            }
            break;
        }
        default:
            /* rarely, jump the counters near saturation (white-box, on
             * both sides, keeping the accounting balanced) */
            if (t_rand(&s) % 64 == 0) {
                uint64_t r = UINT64_MAX - (t_rand(&s) % 64) - cap;
                p.r.read = p.m.read = r / 2;
                p.r.dropped = p.m.dropped = r - r / 2;
                p.r.written = p.m.written = r + cirmem_used(&p.r);
                /* the model keeps its own start: move it to match */
                p.m.start = r - p.r.refused;
                pair_check(&p);
            }
            break;
        }
    }
    pair_fini(&p);
    free(d);
    return ops;
}

static void test_random_ops(void **state)
{
    static const size_t caps[] = { 1, 2, 3, 4, 7, 16, 64, 251 };
    unsigned long total = 0;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof caps / sizeof caps[0]; i++)
        total += run_random(caps[i], 0x9E3779B97F4A7C15ULL + i, 4000);
    print_message("random differential: %lu operations, state compared "
                  "after each\n", total);
}

/*
 * A stream written in random pieces and decoded in random pieces, without
 * loss, must give the same bytes as decoding it whole with FLUSH (model,
 * one call).  Checks that splitting never changes the output.
 */
static void test_utf8_stream(void **state)
{
    enum { LEN = 3000 };
    uint8_t *stream = malloc(LEN), *whole = malloc(3 * LEN);
    uint8_t *got = malloc(3 * LEN), *mst = malloc(LEN);
    uint64_t s = 12345;
    size_t nwhole, ngot = 0, fed = 0, i, cons;
    unsigned round;
    cirmem_ref m;

    (void)state;
    assert_non_null(stream);
    assert_non_null(whole);
    assert_non_null(got);
    assert_non_null(mst);
    for (i = 0; i < LEN; i++)
        stream[i] = rand_byte(&s);
    assert_int_equal(cirmem_ref_init(&m, mst, LEN), CIRMEM_OK);
    assert_int_equal(cirmem_ref_write(&m, stream, LEN, CIRMEM_BOUNDED), LEN);
    nwhole = cirmem_ref_read_utf8(&m, whole, 3 * LEN, SIZE_MAX,
                                  CIRMEM_UTF8_FLUSH, &cons);
    assert_int_equal(cons, LEN);

    for (round = 0; round < 4; round++) {
        pair p;
        size_t cap = (size_t[]){ 4, 5, 9, 64 }[round];

        pair_init(&p, cap);
        fed = 0;
        ngot = 0;
        while (fed < LEN || cirmem_used(&p.r) > 0) {
            size_t n = (size_t)(t_rand(&s) % (cap + 1));
            size_t out_cap = 4 + (size_t)(t_rand(&s) % 8);
            size_t max_in = 4 + (size_t)(t_rand(&s) % 8);
            unsigned flags = fed == LEN ? CIRMEM_UTF8_FLUSH : 0;
            size_t c1 = 0, c2 = 0, a, b;
            uint8_t o2[16], *o1 = t_alloc_exact(out_cap); /* exact size */

            cirmem_pos_read fr;
            uint8_t fo[16];
            uint64_t st;

            n = t_min(n, LEN - fed);
            fed += pair_write(&p, stream + fed, n, CIRMEM_BOUNDED);
            /* a positioned reader at start, same limits: the same bytes
             * as the consuming read below (no loss here) */
            st = cirmem_start(&p.r);
            assert_int_equal(cirmem_peek_utf8_at(&p.r, st, fo, out_cap, max_in,
                                                 flags, &fr), CIRMEM_OK);
            a = cirmem_read_utf8(&p.r, o1, out_cap, max_in, flags, &c1);
            assert_int_equal(fr.position, st);
            assert_int_equal(fr.next - st, c1);
            assert_int_equal(fr.out_len, a);
            assert_memory_equal(fo, o1, a);
            b = cirmem_ref_read_utf8(&p.m, o2, out_cap, max_in, flags, &c2);
            assert_int_equal(a, b);
            assert_int_equal(c1, c2);
            assert_true(a <= out_cap);
            t_canary_intact(o1, a, out_cap, "cirmem_read_utf8");
            assert_memory_equal(o1, o2, a);
            memcpy(got + ngot, o1, a);
            free(o1);
            pair_check(&p);
            ngot += a;
        }
        assert_int_equal(ngot, nwhole);
        assert_memory_equal(got, whole, nwhole);
        assert_int_equal(cirmem_bytes_read(&p.r), LEN);
        pair_fini(&p);
    }
    print_message("UTF-8 stream: %d bytes in pieces == whole (%zu bytes out)"
                  " for 4 capacities\n", LEN, nwhole);
    free(stream);
    free(whole);
    free(got);
    free(mst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ops),
        cmocka_unit_test(test_utf8_stream),
    };

    return cmocka_run_group_tests_name("cirmem_diff", tests, NULL, NULL);
}
