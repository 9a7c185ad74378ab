/* SPDX-License-Identifier: MIT */
/*
 * cirmem micro-benchmarks.
 *
 * Part 1, ring throughput.  One "pair" writes a chunk of `chunk` bytes
 * into a ring of `cap` bytes and reads `chunk` bytes back out; the
 * figure is payload bytes per second (each byte is written once and read
 * once).  Before each repetition the ring is given a backlog of
 * min(cap/2, cap - chunk) bytes, so the reader trails the writer by that
 * distance and every write fits (OVERWRITE and BOUNDED then move the same
 * bytes through their own code paths).  Variants, all measured in the same
 * run and interleaved repetition by repetition:
 *   overwrite  cirmem_write(OVERWRITE) + cirmem_read
 *   bounded    cirmem_write(BOUNDED)   + cirmem_read
 *   span       cirmem_write_span + memcpy + cirmem_commit, then
 *              cirmem_read_span + memcpy + cirmem_consume (zero-copy API)
 *   limit      memcpy into a buffer of `cap` bytes and memcpy back out,
 *              positions advancing the same way: the physical limit
 *   byteloop   the byte-at-a-time power-of-two ring of byteloop.c
 *
 * Part 2, a full ring (a console nobody reads).  Every write overwrites
 * the oldest bytes: `chunk` bytes per call into a ring that is already
 * full, nothing read.  Figure: input bytes per second.  Variants:
 *   full        cirmem_write(OVERWRITE)
 *   full-limit  memcpy into the ring's storage, position advancing (one
 *               memcpy per byte: the limit for a ring that copies)
 *   full-byteloop  byteloop_write, the consumer pushed forward per byte
 *
 * Part 3, UTF-8 reader.  Text is written into a 64 KiB ring in chunks of
 * about 4 KiB (cut at character boundaries) and drained with
 * cirmem_read_utf8(); the baseline copies the chunk into a staging buffer
 * (the ring write), validates it with glib's g_utf8_validate() and copies
 * the valid runs out, putting U+FFFD for each byte glib rejects.  Figure:
 * input bytes per second.
 *
 * Method: pinned to one CPU, clock_gettime(CLOCK_MONOTONIC), per variant a
 * calibration that also warms up, then REPS repetitions of about REP_MS
 * each; median, min, max and quartiles are reported.  A compiler barrier
 * after every pair keeps the work observable.  Before timing, every
 * variant is checked to deliver exactly the bytes it was given (untimed).
 *
 * Usage: cirmem_bench [--out DIR] [--reps N] [--rep-ms MS] [--cpu N]
 *                     [--quick] [--verify-only] [--utf8-only]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "byteloop.h"
#include "cirmem.h"

/* ---------------------------------------------------------------- helpers */

/* The compiler must assume *p is read and all memory may have changed. */
static inline void escape(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static double clock_s(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0) {
        perror("clock_gettime");
        exit(2);
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "cirmem_bench: %s\n", what);
    exit(2);
}

static void *xalloc(size_t align, size_t n)
{
    void *p = aligned_alloc(align, (n + align - 1) / align * align);

    if (p == NULL) {
        die("out of memory");
    }
    memset(p, 0x5a, n); /* touch every page before timing */
    return p;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Linear-interpolated percentile of sorted v[0..n-1]. */
static double pct(const double *v, int n, double p)
{
    double pos = p * (double)(n - 1);
    int i = (int)pos;
    double f = pos - (double)i;

    if (i + 1 >= n) {
        return v[n - 1];
    }
    return v[i] * (1.0 - f) + v[i + 1] * f;
}

struct stats {
    double med, min, max, q1, q3; /* MB/s (1e6 bytes per second) */
    double oncpu;                 /* median of thread CPU time / wall time */
    uint64_t iters;               /* pairs (or passes) per repetition */
};

#define MAX_REPS 31

static struct stats summarize(const double *rate, const double *oncpu, int n,
                              uint64_t iters)
{
    double s[MAX_REPS];
    double c[MAX_REPS];
    struct stats st;

    memcpy(s, rate, (size_t)n * sizeof s[0]);
    memcpy(c, oncpu, (size_t)n * sizeof c[0]);
    qsort(s, (size_t)n, sizeof s[0], cmp_double);
    qsort(c, (size_t)n, sizeof c[0], cmp_double);
    st.med = pct(s, n, 0.5);
    st.min = s[0];
    st.max = s[n - 1];
    st.q1 = pct(s, n, 0.25);
    st.q3 = pct(s, n, 0.75);
    st.oncpu = pct(c, n, 0.5);
    st.iters = iters;
    return st;
}

/* ------------------------------------------------------- options, machine */

static int opt_reps = 7;
static double opt_rep_s = 0.050;
static int opt_cpu = -1;
static int opt_verify_only;
static int opt_utf8_only;
static const char *opt_out = "build/bench";

static int pinned_cpu = -1;

static void pin_cpu(void)
{
    cpu_set_t set;
    int cpu = opt_cpu;

    if (cpu < 0) {
        /* Default: the highest-numbered CPU we are allowed to run on. */
        if (sched_getaffinity(0, sizeof set, &set) != 0) {
            perror("sched_getaffinity");
            return;
        }
        for (size_t i = CPU_SETSIZE; i-- > 0;) {
            if (CPU_ISSET(i, &set)) {
                cpu = (int)i;
                break;
            }
        }
    }
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
        return;
    }
    CPU_ZERO(&set);
    CPU_SET((size_t)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        fprintf(stderr, "cirmem_bench: cannot pin to CPU %d: %s (unpinned)\n",
                cpu, strerror(errno));
        return;
    }
    pinned_cpu = cpu;
}

static void read_loadavg(char *buf, size_t n)
{
    FILE *f = fopen("/proc/loadavg", "r");

    snprintf(buf, n, "unknown");
    if (f != NULL) {
        if (fgets(buf, (int)n, f) != NULL) {
            buf[strcspn(buf, "\n")] = '\0';
        }
        fclose(f);
    }
}

static void cpu_model(char *buf, size_t n)
{
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");

    snprintf(buf, n, "unknown");
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "model name", 10) == 0) {
            char *v = strchr(line, ':');

            if (v != NULL) {
                v += 1 + strspn(v + 1, " \t");
                v[strcspn(v, "\n")] = '\0';
                snprintf(buf, n, "%s", v);
            }
            break;
        }
    }
    fclose(f);
}

/* ------------------------------------------------------- ring benchmarks */

