/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the ringbuf chardev: a 16550 at 0x3f8 writes into the ring
 * (outb), QMP and HMP look at what arrived.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qstring.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qnum.h"
#include "qapi/error.h"

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static QTestState *start(const char *chardev_opts)
{
    return qtest_initf("-machine pc -nodefaults "
                       "-chardev ringbuf,id=ring0%s -serial chardev:ring0",
                       chardev_opts);
}

static uint64_t get_u64(QDict *d, const char *key)
{
    QNum *num = qobject_to(QNum, qdict_get(d, key));
    uint64_t val;

    g_assert(num);
    g_assert(qnum_get_try_uint(num, &val));
    return val;
}

static void serial_send(QTestState *qts, const void *data, size_t n)
{
    const uint8_t *p = data;
    size_t i;

    for (i = 0; i < n; i++) {
        qtest_outb(qts, COM1, p[i]);
    }
}

/* ringbuf-read; returns the string (caller frees) */
static char *rb_read(QTestState *qts, const char *dev, int64_t size,
                     const char *format)
{
    QDict *resp;
    char *s;

    resp = qtest_qmp(qts, "{'execute': 'ringbuf-read', 'arguments':"
                     " {'device': %s, 'size': %" PRId64 ", 'format': %s}}",
                     dev, size, format);
    g_assert(resp);
    if (qdict_haskey(resp, "error")) {
        g_test_message("ringbuf-read error: %s",
                       qdict_get_str(qdict_get_qdict(resp, "error"), "desc"));
        g_assert_not_reached();
    }
    s = g_strdup(qdict_get_str(resp, "return"));
    qobject_unref(resp);
    return s;
}

/* ringbuf-read in base64, decoded; *len gets the byte count */
static guchar *rb_read_bytes(QTestState *qts, const char *dev, int64_t size,
                             gsize *len)
{
    g_autofree char *b64 = rb_read(qts, dev, size, "base64");

    return g_base64_decode(b64, len);
}

/* The error description of a QMP command expected to fail */
static char *qmp_error(QDict *resp)
{
    char *desc;

    g_assert(resp);
    g_assert(qdict_haskey(resp, "error"));
    desc = g_strdup(qdict_get_str(qdict_get_qdict(resp, "error"), "desc"));
    qobject_unref(resp);
    return desc;
}

/* query-ringbuf for one device */
static QDict *rb_info(QTestState *qts, const char *dev)
{
    QDict *resp, *info;
    QList *list;

    resp = qtest_qmp(qts, "{'execute': 'query-ringbuf',"
                     " 'arguments': {'device': %s}}", dev);
    g_assert(resp);
    g_assert(!qdict_haskey(resp, "error"));
    list = qdict_get_qlist(resp, "return");
    g_assert_cmpint(qlist_size(list), ==, 1);
    info = qobject_to(QDict, qlist_peek(list));
    qobject_ref(info);
    qobject_unref(resp);
    g_assert_cmpstr(qdict_get_str(info, "device"), ==, dev);
    /* the accounting identity holds after every step */
    g_assert_cmpuint(get_u64(info, "written"), ==,
                     get_u64(info, "read") +
                     get_u64(info, "dropped") +
                     get_u64(info, "used"));
    g_assert_cmpuint(get_u64(info, "size"), ==,
                     get_u64(info, "used") +
                     get_u64(info, "free"));
    {
        QDict *in = qdict_get_qdict(info, "input");

        g_assert(in);
        g_assert_cmpuint(get_u64(in, "written"), ==,
                         get_u64(in, "delivered") +
                         get_u64(in, "dropped") +
                         get_u64(in, "pending"));
        g_assert_cmpuint(get_u64(in, "pending"), <=, get_u64(in, "size"));
    }
    return info;
}

