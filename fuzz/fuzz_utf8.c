/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 harness: cirmem_read_utf8() against the decoder of the reference
 * model (spec/ref/; the core itself is compared with CPython's
 * decoder by tests/utf8_oracle.py in `make test`), plus
 * properties that need no oracle.
 *
 * Input: first byte % 3 picks the mode, then
 *   0  ops:    2 capacity bytes, then operations (opcode % 8): raw and
 *              encoded writes in every mode (OVERWRITE/DROP_NEW cause
 *              losses, so the resync rule runs), read_utf8 with small,
 *              extreme and unbounded limits, every flag, NULL out and NULL
 *              consumed, discard and raw read (set / clear lost).
 *   1  text:   capacity (>= 4), NUL-flag bit, a character count and the
 *              characters (encoded by the harness, always valid UTF-8);
 *              the rest schedules write chunk sizes and read limits.
 *              Streaming the text through the ring without loss must give
 *              back exactly the text (00 as C0 80 under the NUL flag),
 *              whatever the read sizes.
 *   2  split:  capacity (>= 4), 2 length bytes, that many raw bytes, then
 *              the schedule.  Decoding in pieces must equal decoding the
 *              whole stream at once with FLUSH; if the raw bytes are valid
 *              UTF-8 (harness validator) that is the input itself.
 * In every mode each read_utf8 runs on core and model in lockstep
 * (fz_pair_utf8(): same output, consumed, state; output well-formed;
 * limits respected; progress guarantee; lost flag rule).
 */
#include "fuzz_common.h"

/* A code point from the input: ASCII, 2-, 3-, 4-byte ranges, boundaries. */
static uint32_t next_cp(fz_in *in)
{
    static const uint32_t edge[16] = {
        0x00, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD,
        0xFFFF, 0x10000, 0x10FFFF, 0xFEFF, 0x0A, 0x20AC, 0x1F600, 0xFFFE,
    };
    uint8_t b = fz_byte(in);
    uint32_t v;

    switch (b % 5) {
    case 0:
        return b >> 1; /* 0 .. 7F */
    case 1:
        return 0x80 + (((uint32_t)b << 8 | fz_byte(in)) % 0x780);
    case 2:
        v = 0x800 + (((uint32_t)b << 8 | fz_byte(in)) % (0xF000));
        return v >= 0xD800 ? v + 0x800 : v; /* skip the surrogates */
    case 3:
        v = (uint32_t)fz_byte(in) << 8; /* one read per statement: */
        v |= fz_byte(in);                /* the order is defined */
        return 0x10000 + (((uint32_t)b << 16 | v) % 0x100000);
    default:
        return edge[(b / 5) % 16];
    }
}

static void pair_write_checked(fz_pair *p, const uint8_t *d, size_t n,
                               cirmem_mode mode, size_t *taken)
{
    size_t a = cirmem_write(&p->r, d, n, mode);
    size_t b = cirmem_ref_write(&p->m, d, n, mode);

    FZ_CHECK(a == b, "write(%zu, mode %u) = %zu, ref %zu", n, (unsigned)mode,
             a, b);
    fz_pair_check(p);
    if (taken != NULL)
        *taken = a;
}

/* ---- mode 0: operations ---------------------------------------------- */