/* V_OVERWRITE .. V_BYTELOOP move pairs (part 1); V_FULL .. V_FULL_BYTELOOP
 * only write, into a full ring (part 2). */
enum variant {
    V_OVERWRITE, V_BOUNDED, V_SPAN, V_LIMIT, V_BYTELOOP,
    V_FULL, V_FULL_LIMIT, V_FULL_BYTELOOP, NVAR
};
#define NPAIR V_FULL /* the pair variants */

static const char *const var_name[NVAR] = {
    "overwrite", "bounded", "span", "limit", "byteloop",
    "full", "full-limit", "full-byteloop",
};

struct ctx {
    size_t cap, chunk, backlog;
    uint8_t *storage; /* cap bytes, shared by all variants */
    const uint8_t *src;
    uint8_t *dst;
    cirmem ring;
    struct byteloop bl;
    size_t lim_w, lim_r; /* limit: write and read positions */
};

/* Fresh state for variant v with the backlog in place (no bytes copied);
 * the full-ring variants have a backlog of the whole capacity. */
static void setup(struct ctx *c, enum variant v)
{
    size_t len;

    switch (v) {
    case V_OVERWRITE:
    case V_BOUNDED:
    case V_SPAN:
    case V_FULL:
        if (cirmem_init(&c->ring, c->storage, c->cap) != CIRMEM_OK) {
            die("cirmem_init failed");
        }
        if (c->backlog > 0) {
            (void)cirmem_write_span(&c->ring, &len);
            if (len < c->backlog ||
                cirmem_commit(&c->ring, c->backlog) != c->backlog) {
                die("backlog setup failed");
            }
        }
        break;
    case V_LIMIT:
    case V_FULL_LIMIT:
        c->lim_r = 0;
        c->lim_w = c->backlog % c->cap;
        break;
    case V_BYTELOOP:
    case V_FULL_BYTELOOP:
        if (byteloop_init(&c->bl, c->storage, c->cap) != 0) {
            die("byteloop_init failed");
        }
        byteloop_skip_write(&c->bl, c->backlog);
        break;
    case NVAR:
        break;
    }
}

/* Each run_* does `iters` pairs and returns the bytes read back. */

static uint64_t run_cirmem(struct ctx *c, cirmem_mode mode, uint64_t iters)
{
    uint64_t in = 0;
    uint64_t out = 0;

    for (uint64_t i = 0; i < iters; i++) {
        in += cirmem_write(&c->ring, c->src, c->chunk, mode);
        out += cirmem_read(&c->ring, c->dst, c->chunk);
        escape(c->dst);
    }
    return in == out ? out : 0;
}

static uint64_t run_span(struct ctx *c, uint64_t iters)
{
    uint64_t out = 0;

    for (uint64_t i = 0; i < iters; i++) {
        const uint8_t *s = c->src;
        uint8_t *d = c->dst;
        size_t left = c->chunk;
        size_t len;

        while (left > 0) {
            uint8_t *p = cirmem_write_span(&c->ring, &len);

            if (p == NULL) {
                break;
            }
            len = len < left ? len : left;
            memcpy(p, s, len);
            (void)cirmem_commit(&c->ring, len);
            s += len;
            left -= len;
        }
        left = c->chunk;
        while (left > 0) {
            const uint8_t *p = cirmem_read_span(&c->ring, 0, &len);

            if (p == NULL) {
                break;
            }
            len = len < left ? len : left;
            memcpy(d, p, len);
            (void)cirmem_consume(&c->ring, len);
            d += len;
            left -= len;
            out += len;
        }
        escape(c->dst);
    }
    return out;
}

/* Needs chunk to divide cap (true for every size measured). */
static uint64_t run_limit(struct ctx *c, uint64_t iters)
{
    uint64_t out = 0;

    for (uint64_t i = 0; i < iters; i++) {
        memcpy(c->storage + c->lim_w, c->src, c->chunk);
        memcpy(c->dst, c->storage + c->lim_r, c->chunk);
        escape(c->dst);
        c->lim_w += c->chunk;
        if (c->lim_w == c->cap) {
            c->lim_w = 0;
        }
        c->lim_r += c->chunk;
        if (c->lim_r == c->cap) {
            c->lim_r = 0;
        }
        out += c->chunk;
    }
    return out;
}

static uint64_t run_byteloop(struct ctx *c, uint64_t iters)
{
    uint64_t in = 0;
    uint64_t out = 0;

    for (uint64_t i = 0; i < iters; i++) {
        in += byteloop_write(&c->bl, c->src, c->chunk);
        out += byteloop_read(&c->bl, c->dst, c->chunk);
        escape(c->dst);
    }
    return in == out ? out : 0;
}

/* Part 2: each run_full_* does `iters` writes into a full ring and
 * returns the bytes taken. */

static uint64_t run_full(struct ctx *c, uint64_t iters)
{
    uint64_t in = 0;

    for (uint64_t i = 0; i < iters; i++) {
        in += cirmem_write(&c->ring, c->src, c->chunk, CIRMEM_OVERWRITE);
        escape(&c->ring);
    }
    return in;
}

/* Needs chunk to divide cap (true for every size measured). */
static uint64_t run_full_limit(struct ctx *c, uint64_t iters)
{
    for (uint64_t i = 0; i < iters; i++) {
        memcpy(c->storage + c->lim_w, c->src, c->chunk);
        escape(c->storage);
        c->lim_w += c->chunk;
        if (c->lim_w == c->cap) {
            c->lim_w = 0;
        }
    }
    return iters * c->chunk;
}

static uint64_t run_full_byteloop(struct ctx *c, uint64_t iters)
{
    uint64_t in = 0;

    for (uint64_t i = 0; i < iters; i++) {
        in += byteloop_write(&c->bl, c->src, c->chunk);
        escape(&c->bl);
    }
    return in;
}

static uint64_t run_variant(struct ctx *c, enum variant v, uint64_t iters)
{
    switch (v) {
    case V_OVERWRITE:
        return run_cirmem(c, CIRMEM_OVERWRITE, iters);
    case V_BOUNDED:
        return run_cirmem(c, CIRMEM_BOUNDED, iters);
    case V_SPAN:
        return run_span(c, iters);
    case V_LIMIT:
        return run_limit(c, iters);
    case V_BYTELOOP:
        return run_byteloop(c, iters);
    case V_FULL:
        return run_full(c, iters);
    case V_FULL_LIMIT:
        return run_full_limit(c, iters);
    case V_FULL_BYTELOOP:
        return run_full_byteloop(c, iters);
    case NVAR:
        break;
    }
    return 0;
}