static void check_info(QTestState *qts, const char *dev, uint64_t size,
                       uint64_t used, uint64_t written, uint64_t read,
                       uint64_t dropped, bool lost, const char *policy)
{
    QDict *info = rb_info(qts, dev);

    g_assert_cmpuint(get_u64(info, "size"), ==, size);
    g_assert_cmpuint(get_u64(info, "used"), ==, used);
    g_assert_cmpuint(get_u64(info, "written"), ==, written);
    g_assert_cmpuint(get_u64(info, "read"), ==, read);
    g_assert_cmpuint(get_u64(info, "dropped"), ==, dropped);
    g_assert_cmpint(qdict_get_bool(info, "data-lost"), ==, lost);
    g_assert_cmpstr(qdict_get_str(info, "policy"), ==, policy);
    qobject_unref(info);
}

static void rb_write(QTestState *qts, const char *dev, const char *data,
                     const char *format)
{
    qtest_qmp_assert_success(qts, "{'execute': 'ringbuf-write', 'arguments':"
                             " {'device': %s, 'data': %s, 'format': %s}}",
                             dev, data, format);
}

static void test_wrap(void)
{
    QTestState *qts = start(",size=8");
    g_autofree char *s = NULL;

    check_info(qts, "ring0", 8, 0, 0, 0, 0, false, "overwrite");
    serial_send(qts, "0123456789ABC", 13);
    check_info(qts, "ring0", 8, 8, 13, 0, 5, true, "overwrite");
    s = rb_read(qts, "ring0", 100, "utf8");
    g_assert_cmpstr(s, ==, "56789ABC");
    check_info(qts, "ring0", 8, 0, 13, 8, 5, false, "overwrite");
    qtest_quit(qts);
}

static void test_drop_new(void)
{
    QTestState *qts = start(",size=8,policy=drop-new");
    g_autofree char *s = NULL, *t = NULL;

    serial_send(qts, "0123456789ABC", 13);
    check_info(qts, "ring0", 8, 8, 13, 0, 5, true, "drop-new");
    s = rb_read(qts, "ring0", 3, "utf8");
    g_assert_cmpstr(s, ==, "012");
    serial_send(qts, "xyzw", 4);
    t = rb_read(qts, "ring0", 100, "utf8");
    g_assert_cmpstr(t, ==, "34567xyz");
    check_info(qts, "ring0", 8, 0, 17, 11, 6, false, "drop-new");
    qtest_quit(qts);
}

/*
 * policy=block: a guest that polls THRE like a driver loses nothing; the
 * 16550 holds the bytes that did not fit and retries from the watch.
 */
static void test_block(void)
{
    QTestState *qts = start(",size=4,policy=block");
    const char *msg = "The quick brown fox jumps over the lazy dog 0123456789";
    size_t total = strlen(msg), sent = 0;
    GString *got = g_string_new(NULL);
    int i, iter;

    /* Nobody reads: the UART fills the ring and then stalls. */
    for (i = 0; i < 64; i++) {
        if (qtest_inb(qts, COM1_LSR) & LSR_THRE) {
            qtest_outb(qts, COM1, msg[sent++]);
        }
    }
    g_assert_cmpuint(sent, >=, 4);
    g_assert_cmpuint(sent, <=, 4 + 2);  /* ring + TSR + THR */
    g_assert_false(qtest_inb(qts, COM1_LSR) & LSR_TEMT);
    check_info(qts, "ring0", 4, 4, 4, 0, 0, false, "block");

    /* A QMP write that does not fit fails and writes nothing. */
    {
        g_autofree char *e = qmp_error(qtest_qmp(qts,
            "{'execute': 'ringbuf-write', 'arguments':"
            " {'device': 'ring0', 'data': 'x'}}"));
        g_assert(strstr(e, "has room for 0 bytes"));
    }

    /* Now read while the guest writes: everything arrives in order. */
    for (iter = 0; iter < 100000 && got->len < total; iter++) {
        if (sent < total && (qtest_inb(qts, COM1_LSR) & LSR_THRE)) {
            qtest_outb(qts, COM1, msg[sent++]);
        } else {
            g_autofree char *s = rb_read(qts, "ring0", 3, "utf8");

            g_string_append(got, s);
        }
    }
    g_assert_cmpstr(got->str, ==, msg);
    g_assert_true(qtest_inb(qts, COM1_LSR) & LSR_TEMT);
    check_info(qts, "ring0", 4, 0, total, total, 0, false, "block");
    g_string_free(got, true);
    qtest_quit(qts);
}

