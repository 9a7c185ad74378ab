/* SPDX-License-Identifier: MIT */
/*
 * Stand-alone driver for the fuzz harnesses, for compilers without
 * libFuzzer (plain gcc) and for replaying corpora under sanitizers.
 *
 *   replay FILE|DIR ...   run every regular file given, and every regular
 *                         file inside every directory given (not recursive,
 *                         hidden files skipped), in sorted order
 *   replay                read one input from standard input
 *
 * Exits 0 when every input ran; a divergence abort()s in the harness.
 * Exits 2 on an unreadable path, so a typo never passes silently.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long n_inputs;
static int verbose;

/* Whole stream into a malloc'd buffer. */
static uint8_t *slurp(FILE *f, size_t *size)
{
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);

    if (buf == NULL)
        return NULL;
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                free(buf);
                return NULL;
            }
            break;
        }
        {
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    *size = n;
    return buf;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t size = 0;

    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 2;
    }
    buf = slurp(f, &size);
    fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "replay: %s: read error\n", path);
        return 2;
    }
    if (verbose)
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    (void)LLVMFuzzerTestOneInput(buf, size);
    free(buf);
    n_inputs++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int run_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 2;
    }
    /* errno tells the end of the directory from an error (a 32-bit
     * build without large-file offsets gets EOVERFLOW here) */
    for (errno = 0; (e = readdir(d)) != NULL; errno = 0) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 64) *
                                           sizeof *names);
            if (nn == NULL) {
                rc = 2;
                break;
            }
            names = nn;
        }
        names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (names[n] == NULL) {
            rc = 2;
            break;
        }
        sprintf(names[n], "%s/%s", path, e->d_name);
        n++;
    }
    if (errno != 0 && rc == 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        rc = 2;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++) {
        struct stat st;

        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            rc = run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int i, rc = 0;

    if (getenv("REPLAY_VERBOSE") != NULL)
        verbose = 1;
    if (argc < 2) {
        uint8_t *buf;
        size_t size = 0;

        buf = slurp(stdin, &size);
        if (buf == NULL) {
            fprintf(stderr, "replay: stdin: read error\n");
            return 2;
        }
        (void)LLVMFuzzerTestOneInput(buf, size);
        free(buf);
        n_inputs++;
    }
    for (i = 1; i < argc && rc == 0; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 2;
        } else if (S_ISDIR(st.st_mode)) {
            rc = run_dir(argv[i]);
        } else {
            rc = run_file(argv[i]);
        }
    }
    printf("replay: %lu inputs ran%s\n", n_inputs,
           rc ? " (stopped on an error)" : "");
    return rc;
}