/* One timed repetition; returns MB/s and stores the on-CPU fraction. */
static double timed(struct ctx *c, enum variant v, uint64_t iters,
                    double *oncpu, double *secs)
{
    double t0, t1, u0, u1;
    uint64_t got;

    setup(c, v);
    u0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    t0 = clock_s(CLOCK_MONOTONIC);
    got = run_variant(c, v, iters);
    t1 = clock_s(CLOCK_MONOTONIC);
    u1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    if (got != iters * c->chunk) {
        fprintf(stderr, "cirmem_bench: %s cap %zu chunk %zu moved %" PRIu64
                " bytes, expected %" PRIu64 "\n", var_name[v], c->cap,
                c->chunk, got, iters * c->chunk);
        exit(2);
    }
    *secs = t1 - t0;
    *oncpu = (u1 - u0) / (t1 - t0);
    return (double)got / (t1 - t0) / 1e6;
}

/* Pairs per repetition so that one takes about opt_rep_s; also warms up. */
static uint64_t calibrate(struct ctx *c, enum variant v)
{
    uint64_t iters = 8;
    double oncpu, secs;

    for (;;) {
        (void)timed(c, v, iters, &oncpu, &secs);
        if (secs >= opt_rep_s / 4 || iters >= (UINT64_C(1) << 40)) {
            break;
        }
        iters *= secs < opt_rep_s / 64 ? 8 : 2;
    }
    iters = (uint64_t)((double)iters * opt_rep_s / secs);
    return iters > 0 ? iters : 1;
}

/*
 * Untimed check that every variant hands back exactly the bytes it was
 * given, in order, across several wraps, with a changing pattern.
 */
static void verify_variant(uint8_t *storage, size_t cap, size_t chunk,
                           enum variant v)
{
    static uint8_t src[65536], dst[65536];
    struct ctx c;
    uint64_t n = 3 * cap / chunk + 5;

    memset(&c, 0, sizeof c);
    c.cap = cap;
    c.chunk = chunk;
    c.backlog = cap / 2 < cap - chunk ? cap / 2 : cap - chunk;
    c.storage = storage;
    c.src = src;
    c.dst = dst;
    setup(&c, v);
    /* Drain the backlog so the comparison starts on known bytes. */
    for (size_t left = c.backlog; left > 0;) {
        size_t k = left < chunk ? left : chunk;

        if (v == V_LIMIT) {
            c.lim_r = (c.lim_r + k) % cap;
        } else if (v == V_BYTELOOP) {
            if (byteloop_read(&c.bl, dst, k) != k) {
                die("verify: backlog drain failed");
            }
        } else if (cirmem_consume(&c.ring, k) != k) {
            die("verify: backlog drain failed");
        }
        left -= k;
    }
    c.backlog = 0;
    for (uint64_t i = 0; i < n; i++) {
        for (size_t j = 0; j < chunk; j++) {
            src[j] = (uint8_t)(i * 131 + j * 7 + 1);
        }
        memset(dst, 0, chunk);
        if (run_variant(&c, v, 1) != chunk || memcmp(src, dst, chunk) != 0) {
            fprintf(stderr, "cirmem_bench: verify failed: %s cap %zu "
                    "chunk %zu pair %" PRIu64 "\n", var_name[v], cap, chunk,
                    i);
            exit(2);
        }
    }
}

/* Byte t of the stream that verify_full() writes. */
static uint8_t stream_byte(uint64_t t)
{
    return (uint8_t)(t * 131 + (t >> 8) * 7 + 1);
}

/*
 * Untimed check of a part-2 variant: after several laps of writes into
 * the full ring, the ring holds exactly the newest `cap` bytes, in order.
 */
static void verify_full(uint8_t *storage, size_t cap, size_t chunk,
                        enum variant v)
{
    static uint8_t src[65536], out[65536];
    struct ctx c;
    uint64_t n = 3 * cap / chunk + 5;
    uint64_t total = n * chunk;
    size_t got = 0;

    memset(&c, 0, sizeof c);
    c.cap = cap;
    c.chunk = chunk;
    c.backlog = cap;
    c.storage = storage;
    c.src = src;
    c.dst = out;
    setup(&c, v);
    for (uint64_t i = 0; i < n; i++) {
        for (size_t j = 0; j < chunk; j++) {
            src[j] = stream_byte(i * chunk + j);
        }
        if (run_variant(&c, v, 1) != chunk) {
            die("verify full: a write did not take every byte");
        }
    }
    if (v == V_FULL) {
        if (cirmem_bytes_dropped(&c.ring) != total) {
            die("verify full: dropped bytes miscounted");
        }
        got = cirmem_read(&c.ring, out, cap);
    } else if (v == V_FULL_BYTELOOP) {
        got = byteloop_read(&c.bl, out, cap);
    } else {
        for (size_t k = 0; k < cap; k++) {
            out[k] = storage[(c.lim_w + k) % cap];
        }
        got = cap;
    }
    for (size_t k = 0; k < got; k++) {
        if (out[k] != stream_byte(total - cap + k)) {
            got = 0;
            break;
        }
    }
    if (got != cap) {
        fprintf(stderr, "cirmem_bench: verify failed: %s cap %zu chunk %zu\n",
                var_name[v], cap, chunk);
        exit(2);
    }
}

static void verify_all(void)
{
    static const size_t chunks[] = {1, 8, 64, 512, 1000, 4096};
    static uint8_t storage[4096];

    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        for (int v = 0; v < NVAR; v++) {
            if ((v == V_LIMIT || v == V_FULL_LIMIT) &&
                4096 % chunks[i] != 0) {
                continue; /* the limit loops assume chunk divides cap */
            }
            if (v < NPAIR) {
                verify_variant(storage, sizeof storage, chunks[i],
                               (enum variant)v);
            } else {
                verify_full(storage, sizeof storage, chunks[i],
                            (enum variant)v);
            }
        }
    }
}

#define NCAPS 3
#define NCHUNKS 6
static const size_t caps[NCAPS] = {4096, 262144, 64u << 20};
static const char *const cap_name[NCAPS] = {"4K", "256K", "64M"};
static const size_t chunks[NCHUNKS] = {1, 8, 64, 512, 4096, 65536};

/*
 * A repetition during which the thread was off the CPU for more than 5%
 * of the wall time (preempted by another process) is run again, at most
 * RETRIES times; the last attempt is kept either way.  The number of
 * retries and the on-CPU fractions are reported.
 */