static void test_utf8(void)
{
    QTestState *qts = start(",size=4");
    char *s;

    /* after loss, leading continuation bytes go: stock gave "\ufffdllo" */
    serial_send(qts, "h\xc3\xa9llo", 6);
    s = rb_read(qts, "ring0", 100, "utf8");
    g_assert_cmpstr(s, ==, "llo");
    g_free(s);

    /* a character that does not fit in @size stays whole */
    serial_send(qts, "\xc3\xa9\xc3\xa9", 4);
    s = rb_read(qts, "ring0", 1, "utf8");
    g_assert_cmpstr(s, ==, "");
    g_free(s);
    s = rb_read(qts, "ring0", 3, "utf8");
    g_assert_cmpstr(s, ==, "\xc3\xa9");
    g_free(s);
    s = rb_read(qts, "ring0", 3, "utf8");
    g_assert_cmpstr(s, ==, "\xc3\xa9");
    g_free(s);

    /* an incomplete character waits for its last byte */
    serial_send(qts, "a\xe2\x82", 3);
    s = rb_read(qts, "ring0", 100, "utf8");
    g_assert_cmpstr(s, ==, "a");
    g_free(s);
    serial_send(qts, "\xac", 1);
    s = rb_read(qts, "ring0", 100, "utf8");
    g_assert_cmpstr(s, ==, "\xe2\x82\xac");
    g_free(s);

    /* invalid bytes read as U+FFFD */
    serial_send(qts, "\xff" "a" "\xc0", 3);
    s = rb_read(qts, "ring0", 100, "utf8");
    g_assert_cmpstr(s, ==, "\xef\xbf\xbd" "a" "\xef\xbf\xbd");
    g_free(s);
    check_info(qts, "ring0", 4, 0, 17, 15, 2, false, "overwrite");
    qtest_quit(qts);
}

static void test_nul(void)
{
    QTestState *qts = start("");
    g_autofree guchar *bytes = NULL;
    gsize len;
    char *s;

    /* a NUL from the guest reads as \u0000 (our JSON parser: C0 80) */
    serial_send(qts, "a\0b", 3);
    s = rb_read(qts, "ring0", 100, "utf8");
    g_assert_cmpstr(s, ==, "a\xc0\x80" "b");
    g_free(s);

    /* "\u0000" written over QMP is stored as one NUL byte */
    qtest_qmp_assert_success(qts, "{'execute': 'ringbuf-write', 'arguments':"
                             " {'device': 'ring0', 'data': 'x\\u0000y'}}");
    bytes = rb_read_bytes(qts, "ring0", 100, &len);
    g_assert_cmpuint(len, ==, 3);
    g_assert(memcmp(bytes, "x\0y", 3) == 0);
    check_info(qts, "ring0", 65536, 0, 6, 6, 0, false, "overwrite");
    qtest_quit(qts);
}

static void test_sizes(void)
{
    static const unsigned sizes[] = { 1, 2, 3, 1000, 997 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
        unsigned n = sizes[i], extra = 7, k;
        g_autofree char *opts = g_strdup_printf(",size=%u", n);
        g_autofree guchar *out = NULL;
        g_autofree uint8_t *pat = g_malloc(n + extra);
        QTestState *qts = start(opts);
        gsize len;

        for (k = 0; k < n + extra; k++) {
            pat[k] = 'A' + (k * 7 + n) % 26;
        }
        serial_send(qts, pat, n + extra);
        check_info(qts, "ring0", n, n, n + extra, 0, extra, true,
                   "overwrite");
        out = rb_read_bytes(qts, "ring0", n + extra, &len);
        g_assert_cmpuint(len, ==, n);
        g_assert(memcmp(out, pat + extra, n) == 0);
        check_info(qts, "ring0", n, 0, n + extra, n, extra, false,
                   "overwrite");
        qtest_quit(qts);
    }
}

