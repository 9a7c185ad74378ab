/* SPDX-License-Identifier: MIT */
/*
 * A classic byte-at-a-time ring, the baseline of the cirmem benchmarks.
 *
 * It follows the design of QEMU 7.2's `ringbuf` chardev: a power-of-two
 * buffer, free-running 32-bit producer and consumer counters, and one
 * masked store or load per byte.  A write never refuses data: when the
 * producer gets more than `size` bytes ahead, the consumer is pushed
 * forward, so the oldest bytes are overwritten.  Written for this
 * benchmark from that description; not QEMU code.
 */
#ifndef CIRMEM_BENCH_BYTELOOP_H
#define CIRMEM_BENCH_BYTELOOP_H

#include <stddef.h>
#include <stdint.h>

struct byteloop {
    uint8_t *buf;
    uint32_t size; /* a power of two */
    uint32_t prod; /* bytes ever written, modulo 2^32 */
    uint32_t cons; /* bytes ever consumed, modulo 2^32 */
};

/* Returns 0, or -1 when size is not a power of two in 1 .. 2^31. */
int byteloop_init(struct byteloop *b, uint8_t *buf, size_t size);
/* Stores all n bytes, pushing out the oldest ones; returns n. */
size_t byteloop_write(struct byteloop *b, const uint8_t *data, size_t n);
/* Moves up to n of the oldest bytes to out; returns how many. */
size_t byteloop_read(struct byteloop *b, uint8_t *out, size_t n);
/* Pretend n bytes were written (no stores); for setting up a backlog. */
void byteloop_skip_write(struct byteloop *b, size_t n);

/* The call floor: a write and a read that take the same arguments, do
 * nothing and return n.  Timing them in the same loop shows what the
 * external calls alone cost (bench/pairs.c). */
size_t empty_write(struct byteloop *b, const uint8_t *data, size_t n);
size_t empty_read(struct byteloop *b, uint8_t *out, size_t n);

#endif /* CIRMEM_BENCH_BYTELOOP_H */