#define ONCPU_MIN 0.95
#define RETRIES 2
static unsigned long retries;

static struct stats ring_res[NCAPS][NCHUNKS][NVAR];
static int ring_done[NCAPS][NCHUNKS];

/* Part 2 runs in one ring of QEMU's default ringbuf size. */
#define FULL_CAP 65536u
#define NFCHUNKS 5
static const size_t full_chunks[NFCHUNKS] = {1, 8, 64, 512, 4096};
static struct stats full_res[NFCHUNKS][NVAR];

/* Times variants v0 .. v1-1 at c's cap and chunk into res[v]. */
static void bench_cell(struct ctx *c, int v0, int v1, struct stats *res)
{
    uint64_t iters[NVAR];
    double rate[NVAR][MAX_REPS];
    double oncpu[NVAR][MAX_REPS];
    double secs;

    for (int v = v0; v < v1; v++) {
        iters[v] = calibrate(c, (enum variant)v);
    }
    /* Interleave: repetition r of every variant runs under similar load. */
    for (int r = 0; r < opt_reps; r++) {
        for (int v = v0; v < v1; v++) {
            for (int a = 0;; a++) {
                rate[v][r] = timed(c, (enum variant)v, iters[v], &oncpu[v][r],
                                   &secs);
                if (oncpu[v][r] >= ONCPU_MIN || a == RETRIES) {
                    break;
                }
                retries++;
            }
        }
    }
    for (int v = v0; v < v1; v++) {
        res[v] = summarize(rate[v], oncpu[v], opt_reps, iters[v]);
    }
}

static void bench_pairs(struct ctx *c, int ci, int ki)
{
    c->cap = caps[ci];
    c->chunk = chunks[ki];
    c->backlog = c->cap / 2 < c->cap - c->chunk ? c->cap / 2
                                                 : c->cap - c->chunk;
    bench_cell(c, 0, NPAIR, ring_res[ci][ki]);
    ring_done[ci][ki] = 1;
}

static void bench_full(struct ctx *c, int ki)
{
    c->cap = FULL_CAP;
    c->chunk = full_chunks[ki];
    c->backlog = c->cap;
    bench_cell(c, V_FULL, NVAR, full_res[ki]);
}

/* ------------------------------------------------------- UTF-8 benchmark */

#define TEXT_BYTES (256u * 1024u)
#define TEXT_CHUNK 4096u
#define MAX_CHUNKS (TEXT_BYTES / (TEXT_CHUNK - 8) + 2)
#define UTF8_RING (64u * 1024u)
#define OUT_CAP (3u * TEXT_CHUNK + 64u)

enum text_kind { T_ASCII, T_MIXED, T_INVALID, NTEXT };

static const char *const text_name[NTEXT] = {"ascii", "mixed", "invalid"};

struct text {
    uint8_t *bytes;
    size_t len;
    size_t cut[MAX_CHUNKS + 1]; /* chunk i is bytes[cut[i] .. cut[i+1]) */
    size_t nchunks;
};

static size_t put_cp(uint8_t *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | (cp >> 18));
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static size_t ascii_unit(uint8_t *o)
{
    o[0] = rng() % 64 == 0 ? (uint8_t)'\n' : (uint8_t)(0x20 + rng() % 95);
    return 1;
}

/* Latin/Greek/Cyrillic (2 bytes), CJK (3 bytes), emoji (4 bytes). */
static size_t mixed_unit(uint8_t *o)
{
    uint32_t p = rng() % 100;

    if (p < 55) {
        return ascii_unit(o);
    }
    if (p < 70) {
        return put_cp(o, 0xA0 + rng() % (0x500 - 0xA0));
    }
    if (p < 90) {
        return put_cp(o, 0x4E00 + rng() % (0x9FFF - 0x4E00));
    }
    return put_cp(o, 0x1F300 + rng() % (0x1FAFF - 0x1F300));
}

/* About 40% of the units are ill-formed, of every kind. */
static size_t invalid_unit(uint8_t *o)
{
    if (rng() % 100 < 60) {
        return mixed_unit(o);
    }
    switch (rng() % 8) {
    case 0: /* lone continuation byte */
        o[0] = (uint8_t)(0x80 + rng() % 64);
        return 1;
    case 1: /* overlong two-byte lead */
        o[0] = (uint8_t)(0xC0 + rng() % 2);
        o[1] = (uint8_t)(0x80 + rng() % 64);
        return 2;
    case 2: /* never a lead byte */
        o[0] = (uint8_t)(0xF5 + rng() % 11);
        return 1;
    case 3: /* three-byte sequence cut short */
        o[0] = 0xE4;
        o[1] = 0xB8;
        o[2] = (uint8_t)'a';
        return 3;
    case 4: /* four-byte sequence cut short */
        o[0] = 0xF0;
        o[1] = 0x9F;
        o[2] = 0x98;
        o[3] = (uint8_t)' ';
        return 4;
    case 5: /* surrogate */
        o[0] = 0xED;
        o[1] = (uint8_t)(0xA0 + rng() % 32);
        o[2] = 0x80;
        return 3;
    case 6: /* overlong three-byte form */
        o[0] = 0xE0;
        o[1] = (uint8_t)(0x80 + rng() % 32);
        o[2] = 0x80;
        return 3;
    default: /* beyond U+10FFFF */
        o[0] = 0xF4;
        o[1] = 0x90;
        o[2] = 0x80;
        o[3] = 0x80;
        return 4;
    }
}

static void make_text(struct text *t, enum text_kind k)
{
    size_t chunk_start = 0;

    t->bytes = xalloc(64, TEXT_BYTES + 8);
    t->len = 0;
    t->nchunks = 0;
    t->cut[0] = 0;
    while (t->len + 4 <= TEXT_BYTES && t->nchunks < MAX_CHUNKS) {
        uint8_t u[4];
        size_t n = k == T_ASCII ? ascii_unit(u)
                   : k == T_MIXED ? mixed_unit(u)
                                  : invalid_unit(u);

        if (t->len + n - chunk_start > TEXT_CHUNK) {
            t->cut[++t->nchunks] = t->len;
            chunk_start = t->len;
        }
        memcpy(t->bytes + t->len, u, n);
        t->len += n;
    }
    if (t->len > chunk_start) {
        t->cut[++t->nchunks] = t->len;
    }
}