/* chardev-add; @data_json is the backend's data; returns the error or NULL */
static char *chardev_add(QTestState *qts, const char *id, const char *type,
                         const char *data_json)
{
    g_autofree char *json = g_strdup_printf("{%s}", data_json);
    QObject *data = qobject_from_json(json, &error_abort);
    QDict *resp;

    resp = qtest_qmp(qts, "{'execute': 'chardev-add', 'arguments':"
                     " {'id': %s, 'backend': {'type': %s, 'data': %p}}}",
                     id, type, data);
    g_assert(resp);
    if (qdict_haskey(resp, "error")) {
        return qmp_error(resp);
    }
    qobject_unref(resp);
    return NULL;
}

static void test_bad_input(void)
{
    QTestState *qts = start("");
    static const char *const bad[] = {
        "'size': 0", "'size': -1", "'size': -9223372036854775808",
        "'size': 9223372036854775807",
    };
    size_t i;
    char *e;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        e = chardev_add(qts, "bad", "ringbuf", bad[i]);
        g_assert_nonnull(e);
        g_test_message("chardev-add {%s}: %s", bad[i], e);
        g_assert(strstr(e, "ringbuf size must be between 1 and") ||
                 strstr(e, "cannot allocate"));
        g_free(e);
        /* QEMU is still alive and no half-made device exists */
        e = qmp_error(qtest_qmp(qts, "{'execute': 'ringbuf-write',"
                                " 'arguments': {'device': 'bad',"
                                " 'data': 'x'}}"));
        g_assert_cmpstr(e, ==, "Device 'bad' not found");
        g_free(e);
    }
    e = chardev_add(qts, "bad", "ringbuf", "'policy': 'sideways'");
    g_assert_nonnull(e);
    g_free(e);

    /* upstream's argument checks and messages */
    e = qmp_error(qtest_qmp(qts, "{'execute': 'ringbuf-read', 'arguments':"
                            " {'device': 'ring0', 'size': 0}}"));
    g_assert_cmpstr(e, ==, "size must be greater than zero");
    g_free(e);
    e = qmp_error(qtest_qmp(qts, "{'execute': 'ringbuf-read', 'arguments':"
                            " {'device': 'ring0', 'size': -5}}"));
    g_assert_cmpstr(e, ==, "size must be greater than zero");
    g_free(e);
    g_assert_null(chardev_add(qts, "null0", "null", ""));
    e = qmp_error(qtest_qmp(qts, "{'execute': 'ringbuf-read', 'arguments':"
                            " {'device': 'null0', 'size': 1}}"));
    g_assert_cmpstr(e, ==, "null0 is not a ringbuf device");
    g_free(e);
    e = qmp_error(qtest_qmp(qts, "{'execute': 'ringbuf-write', 'arguments':"
                            " {'device': 'nope', 'data': 'x'}}"));
    g_assert_cmpstr(e, ==, "Device 'nope' not found");
    g_free(e);
    e = qmp_error(qtest_qmp(qts, "{'execute': 'ringbuf-write', 'arguments':"
                            " {'device': 'ring0', 'data': '!!!',"
                            " 'format': 'base64'}}"));
    g_free(e);
    e = qmp_error(qtest_qmp(qts, "{'execute': 'query-ringbuf', 'arguments':"
                            " {'device': 'null0'}}"));
    g_assert_cmpstr(e, ==, "null0 is not a ringbuf device");
    g_free(e);

    /* a large ring (above 2^32: no int truncation) and sizes via QMP */
    g_assert_null(chardev_add(qts, "big", "ringbuf", "'size': 4294967297"));
    check_info(qts, "big", 4294967297ULL, 0, 0, 0, 0, false, "overwrite");
    g_assert_null(chardev_add(qts, "odd", "memory", "'size': 3"));
    rb_write(qts, "odd", "abcdef", "utf8");
    e = rb_read(qts, "odd", 10, "utf8");
    g_assert_cmpstr(e, ==, "def");
    g_free(e);
    check_info(qts, "odd", 3, 0, 6, 3, 3, false, "overwrite");
    qtest_quit(qts);
}