static void run_ops(fz_in *in)
{
    fz_pair p;
    size_t cap = fz_capacity(in, 300);
    uint8_t buf[64 * 4];

    fz_pair_init(&p, cap);
    while (fz_more(in)) {
        uint8_t op = fz_byte(in) % 9, ctl = fz_byte(in);
        size_t used = cirmem_used(&p.r), n = 0, i;

        fz_op_index++;
        switch (op) {
        case 0: /* raw bytes from the input, any mode */
            fz_op_name = "raw write";
            n = (size_t)(ctl >> 2);
            for (i = 0; i < n; i++)
                buf[i] = fz_byte(in);
            pair_write_checked(&p, buf, n, (cirmem_mode)(ctl % 3), NULL);
            break;
        case 1: /* encoded characters, any mode */
            fz_op_name = "text write";
            for (i = 0; i < 1u + (ctl >> 3) % 16; i++)
                n += fz_utf8_put(next_cp(in), buf + n);
            pair_write_checked(&p, buf, n, (cirmem_mode)(ctl % 3), NULL);
            break;
        case 2: { /* small limits */
            size_t out_cap = fz_byte(in) % 16u;
            size_t max_in = fz_byte(in) % 16u;

            fz_op_name = "read_utf8 small";
            (void)fz_pair_utf8(&p, out_cap, false, (ctl & 0x18) == 0x18,
                               max_in, ctl & 3u, (ctl & 4) == 0, NULL, NULL);
            break;
        }
        case 3: /* unbounded */
            fz_op_name = "read_utf8 unbounded";
            (void)fz_pair_utf8(&p, 0, true, false, SIZE_MAX, ctl & 3u,
                               (ctl & 4) == 0, NULL, NULL);
            break;
        case 4:
            fz_op_name = "discard";
            n = ctl % 8u;
            FZ_CHECK(cirmem_discard(&p.r, n) == cirmem_ref_discard(&p.m, n),
                     "discard(%zu)", n);
            fz_pair_check(&p);
            break;
        case 5: {
            uint8_t o1[8], o2[8];
            size_t a, b;

            fz_op_name = "raw read";
            n = ctl % 8u;
            a = cirmem_read(&p.r, o1, n);
            b = cirmem_ref_read(&p.m, o2, n);
            FZ_CHECK(a == b && memcmp(o1, o2, a) == 0, "read(%zu)", n);
            fz_pair_check(&p);
            break;
        }
        case 6: { /* extreme limits (fz_count) */
            size_t out_cap = fz_min(fz_count(in, cap, used), 3 * cap + 8);
            size_t max_in = fz_count(in, cap, used);

            fz_op_name = "read_utf8 extreme";
            (void)fz_pair_utf8(&p, out_cap, false, false, max_in, ctl & 3u,
                               (ctl & 4) == 0, NULL, NULL);
            break;
        }
        case 8: { /* positioned read: behind start, inside a character... */
            uint64_t pos = fz_position(in, &p.m);
            size_t out_cap = fz_byte(in) % 32u;
            size_t max_in = (ctl & 0x20) ? SIZE_MAX : fz_byte(in) % 16u;

            fz_op_name = "peek_utf8_at";
            (void)fz_pair_utf8_at(&p, pos, (ctl & 0x40) ? 3 * cap + 4 : out_cap,
                                  (ctl & 0x18) == 0x18 && out_cap == 0,
                                  max_in, ctl & 3u, NULL, NULL);
            break;
        }
        default: /* 7: a long OVERWRITE from the input: wraps and loses */
            fz_op_name = "long overwrite";
            n = fz_min(sizeof buf, (size_t)ctl);
            for (i = 0; i < n; i++)
                buf[i] = fz_byte(in);
            pair_write_checked(&p, buf, n, CIRMEM_OVERWRITE, NULL);
            break;
        }
    }
    fz_pair_fini(&p);
}

/* ---- modes 1 and 2: streaming ---------------------------------------- */

/*
 * Stream src[0..len) through a ring of capacity cap (>= 4) with BOUNDED
 * writes (never a loss) and read_utf8 calls whose sizes come from the
 * schedule; FLUSH only once everything is written.  Returns the output
 * length, output in out (3 * len + 4 bytes).
 */
static size_t stream(fz_in *in, const uint8_t *src, size_t len, size_t cap,
                     unsigned base_flags, uint8_t *out)
{
    fz_pair p;
    size_t fed = 0, got = 0, rounds = 0;
    size_t limit = 2 * len + 2; /* every round moves a byte */

    fz_pair_init(&p, cap);
    while (fed < len || cirmem_used(&p.r) > 0) {
        bool sched = fz_more(in);
        uint8_t w = fz_byte(in), oc = fz_byte(in), mi = fz_byte(in);
        size_t n = sched ? w % (cap + 1) : cap, taken = 0, cons = 0;
        unsigned flags = base_flags | (fed == len && (w & 0x80)
                                       ? CIRMEM_UTF8_FLUSH : 0u);
        size_t out_cap = sched ? oc % 24u : 0;
        size_t max_in = sched ? mi % 12u : SIZE_MAX;

        FZ_CHECK(++rounds <= limit, "stream makes no progress: fed %zu of "
                 "%zu, used %zu", fed, len, cirmem_used(&p.r));
        fz_op_name = "stream write";
        n = fz_min(n, len - fed);
        pair_write_checked(&p, src + fed, n, CIRMEM_BOUNDED, &taken);
        fed += taken;
        /* a positioned reader at start, with the same limits, must get
         * what the consuming read gets (no loss in a stream) */
        fz_op_name = "stream peek_utf8_at";
        {
            size_t fcap = sched ? out_cap : 3 * cirmem_used(&p.r);
            uint8_t *fo = fz_alloc(fcap + 1);
            cirmem_pos_read fr;
            uint64_t st = cirmem_start(&p.r);
            size_t g0 = got;

            FZ_CHECK(fz_pair_utf8_at(&p, st, fcap, false, max_in, flags, fo,
                                     &fr) == CIRMEM_OK, "follower failed");
            fz_op_name = "stream read_utf8";
            got += fz_pair_utf8(&p, out_cap, !sched, false, max_in, flags,
                                (oc & 0x80) == 0, out + got, &cons);
            FZ_CHECK(fr.position == st && fr.lost == 0 &&
                     fr.next - st == cons && fr.out_len == got - g0 &&
                     memcmp(fo, out + g0, fr.out_len) == 0,
                     "positioned follower differs from read_utf8: next %llu"
                     " (start %llu, consumed %zu), %zu vs %zu bytes",
                     (unsigned long long)fr.next, (unsigned long long)st,
                     cons, fr.out_len, got - g0);
            free(fo);
        }
        if (taken == 0 && cons == 0) {
            /* stalled by the schedule: write all that fits, then the
             * most generous read; together they must move (if the write
             * cannot, the ring is full or everything is written, and
             * the progress guarantee applies) */
            size_t before;

            fz_op_name = "stream forced write";
            pair_write_checked(&p, src + fed, len - fed, CIRMEM_BOUNDED,
                               &taken);
            fed += taken;
            before = cirmem_used(&p.r);
            fz_op_name = "stream forced read";
            got += fz_pair_utf8(&p, 0, true, false, SIZE_MAX,
                                base_flags |
                                (fed == len ? CIRMEM_UTF8_FLUSH : 0u),
                                true, out + got, &cons);
            FZ_CHECK(taken > 0 || cons > 0 || (before == 0 && fed == len),
                     "no progress: fed %zu of %zu, used %zu, cap %zu", fed,
                     len, before, cirmem_capacity(&p.r));
        }
        FZ_CHECK(!cirmem_data_lost(&p.r), "lost set without any loss");
    }
    FZ_CHECK(cirmem_bytes_read(&p.r) == len && cirmem_bytes_written(&p.r) ==
             len && cirmem_bytes_dropped(&p.r) == 0,
             "stream accounting: r %llu w %llu d %llu, len %zu",
             (unsigned long long)cirmem_bytes_read(&p.r),
             (unsigned long long)cirmem_bytes_written(&p.r),
             (unsigned long long)cirmem_bytes_dropped(&p.r), len);
    fz_pair_fini(&p);
    return got;
}

