/* SPDX-License-Identifier: MIT */
/*
 * Byte-at-a-time power-of-two ring (see byteloop.h).  Kept in its own
 * translation unit, built with the library's flags, so that it is called
 * exactly like libcirmem: through an ordinary external call.
 */
#include "byteloop.h"

int byteloop_init(struct byteloop *b, uint8_t *buf, size_t size)
{
    if (b == NULL || buf == NULL || size == 0 || size > (1u << 31) ||
        (size & (size - 1)) != 0) {
        return -1;
    }
    b->buf = buf;
    b->size = (uint32_t)size;
    b->prod = 0;
    b->cons = 0;
    return 0;
}

size_t byteloop_write(struct byteloop *b, const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        b->buf[b->prod++ & (b->size - 1)] = data[i];
        if (b->prod - b->cons > b->size) {
            b->cons = b->prod - b->size; /* overwrite the oldest byte */
        }
    }
    return n;
}

size_t byteloop_read(struct byteloop *b, uint8_t *out, size_t n)
{
    size_t i;

    for (i = 0; i < n && b->cons != b->prod; i++) {
        out[i] = b->buf[b->cons++ & (b->size - 1)];
    }
    return i;
}

size_t empty_write(struct byteloop *b, const uint8_t *data, size_t n)
{
    (void)b;
    (void)data;
    return n;
}

size_t empty_read(struct byteloop *b, uint8_t *out, size_t n)
{
    (void)b;
    (void)out;
    return n;
}

void byteloop_skip_write(struct byteloop *b, size_t n)
{
    b->prod += (uint32_t)n;
    if (b->prod - b->cons > b->size) {
        b->cons = b->prod - b->size;
    }
}