static void test_query_all(void)
{
    QTestState *qts = start(",size=16,policy=block");
    QDict *resp;
    QList *list;
    QListEntry *entry;
    int seen = 0;

    g_assert_null(chardev_add(qts, "ring1", "ringbuf",
                              "'size': 5, 'policy': 'drop-new'"));
    g_assert_null(chardev_add(qts, "null0", "null", ""));
    resp = qtest_qmp(qts, "{'execute': 'query-ringbuf'}");
    list = qdict_get_qlist(resp, "return");
    QLIST_FOREACH_ENTRY(list, entry) {
        QDict *info = qobject_to(QDict, qlist_entry_obj(entry));
        const char *dev = qdict_get_str(info, "device");

        if (!strcmp(dev, "ring0")) {
            g_assert_cmpuint(get_u64(info, "size"), ==, 16);
            g_assert_cmpstr(qdict_get_str(info, "policy"), ==, "block");
            seen |= 1;
        } else if (!strcmp(dev, "ring1")) {
            g_assert_cmpuint(get_u64(info, "size"), ==, 5);
            g_assert_cmpstr(qdict_get_str(info, "policy"), ==, "drop-new");
            seen |= 2;
        } else {
            g_assert_not_reached();
        }
    }
    g_assert_cmpint(seen, ==, 3);
    qobject_unref(resp);
    qtest_quit(qts);
}

/* An HMP command's output, without carriage returns */
static char *hmp(QTestState *qts, const char *cmd)
{
    char *out = qtest_hmp(qts, "%s", cmd);
    char *r, *w;

    for (r = w = out; *r; r++) {
        if (*r != '\r') {
            *w++ = *r;
        }
    }
    *w = 0;
    return out;
}

static void test_hmp(void)
{
    QTestState *qts = start(",size=10");
    char *out;

    serial_send(qts, "0123456789abc", 13);
    out = hmp(qts, "info ringbuf ring0");
    g_assert(strstr(out, "ring0: size=10 used=10 free=0 policy=overwrite"));
    g_assert(strstr(out, "written=13 read=0 dropped=3 data-lost=yes"));
    g_free(out);
    out = hmp(qts, "ringbuf_read ring0 4");
    g_assert_cmpstr(out, ==, "3456\n");
    g_free(out);
    serial_send(qts, "\0", 1);
    out = hmp(qts, "ringbuf_read ring0 100");
    g_assert_cmpstr(out, ==, "789abc\\u0000\n");
    g_free(out);
    out = hmp(qts, "ringbuf_write ring0 hello");
    g_assert_cmpstr(out, ==, "");
    g_free(out);
    out = hmp(qts, "info ringbuf");
    g_assert(strstr(out, "ring0: size=10 used=5 free=5"));
    g_assert(strstr(out, "written=19 read=11 dropped=3 data-lost=no"));
    g_free(out);
    out = hmp(qts, "info ringbuf nope");
    g_assert(strstr(out, "Device 'nope' not found"));
    g_free(out);
    qtest_quit(qts);
}

/* The input ring's counters: size, pending, written, delivered, dropped */
static void check_input(QTestState *qts, const char *dev, uint64_t size,
                        uint64_t pending, uint64_t written,
                        uint64_t delivered, uint64_t dropped)
{
    QDict *info = rb_info(qts, dev);
    QDict *in = qdict_get_qdict(info, "input");

    g_assert_cmpuint(get_u64(in, "size"), ==, size);
    g_assert_cmpuint(get_u64(in, "pending"), ==, pending);
    g_assert_cmpuint(get_u64(in, "written"), ==, written);
    g_assert_cmpuint(get_u64(in, "delivered"), ==, delivered);
    g_assert_cmpuint(get_u64(in, "dropped"), ==, dropped);
    qobject_unref(info);
}

/* The result of a successful memchar-write (caller unrefs) */
static QDict *mc_result(QDict *resp)
{
    QDict *ret;

    g_assert(resp);
    g_assert(!qdict_haskey(resp, "error"));
    ret = qdict_get_qdict(resp, "return");
    qobject_ref(ret);
    qobject_unref(resp);
    return ret;
}

static QDict *mc_write(QTestState *qts, const char *dev, const char *data,
                       const char *control)
{
    return mc_result(qtest_qmp(qts, "{'execute': 'memchar-write',"
                               " 'arguments': {'chardev': %s, 'data': %s,"
                               " 'control': %s}}", dev, data, control));
}