static size_t stream_capacity(fz_in *in)
{
    size_t cap = fz_capacity(in, 512);

    return cap < 4 ? cap + 4 : cap;
}

static void run_text(fz_in *in)
{
    size_t cap = stream_capacity(in);
    uint8_t ctl = fz_byte(in);
    bool nul = ctl & 1;
    size_t nchars = fz_byte(in) + (size_t)(ctl >> 1) * 2, i, len = 0, elen = 0;
    uint8_t *text = fz_alloc(4 * nchars), *want = fz_alloc(8 * nchars);
    uint8_t *out = fz_alloc(3 * 4 * nchars + 4);
    size_t got;

    for (i = 0; i < nchars; i++)
        len += fz_utf8_put(next_cp(in), text + len);
    FZ_CHECK(fz_utf8_wf(text, len, false, NULL), "harness encoder broken");
    for (i = 0; i < len; i++) { /* the expected output */
        if (nul && text[i] == 0) {
            want[elen++] = 0xC0;
            want[elen++] = 0x80;
        } else {
            want[elen++] = text[i];
        }
    }
    fz_op_name = "text stream";
    got = stream(in, text, len, cap, nul ? CIRMEM_UTF8_NUL_AS_C0_80 : 0u,
                 out);
    FZ_CHECK(got == elen && memcmp(out, want, elen) == 0,
             "valid text of %zu bytes came back as %zu bytes (want %zu), "
             "cap %zu, nul %d", len, got, elen, cap, nul);
    free(text);
    free(want);
    free(out);
}

static void run_split(fz_in *in)
{
    size_t cap = stream_capacity(in);
    size_t hi = fz_byte(in), len = ((hi << 8) | fz_byte(in)) % 2049, i;
    uint8_t *src = fz_alloc(len), *whole = fz_alloc(3 * len + 4);
    uint8_t *out = fz_alloc(3 * len + 4);
    size_t nwhole, got, cons = 0;
    unsigned nulf = fz_byte(in) & 1 ? CIRMEM_UTF8_NUL_AS_C0_80 : 0u;
    fz_pair w;

    for (i = 0; i < len; i++)
        src[i] = fz_byte(in);
    /* whole at once: one ring holding everything, one FLUSH read */
    fz_op_name = "whole decode";
    fz_pair_init(&w, len > 0 ? len : 1);
    pair_write_checked(&w, src, len, CIRMEM_BOUNDED, NULL);
    nwhole = fz_pair_utf8(&w, 0, true, false, SIZE_MAX,
                          nulf | CIRMEM_UTF8_FLUSH, true, whole, &cons);
    FZ_CHECK(cons == len, "whole FLUSH decode consumed %zu of %zu", cons,
             len);
    fz_pair_fini(&w);
    if (nulf == 0 && fz_utf8_wf(src, len, false, NULL))
        FZ_CHECK(nwhole == len && memcmp(whole, src, len) == 0,
                 "valid input of %zu bytes changed by decoding", len);

    got = stream(in, src, len, cap, nulf, out);
    FZ_CHECK(got == nwhole && memcmp(out, whole, got) == 0,
             "split decode (%zu bytes, cap %zu) != whole decode (%zu bytes)",
             got, cap, nwhole);
    free(src);
    free(whole);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = { data, size, 0, false };

    fz_op_index = 0;
    fz_op_name = "init";
    switch (fz_byte(&in) % 3) {
    case 0:
        run_ops(&in);
        break;
    case 1:
        run_text(&in);
        break;
    default:
        run_split(&in);
        break;
    }
    return 0;
}