/* One pass of the text through cirmem; returns input bytes consumed. */
static uint64_t utf8_cirmem_pass(cirmem *r, const struct text *t,
                                 uint8_t *out, unsigned flags)
{
    uint64_t in = 0;

    for (size_t i = 0; i < t->nchunks; i++) {
        size_t n = t->cut[i + 1] - t->cut[i];
        size_t consumed = 0;

        if (cirmem_write(r, t->bytes + t->cut[i], n, CIRMEM_BOUNDED) != n) {
            die("utf8: ring full");
        }
        (void)cirmem_read_utf8(r, out, OUT_CAP, SIZE_MAX, flags, &consumed);
        escape(out);
        in += consumed;
    }
    return in;
}

/* The glib baseline for one chunk; returns bytes written to out. */
static size_t glib_chunk(const uint8_t *chunk, size_t n, uint8_t *stage,
                         uint8_t *out)
{
    const gchar *p = (const gchar *)stage;
    size_t left = n;
    size_t o = 0;

    memcpy(stage, chunk, n);
    while (left > 0) {
        const gchar *end;
        gboolean ok = g_utf8_validate(p, (gssize)left, &end);
        size_t good = (size_t)(end - p);

        memcpy(out + o, p, good);
        o += good;
        if (ok) {
            break;
        }
        out[o++] = 0xEF; /* U+FFFD for the rejected byte */
        out[o++] = 0xBF;
        out[o++] = 0xBD;
        p = end + 1;
        left -= good + 1;
    }
    return o;
}

static uint64_t utf8_glib_pass(const struct text *t, uint8_t *stage,
                               uint8_t *out)
{
    uint64_t in = 0;

    for (size_t i = 0; i < t->nchunks; i++) {
        size_t n = t->cut[i + 1] - t->cut[i];

        (void)glib_chunk(t->bytes + t->cut[i], n, stage, out);
        escape(out);
        in += n;
    }
    return in;
}

/* Untimed: on valid text both paths must reproduce the text exactly. */
static void verify_utf8(const struct text *t, enum text_kind k,
                        uint8_t *storage, uint8_t *stage, uint8_t *out)
{
    cirmem r;
    uint64_t total = 0;

    if (cirmem_init(&r, storage, UTF8_RING) != CIRMEM_OK) {
        die("utf8: cirmem_init failed");
    }
    for (size_t i = 0; i < t->nchunks; i++) {
        const uint8_t *chunk = t->bytes + t->cut[i];
        size_t n = t->cut[i + 1] - t->cut[i];
        size_t consumed = 0;
        size_t produced;

        if (cirmem_write(&r, chunk, n, CIRMEM_BOUNDED) != n) {
            die("utf8 verify: ring full");
        }
        produced = cirmem_read_utf8(&r, out, OUT_CAP, SIZE_MAX,
                                    i + 1 == t->nchunks ? CIRMEM_UTF8_FLUSH
                                                        : 0u,
                                    &consumed);
        total += consumed;
        if (k != T_INVALID &&
            (consumed != n || produced != n || memcmp(out, chunk, n) != 0 ||
             glib_chunk(chunk, n, stage, out) != n ||
             memcmp(out, chunk, n) != 0)) {
            fprintf(stderr, "cirmem_bench: utf8 verify failed (%s chunk "
                    "%zu)\n", text_name[k], i);
            exit(2);
        }
    }
    if (total != t->len || cirmem_used(&r) != 0) {
        fprintf(stderr, "cirmem_bench: utf8 verify: %s consumed %" PRIu64
                " of %zu bytes\n", text_name[k], total, t->len);
        exit(2);
    }
}

struct utf8_ctx {
    const struct text *t;
    cirmem ring;
    uint8_t *stage, *out;
};

static double utf8_timed(struct utf8_ctx *u, int glib, uint64_t passes,
                         double *oncpu, double *secs)
{
    double t0, t1, c0, c1;
    uint64_t in = 0;

    c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    t0 = clock_s(CLOCK_MONOTONIC);
    for (uint64_t i = 0; i < passes; i++) {
        in += glib ? utf8_glib_pass(u->t, u->stage, u->out)
                   : utf8_cirmem_pass(&u->ring, u->t, u->out, 0);
    }
    t1 = clock_s(CLOCK_MONOTONIC);
    c1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    *secs = t1 - t0;
    *oncpu = (c1 - c0) / (t1 - t0);
    return (double)in / (t1 - t0) / 1e6;
}

static struct stats utf8_res[NTEXT][2]; /* [text][0 cirmem, 1 glib] */

static void bench_utf8(uint8_t *storage)
{
    static struct text texts[NTEXT];
    uint8_t *stage = xalloc(64, TEXT_CHUNK);
    uint8_t *out = xalloc(64, OUT_CAP);

    for (int k = 0; k < NTEXT; k++) {
        struct utf8_ctx u;
        uint64_t passes[2];
        double rate[2][MAX_REPS], oncpu[2][MAX_REPS];
        double oc, secs;

        make_text(&texts[k], (enum text_kind)k);
        verify_utf8(&texts[k], (enum text_kind)k, storage, stage, out);
        if (opt_verify_only) {
            continue;
        }
        u.t = &texts[k];
        u.stage = stage;
        u.out = out;
        if (cirmem_init(&u.ring, storage, UTF8_RING) != CIRMEM_OK) {
            die("utf8: cirmem_init failed");
        }
        for (int g = 0; g < 2; g++) {
            passes[g] = 1;
            for (;;) {
                (void)utf8_timed(&u, g, passes[g], &oc, &secs);
                if (secs >= opt_rep_s / 4) {
                    break;
                }
                passes[g] *= 2;
            }
            passes[g] = (uint64_t)((double)passes[g] * opt_rep_s / secs);
            passes[g] = passes[g] > 0 ? passes[g] : 1;
        }
        for (int r = 0; r < opt_reps; r++) {
            for (int g = 0; g < 2; g++) {
                for (int a = 0;; a++) {
                    rate[g][r] = utf8_timed(&u, g, passes[g], &oncpu[g][r],
                                            &secs);
                    if (oncpu[g][r] >= ONCPU_MIN || a == RETRIES) {
                        break;
                    }
                    retries++;
                }
            }
        }
        for (int g = 0; g < 2; g++) {
            utf8_res[k][g] = summarize(rate[g], oncpu[g], opt_reps,
                                       passes[g]);
        }
    }
    for (int k = 0; k < NTEXT; k++) {
        free(texts[k].bytes);
        texts[k].bytes = NULL;
    }
    free(stage);
    free(out);
}

/* ------------------------------------------------------------- reporting */