static void check_write(QDict *res, uint64_t written, uint64_t dropped,
                        uint64_t pending)
{
    g_assert_cmpuint(get_u64(res, "written"), ==, written);
    g_assert_cmpuint(get_u64(res, "dropped"), ==, dropped);
    g_assert_cmpuint(get_u64(res, "pending"), ==, pending);
    qobject_unref(res);
}

/* What the guest reads from its UART (RBR) until no byte is ready */
static char *guest_read(QTestState *qts)
{
    GString *got = g_string_new(NULL);

    while (qtest_inb(qts, COM1_LSR) & LSR_DR) {
        g_string_append_c(got, qtest_inb(qts, COM1));
    }
    return g_string_free(got, false);
}

/*
 * block: the input ring takes what fits, the UART (no FIFO: one byte
 * in RBR) takes a byte at a time as the guest reads; nothing is lost.
 */
static void test_input_block(void)
{
    QTestState *qts = start(",input-size=8");
    char *got;

    /* 8 fit in the ring, then one goes straight into RBR */
    check_write(mc_write(qts, "ring0", "hello world!", "block"), 8, 0, 7);
    check_input(qts, "ring0", 8, 7, 8, 1, 0);
    /* full: nothing more is taken, and nothing is dropped */
    check_write(mc_write(qts, "ring0", "xyz", "block"), 1, 0, 8);
    got = guest_read(qts);
    g_assert_cmpstr(got, ==, "hello wox");
    g_free(got);
    check_write(mc_write(qts, "ring0", "rld!", "block"), 4, 0, 3);
    got = guest_read(qts);
    g_assert_cmpstr(got, ==, "rld!");
    g_free(got);
    check_input(qts, "ring0", 8, 0, 13, 13, 0);
    /* the guest's output ring is untouched by all this */
    check_info(qts, "ring0", 65536, 0, 0, 0, 0, false, "overwrite");
    qtest_quit(qts);
}

/* drop: the oldest pending input makes room, counted exactly */
static void test_input_drop(void)
{
    QTestState *qts = start(",input-size=4");
    char *got;

    /* "ab" overwritten, "c" delivered into RBR, "def" pending */
    check_write(mc_write(qts, "ring0", "abcdef", "drop"), 6, 2, 3);
    check_write(mc_write(qts, "ring0", "gh", "drop"), 2, 1, 4);
    check_input(qts, "ring0", 4, 4, 8, 1, 3);
    got = guest_read(qts);
    g_assert_cmpstr(got, ==, "cefgh");
    g_free(got);
    check_input(qts, "ring0", 4, 0, 8, 5, 3);
    qtest_quit(qts);
}

/*
 * A frontend can gain room without telling the chardev: the guest resets
 * its UART's receive FIFO.  Pending input is offered again on a timer of
 * guest time, so it still arrives.
 */
static void test_input_retry(void)
{
    QTestState *qts = start(",input-size=64");
    char *got;

    qtest_outb(qts, COM1 + 2, 0x01);          /* FCR: FIFO on, trigger 1 */
    check_write(mc_write(qts, "ring0", "abcdefgh", "block"), 8, 0, 7);
    qtest_outb(qts, COM1 + 2, 0x03);          /* FCR: clear the RX FIFO */
    g_assert_false(qtest_inb(qts, COM1_LSR) & LSR_DR);
    check_input(qts, "ring0", 64, 7, 8, 1, 0);
    qtest_clock_step(qts, 20 * 1000 * 1000);  /* 20 ms of guest time */
    got = guest_read(qts);
    g_assert_cmpstr(got, ==, "bcdefgh");        /* 'a' went with the FIFO */
    g_free(got);
    check_input(qts, "ring0", 64, 0, 8, 8, 0);
    qtest_quit(qts);
}

