/* SPDX-License-Identifier: MIT */
/*
 * Side-by-side timing of two builds of the core (bench/pairs.sh).
 *
 * At 1 to 64 bytes a write+read pair costs a few nanoseconds, and a
 * change of a cycle or two is smaller than the run-to-run movement of
 * cirmem_bench's medians.  To compare two versions of core/cirmem.c,
 * this harness links both into one binary (their public symbols renamed
 * to A_* and B_* by pairs.sh) next to the byte loop, runs repetitions of
 * each in turn (200000 / CHUNK pairs, at least 200) and reports the
 * minimum ns per pair: on an otherwise idle CPU the minimum is the
 * undisturbed cost and repeats to the cycle.  The loop is the same as
 * cirmem_bench's (a ring with a backlog of min(cap/2, cap - chunk)
 * bytes, OVERWRITE writes, a compiler barrier per pair).
 *
 * With MODE "full" the loop instead writes CHUNK bytes per call into a
 * ring that is already full (OVERWRITE, nothing read): the steady state
 * of a console nobody reads; the figure is then ns per write.
 *
 * The fourth figure, "floor", runs the same loop over empty_write and
 * empty_read (byteloop.c), which do nothing: the cost of the calls and
 * the loop alone, which no ring behind this API can go below.
 *
 * usage (built by pairs.sh): pairs-ALIGN-ORDER CHUNK CAP REPS [pairs|full]
 *        prints "A B byteloop floor", minimum ns per pair (or per write)
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "byteloop.h"
#include "cirmem.h"

/* The layout of struct cirmem may differ between the two builds; this
 * file never touches its fields, and the slot leaves room for growth. */
typedef union {
    cirmem r;
    _Alignas(64) unsigned char slot[256];
} ring_slot;

#define DECLARE(P)                                                          \
    int P##cirmem_init(cirmem *r, uint8_t *storage, size_t capacity);       \
    size_t P##cirmem_write(cirmem *r, const uint8_t *d, size_t n,           \
                           cirmem_mode mode);                               \
    size_t P##cirmem_read(cirmem *r, uint8_t *out, size_t n);               \
    uint8_t *P##cirmem_write_span(cirmem *r, size_t *len);                  \
    size_t P##cirmem_commit(cirmem *r, size_t n);
DECLARE(A_)
DECLARE(B_)

/* Pairs per repetition: about 1 ms of the byte loop at any chunk. */
enum { MAX_CAP = 1 << 16, PAIR_BYTES = 200000, MIN_ITERS = 200 };

static long iters;
static int full; /* MODE "full": write-only into a full ring */

static uint8_t storage[MAX_CAP], src[MAX_CAP], dst[MAX_CAP];
static ring_slot ring;
static struct byteloop bl;

static inline void escape(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static size_t backlog(size_t cap, size_t chunk)
{
    return cap / 2 < cap - chunk ? cap / 2 : cap - chunk;
}

#define RUN(P)                                                              \
    static double run_##P(size_t cap, size_t chunk)                         \
    {                                                                       \
        uint64_t in = 0, out = 0;                                           \
        size_t len;                                                         \
        size_t fill = full ? cap : backlog(cap, chunk);                     \
        double t0;                                                          \
                                                                            \
        if (P##cirmem_init(&ring.r, storage, cap) != 0 ||                   \
            P##cirmem_write_span(&ring.r, &len) == NULL ||                  \
            P##cirmem_commit(&ring.r, fill) != fill) {                      \
            abort();                                                        \
        }                                                                   \
        if (full) {                                                         \
            t0 = now();                                                     \
            for (long i = 0; i < iters; i++) {                              \
                in += P##cirmem_write(&ring.r, src, chunk,                  \
                                      CIRMEM_OVERWRITE);                    \
                escape(&ring);                                              \
            }                                                               \
            if (in != (uint64_t)iters * chunk) {                            \
                abort();                                                    \
            }                                                               \
            return (now() - t0) / (double)iters * 1e9;                      \
        }                                                                   \
        t0 = now();                                                         \
        for (long i = 0; i < iters; i++) {                                  \
            in += P##cirmem_write(&ring.r, src, chunk, CIRMEM_OVERWRITE);   \
            out += P##cirmem_read(&ring.r, dst, chunk);                     \
            escape(dst);                                                    \
        }                                                                   \
        if (in != out || out != (uint64_t)iters * chunk) {                  \
            abort();                                                        \
        }                                                                   \
        return (now() - t0) / (double)iters * 1e9;                          \
    }
RUN(A_)
RUN(B_)

static double run_byteloop(size_t cap, size_t chunk)
{
    uint64_t in = 0, out = 0;
    double t0;

    if (byteloop_init(&bl, storage, cap) != 0) {
        abort();
    }
    if (full) {
        byteloop_skip_write(&bl, cap);
        t0 = now();
        for (long i = 0; i < iters; i++) {
            in += byteloop_write(&bl, src, chunk);
            escape(&bl);
        }
        if (in != (uint64_t)iters * chunk) {
            abort();
        }
        return (now() - t0) / (double)iters * 1e9;
    }
    byteloop_skip_write(&bl, backlog(cap, chunk));
    t0 = now();
    for (long i = 0; i < iters; i++) {
        in += byteloop_write(&bl, src, chunk);
        out += byteloop_read(&bl, dst, chunk);
        escape(dst);
    }
    if (in != out || out != (uint64_t)iters * chunk) {
        abort();
    }
    return (now() - t0) / (double)iters * 1e9;
}

static double run_floor(size_t chunk)
{
    uint64_t in = 0, out = 0;
    double t0 = now();

    for (long i = 0; i < iters; i++) {
        in += empty_write(&bl, src, chunk);
        if (full) {
            escape(&bl);
            continue;
        }
        out += empty_read(&bl, dst, chunk);
        escape(dst);
    }
    if (in != (uint64_t)iters * chunk || (!full && out != in)) {
        abort();
    }
    return (now() - t0) / (double)iters * 1e9;
}

static double min2(double a, double b)
{
    return a < b ? a : b;
}

int main(int argc, char **argv)
{
    size_t chunk, cap;
    long reps;
    double a = 1e9, b = 1e9, l = 1e9, f = 1e9;
    cpu_set_t set;

    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s CHUNK CAP REPS [pairs|full]\n", argv[0]);
        return 2;
    }
    if (argc == 5) {
        if (strcmp(argv[4], "full") == 0) {
            full = 1;
        } else if (strcmp(argv[4], "pairs") != 0) {
            fprintf(stderr, "MODE is pairs or full\n");
            return 2;
        }
    }
    chunk = strtoul(argv[1], NULL, 0);
    cap = strtoul(argv[2], NULL, 0);
    reps = strtol(argv[3], NULL, 0);
    if (cap == 0 || cap > MAX_CAP || (cap & (cap - 1)) != 0 || chunk == 0 ||
        chunk > cap || reps <= 0) {
        fprintf(stderr, "need 0 < CHUNK <= CAP <= %d, CAP a power of two, "
                "REPS > 0\n", MAX_CAP);
        return 2;
    }
    iters = (long)(PAIR_BYTES / chunk);
    if (iters < MIN_ITERS) {
        iters = MIN_ITERS;
    }
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    (void)sched_setaffinity(0, sizeof set, &set); /* best effort */
    for (long k = 0; k < reps; k++) {
        a = min2(a, run_A_(cap, chunk));
        b = min2(b, run_B_(cap, chunk));
        l = min2(l, run_byteloop(cap, chunk));
        f = min2(f, run_floor(chunk));
    }
    printf("%.3f %.3f %.3f %.3f\n", a, b, l, f);
    return 0;
}
