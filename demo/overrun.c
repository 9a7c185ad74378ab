/* SPDX-License-Identifier: MIT */
/*
 * make demo: a console producer overruns a small ring; the reader sees
 * how much was lost and gets clean UTF-8 back even though the loss cut a
 * character in half.
 */
#include <stdio.h>
#include <string.h>

#include "cirmem.h"

static void show(cirmem *r, const char *what)
{
    uint8_t out[256];
    size_t consumed;
    bool lost = cirmem_data_lost(r);
    /* No CIRMEM_UTF8_FLUSH: a character cut by the end of the data
     * waits in the ring for its last bytes. */
    size_t n = cirmem_read_utf8(r, out, sizeof(out) - 1, 64, 0, &consumed);

    out[n] = 0;
    printf("%-34s lost=%d dropped=%-4llu read %2zu bytes -> \"%s\"\n", what,
           lost, (unsigned long long)cirmem_bytes_dropped(r),
           consumed, (char *)out);
}

int main(void)
{
    static const char line[] = "boot: héllo wörld — ready\n";
    uint8_t storage[15]; /* any size; 15 makes the loss cut the "ö" */
    cirmem r;
    size_t i;

    if (cirmem_init(&r, storage, sizeof(storage)) != CIRMEM_OK) {
        return 1;
    }
    printf("ring of %zu bytes; the guest prints %zu bytes, 3 times\n",
           cirmem_capacity(&r), strlen(line));
    for (i = 0; i < 3; i++) {
        cirmem_write(&r, (const uint8_t *)line, strlen(line),
                     CIRMEM_OVERWRITE);
    }
    show(&r, "overwrite (keep newest):");

    cirmem_write(&r, (const uint8_t *)"\xe2\x82\xac \xff ok", 8,
                 CIRMEM_OVERWRITE);
    show(&r, "euro, an invalid byte, ok:");

    for (i = 0; i < strlen(line);) {
        size_t took = cirmem_write(&r, (const uint8_t *)line + i,
                                   strlen(line) - i, CIRMEM_BOUNDED);

        printf("bounded write took %2zu of the %2zu left (backpressure)\n",
               took, strlen(line) - i);
        i += took;
        show(&r, "  reader drains:");
    }
    printf("accounting: written %llu = read %llu + dropped %llu + used %zu"
           " -> invariant %s\n",
           (unsigned long long)cirmem_bytes_written(&r),
           (unsigned long long)cirmem_bytes_read(&r),
           (unsigned long long)cirmem_bytes_dropped(&r), cirmem_used(&r),
           cirmem_invariant(&r) ? "holds" : "BROKEN");
    return cirmem_invariant(&r) ? 0 : 1;
}