static double spread(const struct stats *s)
{
    return (s->max - s->min) / s->med * 100.0;
}

static void print_ring_table(FILE *f)
{
    fprintf(f, "Ring throughput, MB/s of payload (1 MB = 1e6 bytes), "
               "median of %d [spread = (max-min)/median]\n", opt_reps);
    fprintf(f, "%-5s %6s | %-14s %-14s %-14s | %-14s %-14s | %-17s | "
               "%-20s | %s\n", "ring", "chunk", "overwrite", "bounded", "span",
            "limit", "byteloop", "cirmem/limit", "cirmem/byteloop",
            "limit/byteloop");
    fprintf(f, "%-5s %6s | %-14s %-14s %-14s | %-14s %-14s | %-17s | "
               "%-20s |\n", "", "", "", "", "", "", "", "   ow    bd    sp",
            "    ow     bd     sp");
    for (int ci = 0; ci < NCAPS; ci++) {
        for (int ki = 0; ki < NCHUNKS; ki++) {
            const struct stats *s = ring_res[ci][ki];

            fprintf(f, "%-5s %6zu |", cap_name[ci], chunks[ki]);
            if (!ring_done[ci][ki]) {
                fprintf(f, " n/a: chunk larger than the ring\n");
                continue;
            }
            for (int v = 0; v < NPAIR; v++) {
                fprintf(f, " %8.0f ±%3.0f%%", s[v].med, spread(&s[v]));
                if (v == V_SPAN || v == V_BYTELOOP) {
                    fprintf(f, " |");
                }
            }
            for (int v = V_OVERWRITE; v <= V_SPAN; v++) {
                fprintf(f, " %5.2f", s[v].med / s[V_LIMIT].med);
            }
            fprintf(f, " |");
            for (int v = V_OVERWRITE; v <= V_SPAN; v++) {
                fprintf(f, " %6.1f", s[v].med / s[V_BYTELOOP].med);
            }
            fprintf(f, " | %6.1f\n", s[V_LIMIT].med / s[V_BYTELOOP].med);
        }
    }
}

static void print_full_table(FILE *f)
{
    fprintf(f, "\nFull ring (a console nobody reads): OVERWRITE writes into a "
               "full %u KiB ring, MB/s of input, median of %d\n",
            FULL_CAP / 1024, opt_reps);
    fprintf(f, "%6s | %-14s | %-14s %-14s | %-12s | %-15s | %s\n", "chunk",
            "cirmem", "limit", "byteloop", "cirmem/limit", "cirmem/byteloop",
            "limit/byteloop");
    for (int ki = 0; ki < NFCHUNKS; ki++) {
        const struct stats *s = full_res[ki];

        fprintf(f, "%6zu | %8.0f ±%3.0f%% | %8.0f ±%3.0f%% %8.0f ±%3.0f%% | "
                   "%12.2f | %15.2f | %6.1f\n", full_chunks[ki],
                s[V_FULL].med, spread(&s[V_FULL]), s[V_FULL_LIMIT].med,
                spread(&s[V_FULL_LIMIT]), s[V_FULL_BYTELOOP].med,
                spread(&s[V_FULL_BYTELOOP]),
                s[V_FULL].med / s[V_FULL_LIMIT].med,
                s[V_FULL].med / s[V_FULL_BYTELOOP].med,
                s[V_FULL_LIMIT].med / s[V_FULL_BYTELOOP].med);
    }
}

static void print_utf8_table(FILE *f)
{
    fprintf(f, "\nUTF-8 reader, MB/s of input, %u KiB text in ~%u B chunks "
               "through a %u KiB ring, median of %d\n",
            TEXT_BYTES / 1024, TEXT_CHUNK, UTF8_RING / 1024, opt_reps);
    fprintf(f, "%-8s | %-14s | %-14s | %s\n", "text", "cirmem_read_utf8",
            "glib validate+copy", "cirmem/glib");
    for (int k = 0; k < NTEXT; k++) {
        const struct stats *s = utf8_res[k];

        fprintf(f, "%-8s | %8.0f ±%3.0f%%   | %8.0f ±%3.0f%%     | %5.2f\n",
                text_name[k], s[0].med, spread(&s[0]), s[1].med,
                spread(&s[1]), s[0].med / s[1].med);
    }
}

/*
 * The worst cirmem/byteloop ratio at chunks >= 64 B over variants v0..v1
 * and rings c0..c1; stores where it is and the limit's own ratio there.
 */
static double worst_vs_byteloop(int v0, int v1, int c0, int c1, char *at,
                                size_t atlen, double *limit_there)
{
    double worst = 1e9;

    for (int ci = c0; ci <= c1; ci++) {
        for (int ki = 0; ki < NCHUNKS; ki++) {
            const struct stats *s = ring_res[ci][ki];

            if (!ring_done[ci][ki] || chunks[ki] < 64) {
                continue;
            }
            for (int v = v0; v <= v1; v++) {
                double rb = s[v].med / s[V_BYTELOOP].med;

                if (rb < worst) {
                    worst = rb;
                    *limit_there = s[V_LIMIT].med / s[V_BYTELOOP].med;
                    snprintf(at, atlen, "%s %s %zu B", var_name[v],
                             cap_name[ci], chunks[ki]);
                }
            }
        }
    }
    return worst;
}

/* The 64 B target split by API and ring, with the limit's own ratio. */
static void print_b64_split(FILE *f)
{
    char at[64];
    double lim = 0, w;

    w = worst_vs_byteloop(V_OVERWRITE, V_BOUNDED, 0, 1, at, sizeof at, &lim);
    fprintf(f, "     write/read, 4K/256K rings: worst %.1fx (%s) -> %s; "
               "limit there %.1fx\n", w, at, w >= 20 ? "met" : "NOT met", lim);
    w = worst_vs_byteloop(V_OVERWRITE, V_BOUNDED, 2, 2, at, sizeof at, &lim);
    fprintf(f, "     write/read, 64M ring:      worst %.1fx (%s); "
               "limit there %.1fx\n", w, at, lim);
    w = worst_vs_byteloop(V_SPAN, V_SPAN, 0, NCAPS - 1, at, sizeof at, &lim);
    fprintf(f, "     span (4 calls + 2 memcpy): worst %.1fx (%s); "
               "limit there %.1fx\n", w, at, lim);
}