/* size, base64, and the default control (block) */
static void test_input_size(void)
{
    QTestState *qts = start(",input-size=100");
    QDict *resp;
    char *got;

    resp = qtest_qmp(qts, "{'execute': 'memchar-write', 'arguments':"
                     " {'chardev': 'ring0', 'data': 'YWJjAGRlZg==',"
                     " 'format': 'base64', 'size': 5}}");
    check_write(mc_result(resp), 5, 0, 4);
    got = guest_read(qts);
    g_assert_cmpmem(got, 3, "abc", 3);
    g_assert_cmpint(got[3], ==, 0);     /* the NUL byte got through */
    g_assert_cmpint(got[4], ==, 'd');
    g_free(got);
    resp = qtest_qmp(qts, "{'execute': 'memchar-write', 'arguments':"
                     " {'chardev': 'ring0', 'data': 'a\\u0000b'}}");
    check_write(mc_result(resp), 3, 0, 2);
    check_input(qts, "ring0", 100, 2, 8, 6, 0);
    qtest_quit(qts);
}

/* memchar-read: block keeps the rest, drop returns the newest bytes */
static void test_memchar_read(void)
{
    QTestState *qts = start(",size=16");
    QDict *resp;

    serial_send(qts, "0123456789", 10);
    resp = qtest_qmp(qts, "{'execute': 'memchar-read', 'arguments':"
                     " {'chardev': 'ring0', 'size': 3}}");
    g_assert_cmpstr(qdict_get_str(resp, "return"), ==, "012");
    qobject_unref(resp);
    resp = qtest_qmp(qts, "{'execute': 'memchar-read', 'arguments':"
                     " {'chardev': 'ring0', 'size': 4, 'control': 'drop'}}");
    g_assert_cmpstr(qdict_get_str(resp, "return"), ==, "6789");
    qobject_unref(resp);
    check_info(qts, "ring0", 16, 0, 10, 7, 3, false, "overwrite");
    serial_send(qts, "\xc3\xa9xyz", 5);
    resp = qtest_qmp(qts, "{'execute': 'memchar-read', 'arguments':"
                     " {'chardev': 'ring0', 'size': 10, 'format': 'base64',"
                     " 'control': 'block'}}");
    g_assert_cmpstr(qdict_get_str(resp, "return"), ==, "w6l4eXo=");
    qobject_unref(resp);
    qtest_quit(qts);
}

/* The 2012 design's command line */
static void test_memchr(void)
{
    QTestState *qts = qtest_init("-machine pc -nodefaults -chardev "
                                 "memchr,id=foo,maxcapacity=640k "
                                 "-serial chardev:foo");
    QDict *resp;

    serial_send(qts, "ok", 2);
    check_info(qts, "foo", 640 * 1024, 2, 2, 0, 0, false, "overwrite");
    resp = qtest_qmp(qts, "{'execute': 'memchar-read', 'arguments':"
                     " {'chardev': 'foo', 'size': 100}}");
    g_assert_cmpstr(qdict_get_str(resp, "return"), ==, "ok");
    qobject_unref(resp);
    qtest_quit(qts);
}