/* The worst cirmem/byteloop ratio at 1 B over variants v0..v1, all rings. */
static double worst_1b(int v0, int v1, char *at, size_t atlen)
{
    double worst = 1e9;

    for (int ci = 0; ci < NCAPS; ci++) {
        const struct stats *s = ring_res[ci][0];

        for (int v = v0; v <= v1; v++) {
            double rb = s[v].med / s[V_BYTELOOP].med;

            if (rb < worst) {
                worst = rb;
                snprintf(at, atlen, "%s %s", var_name[v], cap_name[ci]);
            }
        }
    }
    return worst;
}

/* The 1 B target split by API, and the full ring of part 2. */
static void print_b1_split(FILE *f)
{
    char at[64];
    double w;

    w = worst_1b(V_OVERWRITE, V_BOUNDED, at, sizeof at);
    fprintf(f, "     write/read, all rings:     worst %.2fx (%s) -> %s\n", w,
            at, w >= 1 ? "met" : "NOT met");
    w = worst_1b(V_SPAN, V_SPAN, at, sizeof at);
    fprintf(f, "     span (4 calls + 2 memcpy): worst %.2fx (%s)\n", w, at);
    w = full_res[0][V_FULL].med / full_res[0][V_FULL_BYTELOOP].med;
    fprintf(f, "     full ring, write only:     %.2fx (%.1f against %.1f ns "
               "per write) -> %s\n", w, 1e3 / full_res[0][V_FULL].med,
            1e3 / full_res[0][V_FULL_BYTELOOP].med, w >= 1 ? "met" : "NOT met");
}

/* The targets of the brief, judged on medians; informative only. */
static void print_targets(FILE *f)
{
    double worst_lim = 1e9, worst_b1 = 1e9, worst_b64, lim64 = 0;
    char wl[64] = "", wb[64] = "", w1[64] = "";

    for (int ci = 0; ci < NCAPS; ci++) {
        for (int ki = 0; ki < NCHUNKS; ki++) {
            const struct stats *s = ring_res[ci][ki];

            if (!ring_done[ci][ki]) {
                continue;
            }
            for (int v = V_OVERWRITE; v <= V_SPAN; v++) {
                double rl = s[v].med / s[V_LIMIT].med;
                double rb = s[v].med / s[V_BYTELOOP].med;

                if (ci < 2 && chunks[ki] >= 512 && rl < worst_lim) {
                    worst_lim = rl;
                    snprintf(wl, sizeof wl, "%s %s %zu B", var_name[v],
                             cap_name[ci], chunks[ki]);
                }
                if (chunks[ki] == 1 && rb < worst_b1) {
                    worst_b1 = rb;
                    snprintf(w1, sizeof w1, "%s %s", var_name[v],
                             cap_name[ci]);
                }
            }
        }
    }
    worst_b64 = worst_vs_byteloop(V_OVERWRITE, V_SPAN, 0, NCAPS - 1, wb,
                                  sizeof wb, &lim64);
    fprintf(f, "\nTargets (medians; worst case over overwrite/bounded/span):\n");
    fprintf(f, "  >= 0.6x limit, chunk >= 512 B, 4K/256K rings: worst %.2fx "
               "(%s) -> %s\n", worst_lim, wl, worst_lim >= 0.6 ? "met" : "NOT met");
    fprintf(f, "  >= 20x byteloop, chunk >= 64 B:               worst %.1fx "
               "(%s) -> %s\n", worst_b64, wb, worst_b64 >= 20 ? "met" : "NOT met");
    print_b64_split(f);
    fprintf(f, "  >= 1x byteloop at 1 B:                        worst %.2fx "
               "(%s) -> %s\n", worst_b1, w1, worst_b1 >= 1 ? "met" : "NOT met");
    print_b1_split(f);
    fprintf(f, "  per pair at 1 B, 4K ring (ns): overwrite %.1f, bounded %.1f, "
               "span %.1f, limit %.1f, byteloop %.1f\n",
            1e3 / ring_res[0][0][V_OVERWRITE].med,
            1e3 / ring_res[0][0][V_BOUNDED].med,
            1e3 / ring_res[0][0][V_SPAN].med, 1e3 / ring_res[0][0][V_LIMIT].med,
            1e3 / ring_res[0][0][V_BYTELOOP].med);
}

static FILE *open_out(const char *name)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", opt_out, name);
    f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "cirmem_bench: cannot write %s: %s\n", path,
                strerror(errno));
        exit(2);
    }
    return f;
}

static void write_csv(void)
{
    FILE *f = open_out("ring.csv");

    fprintf(f, "cap,chunk,variant,median_MBps,min_MBps,max_MBps,q1_MBps,"
               "q3_MBps,ns_per_pair,pairs_per_rep,oncpu_pct\n");
    for (int ci = 0; ci < NCAPS; ci++) {
        for (int ki = 0; ki < NCHUNKS; ki++) {
            for (int v = 0; v < NPAIR && ring_done[ci][ki]; v++) {
                const struct stats *s = &ring_res[ci][ki][v];

                fprintf(f, "%zu,%zu,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.2f,%" PRIu64
                        ",%.1f\n", caps[ci], chunks[ki], var_name[v], s->med,
                        s->min, s->max, s->q1, s->q3,
                        (double)chunks[ki] * 1e3 / s->med, s->iters,
                        s->oncpu * 100.0);
            }
        }
    }
    fclose(f);
    f = open_out("full.csv");
    fprintf(f, "cap,chunk,variant,median_MBps,min_MBps,max_MBps,q1_MBps,"
               "q3_MBps,ns_per_write,writes_per_rep,oncpu_pct\n");
    for (int ki = 0; ki < NFCHUNKS; ki++) {
        for (int v = V_FULL; v < NVAR; v++) {
            const struct stats *s = &full_res[ki][v];

            fprintf(f, "%u,%zu,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.2f,%" PRIu64
                    ",%.1f\n", FULL_CAP, full_chunks[ki], var_name[v],
                    s->med, s->min, s->max, s->q1, s->q3,
                    (double)full_chunks[ki] * 1e3 / s->med, s->iters,
                    s->oncpu * 100.0);
        }
    }
    fclose(f);
    f = open_out("utf8.csv");
    fprintf(f, "text,variant,median_MBps,min_MBps,max_MBps,q1_MBps,q3_MBps,"
               "passes_per_rep,oncpu_pct\n");
    for (int k = 0; k < NTEXT; k++) {
        for (int g = 0; g < 2; g++) {
            const struct stats *s = &utf8_res[k][g];

            fprintf(f, "%s,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%" PRIu64 ",%.1f\n",
                    text_name[k], g ? "glib" : "cirmem", s->med, s->min,
                    s->max, s->q1, s->q3, s->iters, s->oncpu * 100.0);
        }
    }
    fclose(f);
}

static void oncpu_range(double *lo, double *med)
{
    double v[NCAPS * NCHUNKS * NPAIR + NFCHUNKS * NVAR + NTEXT * 2];
    int n = 0;

    for (int ci = 0; ci < NCAPS; ci++) {
        for (int ki = 0; ki < NCHUNKS; ki++) {
            for (int k = 0; k < NPAIR && ring_done[ci][ki]; k++) {
                v[n++] = ring_res[ci][ki][k].oncpu;
            }
        }
    }
    for (int ki = 0; ki < NFCHUNKS; ki++) {
        for (int k = V_FULL; k < NVAR; k++) {
            v[n++] = full_res[ki][k].oncpu;
        }
    }
    for (int k = 0; k < NTEXT; k++) {
        v[n++] = utf8_res[k][0].oncpu;
        v[n++] = utf8_res[k][1].oncpu;
    }
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    *lo = v[0] * 100.0;
    *med = pct(v, n, 0.5) * 100.0;
}

static void usage(void)
{
    fprintf(stderr, "usage: cirmem_bench [--out DIR] [--reps N (1..%d)] "
                    "[--rep-ms MS] [--cpu N] [--quick] [--verify-only] "
                    "[--utf8-only]\n",
            MAX_REPS);
    exit(2);
}

static long num_arg(int argc, char **argv, int *i, long lo, long hi)
{
    char *end;
    long v;

    if (*i + 1 >= argc) {
        usage();
    }
    errno = 0;
    v = strtol(argv[++*i], &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) {
        usage();
    }
    return v;
}

int main(int argc, char **argv)
{
    char load0[128], load1[128], model[256], date[64];
    time_t now = time(NULL);
    double t_start = clock_s(CLOCK_MONOTONIC);
    double lo, med;
    uint8_t *storage;
    uint8_t *src;
    uint8_t *dst;
    struct ctx c;
    FILE *md;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            opt_out = argv[++i];
        } else if (strcmp(argv[i], "--reps") == 0) {
            opt_reps = (int)num_arg(argc, argv, &i, 1, MAX_REPS);
        } else if (strcmp(argv[i], "--rep-ms") == 0) {
            opt_rep_s = (double)num_arg(argc, argv, &i, 1, 10000) / 1e3;
        } else if (strcmp(argv[i], "--cpu") == 0) {
            opt_cpu = (int)num_arg(argc, argv, &i, 0, CPU_SETSIZE - 1);
        } else if (strcmp(argv[i], "--quick") == 0) {
            opt_reps = 3;
            opt_rep_s = 0.010;
        } else if (strcmp(argv[i], "--verify-only") == 0) {
            opt_verify_only = 1;
        } else if (strcmp(argv[i], "--utf8-only") == 0) {
            opt_utf8_only = 1; /* part 3 alone, table on stdout */
        } else {
            usage();
        }
    }
    if (mkdir(opt_out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cirmem_bench: cannot create %s: %s\n", opt_out,
                strerror(errno));
        return 2;
    }
    read_loadavg(load0, sizeof load0);
    cpu_model(model, sizeof model);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", localtime(&now));
    pin_cpu();

    storage = xalloc(4096, caps[NCAPS - 1]);
    src = xalloc(64, 65536);
    dst = xalloc(64, 65536);
    for (size_t i = 0; i < 65536; i++) {
        src[i] = (uint8_t)rng();
    }

    verify_all();
    if (opt_verify_only) {
        bench_utf8(storage);
        printf("cirmem_bench: all variants verified (no timing)\n");
        free(storage);
        free(src);
        free(dst);
        return 0;
    }

    printf("cirmem_bench: %s, %ld CPUs online, pinned to CPU %d; %d reps of "
           "~%.0f ms; load at start: %s\n", model, sysconf(_SC_NPROCESSORS_ONLN),
           pinned_cpu, opt_reps, opt_rep_s * 1e3, load0);
    fflush(stdout);

    if (opt_utf8_only) {
        bench_utf8(storage);
        print_utf8_table(stdout);
        free(storage);
        free(src);
        free(dst);
        return 0;
    }
    memset(&c, 0, sizeof c);
    c.storage = storage;
    c.src = src;
    c.dst = dst;
    for (int ci = 0; ci < NCAPS; ci++) {
        for (int ki = 0; ki < NCHUNKS; ki++) {
            if (chunks[ki] > caps[ci]) {
                continue;
            }
            bench_pairs(&c, ci, ki);
        }
    }
    for (int ki = 0; ki < NFCHUNKS; ki++) {
        bench_full(&c, ki);
    }
    bench_utf8(storage);
    read_loadavg(load1, sizeof load1);
    oncpu_range(&lo, &med);

    print_ring_table(stdout);
    print_full_table(stdout);
    print_utf8_table(stdout);
    print_targets(stdout);
    printf("\nload at start: %s; at end: %s; on-CPU time per repetition: "
           "median %.0f%%, lowest %.0f%%; %lu preempted repetitions re-run; "
           "total %.0f s\n", load0, load1, med, lo, retries,
           clock_s(CLOCK_MONOTONIC) - t_start);
    write_csv();

    /* A Markdown section for bench/RESULTS.md. */
    md = open_out("RESULTS-section.md");
    fprintf(md, "## %s\n\n", date);
    fprintf(md, "- machine: %s, %ld CPUs online (`nproc`), pinned to CPU %d\n",
            model, sysconf(_SC_NPROCESSORS_ONLN), pinned_cpu);
    fprintf(md, "- load (/proc/loadavg) at start: `%s`, at end: `%s`\n",
            load0, load1);
    fprintf(md, "- on-CPU time per repetition: median %.0f%%, lowest %.0f%%; "
                "%lu preempted repetitions re-run\n", med, lo, retries);
    fprintf(md, "- %d repetitions of ~%.0f ms per figure; total %.0f s\n\n",
            opt_reps, opt_rep_s * 1e3, clock_s(CLOCK_MONOTONIC) - t_start);
    fprintf(md, "```\n");
    print_ring_table(md);
    print_full_table(md);
    print_utf8_table(md);
    print_targets(md);
    fprintf(md, "```\n");
    fclose(md);
    printf("wrote %s/ring.csv, %s/full.csv, %s/utf8.csv, "
           "%s/RESULTS-section.md\n", opt_out, opt_out, opt_out, opt_out);
    free(storage);
    free(src);
    free(dst);
    return 0;
}