/* Each bad request is a clear error and changes nothing */
static void test_memchar_bad_input(void)
{
    QTestState *qts = start(",input-size=8");
    static const struct {
        const char *args, *error;
    } bad[] = {
        { "'chardev': 'nope', 'data': 'x'", "Device 'nope' not found" },
        { "'chardev': 'null0', 'data': 'x'", "null0 is not a ringbuf device" },
        { "'chardev': 'ring0', 'data': '!!!', 'format': 'base64'",
          "Base64 data contains invalid characters" },
        { "'chardev': 'ring0', 'data': 'abc', 'size': 4",
          "size 4 is not between 0 and the 3 bytes of data" },
        { "'chardev': 'ring0', 'data': 'abc', 'size': -1",
          "size -1 is not between 0 and the 3 bytes of data" },
        { "'chardev': 'ring0', 'data': 'abc', 'control': 'sideways'",
          "'control' does not accept value 'sideways'" },
    };
    size_t i;
    char *e;

    g_assert_null(chardev_add(qts, "null0", "null", ""));
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *json = g_strdup_printf("{%s}", bad[i].args);
        QObject *args = qobject_from_json(json, &error_abort);

        e = qmp_error(qtest_qmp(qts, "{'execute': 'memchar-write',"
                                " 'arguments': %p}", args));
        g_test_message("memchar-write {%s}: %s", bad[i].args, e);
        g_assert(strstr(e, bad[i].error));
        g_free(e);
    }
    e = qmp_error(qtest_qmp(qts, "{'execute': 'memchar-read', 'arguments':"
                            " {'chardev': 'ring0', 'size': 0}}"));
    g_assert_cmpstr(e, ==, "size must be greater than zero");
    g_free(e);
    e = qmp_error(qtest_qmp(qts, "{'execute': 'memchar-read', 'arguments':"
                            " {'chardev': 'null0', 'size': 1}}"));
    g_assert_cmpstr(e, ==, "null0 is not a ringbuf device");
    g_free(e);
    e = qmp_error(qtest_qmp(qts, "{'execute': 'memchar-read', 'arguments':"
                            " {'chardev': 'ring0', 'size': 1,"
                            " 'control': 'later'}}"));
    g_assert(strstr(e, "'control' does not accept value 'later'"));
    g_free(e);
    e = chardev_add(qts, "bad", "ringbuf", "'input-size': 0");
    g_assert(e && strstr(e, "ringbuf input-size must be between 1 and"));
    g_free(e);
    /* nothing reached either ring, and the guest side still works */
    check_input(qts, "ring0", 8, 0, 0, 0, 0);
    check_info(qts, "ring0", 65536, 0, 0, 0, 0, false, "overwrite");
    check_write(mc_write(qts, "ring0", "ok", "block"), 2, 0, 1);
    e = guest_read(qts);
    g_assert_cmpstr(e, ==, "ok");
    g_free(e);
    /* the console needs line editing, which human-monitor-command lacks */
    e = hmp(qts, "console ring0");
    g_assert(strstr(e, "console needs a monitor with line editing"));
    g_free(e);
    qtest_quit(qts);
}

static void run_logfile(bool mux)
{
    g_autofree char *dir = g_dir_make_tmp("ringbuf-test-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "log", NULL);
    g_autofree char *opts = g_strdup_printf(",size=5,logfile=%s%s", log,
                                            mux ? ",mux=on" : "");
    /* with mux=on, ring0 is the mux and the ring is ring0-base */
    const char *dev = mux ? "ring0-base" : "ring0";
    g_autofree char *contents = NULL;
    QTestState *qts = start(opts);
    gsize len;
    char *s;

    serial_send(qts, "abcdefgh", 8);
    s = rb_read(qts, dev, 100, "utf8");
    g_assert_cmpstr(s, ==, "defgh");
    g_free(s);
    check_info(qts, dev, 5, 0, 8, 5, 3, false, "overwrite");
    qtest_quit(qts);
    g_assert_true(g_file_get_contents(log, &contents, &len, NULL));
    g_assert_cmpuint(len, ==, 8);
    g_assert(memcmp(contents, "abcdefgh", 8) == 0);
    unlink(log);
    rmdir(dir);
}

static void test_logfile(void)
{
    run_logfile(false);
}

static void test_mux(void)
{
    run_logfile(true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/ringbuf/wrap", test_wrap);
    qtest_add_func("/ringbuf/drop-new", test_drop_new);
    qtest_add_func("/ringbuf/block", test_block);
    qtest_add_func("/ringbuf/utf8", test_utf8);
    qtest_add_func("/ringbuf/nul", test_nul);
    qtest_add_func("/ringbuf/sizes", test_sizes);
    qtest_add_func("/ringbuf/bad-input", test_bad_input);
    qtest_add_func("/ringbuf/query-all", test_query_all);
    qtest_add_func("/ringbuf/hmp", test_hmp);
    qtest_add_func("/ringbuf/logfile", test_logfile);
    qtest_add_func("/ringbuf/mux", test_mux);
    qtest_add_func("/ringbuf/input-block", test_input_block);
    qtest_add_func("/ringbuf/input-drop", test_input_drop);
    qtest_add_func("/ringbuf/input-retry", test_input_retry);
    qtest_add_func("/ringbuf/input-size", test_input_size);
    qtest_add_func("/ringbuf/memchar-read", test_memchar_read);
    qtest_add_func("/ringbuf/memchr", test_memchr);
    qtest_add_func("/ringbuf/memchar-bad-input", test_memchar_bad_input);
    return g_test_run();
}
