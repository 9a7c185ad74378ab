/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ring buffer character device ("ringbuf", alias "memory").
 *
 * A thin adapter between QEMU's chardev layer and the cirmem ring
 * (cirmem/core/cirmem.h): this file does QOM, option parsing, locking,
 * watches and the QMP commands; every operation on the stored bytes,
 * including the UTF-8 decoding of ringbuf-read, is a cirmem_* call.
 *
 * Two rings per device:
 * - ring: the guest's output.  The frontend writes it (chr_write);
 *   ringbuf-read and memchar-read read it, ringbuf-write appends to it.
 *   Only touched with the chardev's chr_write_lock held: chr_write is
 *   called by qemu_chr_write_buffer() with it held; the QMP handlers and
 *   the watch take it themselves.
 * - input: data on its way to the guest.  memchar-write (and HMP's
 *   console) fill it; it is drained into the frontend as fast as the
 *   frontend accepts (can_read, then chr_accept_input when the guest
 *   has read).  Only touched under the BQL, which its callers hold
 *   (QMP, HMP, device emulation; QEMU's single-threaded unit tests
 *   have no BQL), not under chr_write_lock, as the frontend may write
 *   output while it receives.
 */

#include "qemu/osdep.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "chardev-internal.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-char.h"
#include "qapi/util.h"
#include "qemu/base64.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "cirmem.h"

#define RINGBUF_DEFAULT_SIZE 65536
#define RINGBUF_DEFAULT_INPUT_SIZE 4096
/*
 * While input is pending, how often to offer it again: frontends can gain
 * room without telling (a guest resetting its UART FIFO), and guest time
 * is what matters, so the retry runs on the virtual clock.
 */
#define RINGBUF_INPUT_RETRY_MS 10
/* Input bytes ringbuf-read decodes per step (bounds its scratch buffer). */
#define RINGBUF_READ_CHUNK 65536

struct RingBufChardev {
    Chardev parent;
    cirmem ring;
    uint8_t *storage;
    RingbufPolicy policy;
    cirmem input;
    uint8_t *input_storage;
    bool delivering;
    QEMUTimer *input_retry;
};
typedef struct RingBufChardev RingBufChardev;

DECLARE_INSTANCE_CHECKER(RingBufChardev, RINGBUF_CHARDEV,
                         TYPE_CHARDEV_RINGBUF)

static cirmem_mode ringbuf_mode(RingbufPolicy policy)
{
    switch (policy) {
    case RINGBUF_POLICY_DROP_NEW:
        return CIRMEM_DROP_NEW;
    case RINGBUF_POLICY_BLOCK:
        return CIRMEM_BOUNDED;
    default:
        return CIRMEM_OVERWRITE;
    }
}

/* Called by qemu_chr_write_buffer() with chr_write_lock held. */
static int ringbuf_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);

    if (!buf || len < 0) {
        return -1;
    }
    /*
     * With policy=block this may be short, even 0: the frontend then
     * waits for the watch below (never return EAGAIN: write_all
     * callers would spin on it with chr_write_lock held).
     */
    return cirmem_write(&d->ring, buf, len, ringbuf_mode(d->policy));
}

/* Watches: G_IO_OUT is ready whenever a write can take a byte. */
typedef struct RingBufSource {
    GSource source;
    RingBufChardev *d;
    GIOCondition cond;
} RingBufSource;

static bool ringbuf_writable(RingBufChardev *d)
{
    bool ok;

    if (d->policy != RINGBUF_POLICY_BLOCK) {
        return true;
    }
    qemu_mutex_lock(&d->parent.chr_write_lock);
    ok = cirmem_free(&d->ring) > 0;
    qemu_mutex_unlock(&d->parent.chr_write_lock);
    return ok;
}

static gboolean ringbuf_source_prepare(GSource *source, gint *timeout)
{
    RingBufSource *src = (RingBufSource *)source;

    *timeout = -1;
    return (src->cond & G_IO_OUT) && ringbuf_writable(src->d);
}

static gboolean ringbuf_source_check(GSource *source)
{
    RingBufSource *src = (RingBufSource *)source;

    return (src->cond & G_IO_OUT) && ringbuf_writable(src->d);
}

static gboolean ringbuf_source_dispatch(GSource *source, GSourceFunc callback,
                                        gpointer user_data)
{
    FEWatchFunc func = (FEWatchFunc)callback;

    if (!func) {
        return G_SOURCE_REMOVE;
    }
    return func(NULL, G_IO_OUT, user_data);
}

static void ringbuf_source_finalize(GSource *source)
{
    RingBufSource *src = (RingBufSource *)source;

    object_unref(OBJECT(src->d));
}

static GSourceFuncs ringbuf_source_funcs = {
    .prepare = ringbuf_source_prepare,
    .check = ringbuf_source_check,
    .dispatch = ringbuf_source_dispatch,
    .finalize = ringbuf_source_finalize,
};

static GSource *ringbuf_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    RingBufSource *src;

    src = (RingBufSource *)g_source_new(&ringbuf_source_funcs,
                                        sizeof(RingBufSource));
    src->d = RINGBUF_CHARDEV(chr);
    src->cond = cond;
    object_ref(OBJECT(chr));
    return &src->source;
}

/* After a read made room, let a blocked frontend's watch run. */
static void ringbuf_wake_writers(RingBufChardev *d, size_t consumed)
{
    if (consumed && d->policy == RINGBUF_POLICY_BLOCK) {
        g_main_context_wakeup(d->parent.gcontext);
    }
}

/*
 * Pass pending input to the frontend, as much as it says it can take,
 * straight from the ring's storage.  The frontend may call back into
 * chr_accept_input from its receive handler: @delivering keeps that from
 * passing the same bytes twice.
 */
static void ringbuf_retry_input_later(RingBufChardev *d);

static void ringbuf_deliver_input(RingBufChardev *d)
{
    Chardev *chr = CHARDEV(d);

    if (d->delivering) {
        return;
    }
    d->delivering = true;
    for (;;) {
        int room = qemu_chr_be_can_write(chr);
        const uint8_t *span;
        size_t n;

        if (room <= 0) {
            break;
        }
        span = cirmem_read_span(&d->input, 0, &n);
        n = MIN(n, (size_t)room);
        if (!span || !n) {
            break;
        }
        qemu_chr_be_write(chr, span, n);
        cirmem_consume(&d->input, n);
    }
    d->delivering = false;
    if (cirmem_used(&d->input)) {
        ringbuf_retry_input_later(d);
    }
}

static void ringbuf_input_retry(void *opaque)
{
    ringbuf_deliver_input(opaque);
}

static void ringbuf_retry_input_later(RingBufChardev *d)
{
    if (!d->input_retry) {
        d->input_retry = timer_new_ms(QEMU_CLOCK_VIRTUAL,
                                      ringbuf_input_retry, d);
    }
    timer_mod(d->input_retry, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
              RINGBUF_INPUT_RETRY_MS);
}

/* The frontend has room again (e.g. the guest read its UART). */
static void ringbuf_chr_accept_input(Chardev *chr)
{
    ringbuf_deliver_input(RINGBUF_CHARDEV(chr));
}

/* A frontend has just attached or changed its handlers. */
static void ringbuf_chr_update_read_handler(Chardev *chr)
{
    ringbuf_deliver_input(RINGBUF_CHARDEV(chr));
}

static void char_ringbuf_finalize(Object *obj)
{
    RingBufChardev *d = RINGBUF_CHARDEV(obj);

    g_free(d->storage);
    d->storage = NULL;
    g_free(d->input_storage);
    d->input_storage = NULL;
    timer_free(d->input_retry);
    d->input_retry = NULL;
}

/* Give @r a buffer of @size bytes; @what names the ring in errors. */
static bool ringbuf_alloc(cirmem *r, uint8_t **storage, int64_t size,
                          const char *what, Error **errp)
{
    if (size <= 0 || (uint64_t)size > CIRMEM_CAPACITY_MAX) {
        error_setg(errp, "ringbuf %s must be between 1 and %" PRIu64
                   " bytes, not %" PRId64, what,
                   (uint64_t)CIRMEM_CAPACITY_MAX, size);
        return false;
    }
    *storage = g_try_malloc(size);
    if (!*storage) {
        error_setg(errp, "cannot allocate %" PRId64 " bytes for ringbuf %s",
                   size, what);
        return false;
    }
    if (cirmem_init(r, *storage, size) != CIRMEM_OK) {
        error_setg(errp, "ringbuf %s %" PRId64 " is not supported", what,
                   size);
        g_free(*storage);
        *storage = NULL;
        return false;
    }
    return true;
}

static void qemu_chr_open_ringbuf(Chardev *chr,
                                  ChardevBackend *backend,
                                  bool *be_opened,
                                  Error **errp)
{
    ChardevRingbuf *opts = backend->u.ringbuf.data;
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    int64_t size = opts->has_size ? opts->size : RINGBUF_DEFAULT_SIZE;
    int64_t input_size = opts->has_input_size ? opts->input_size :
                         RINGBUF_DEFAULT_INPUT_SIZE;

    if (!ringbuf_alloc(&d->ring, &d->storage, size, "size", errp) ||
        !ringbuf_alloc(&d->input, &d->input_storage, input_size,
                       "input-size", errp)) {
        return;
    }
    d->policy = opts->has_policy ? opts->policy : RINGBUF_POLICY_OVERWRITE;
}

static RingBufChardev *ringbuf_find(const char *device, Error **errp)
{
    Chardev *chr = qemu_chr_find(device);

    if (!chr) {
        error_setg(errp, "Device '%s' not found", device);
        return NULL;
    }
    if (!CHARDEV_IS_RINGBUF(chr)) {
        error_setg(errp, "%s is not a ringbuf device", device);
        return NULL;
    }
    return RINGBUF_CHARDEV(chr);
}

/*
 * The JSON parser hands U+0000 over as C0 80 (modified UTF-8); store it
 * as the NUL byte it stands for.  C0 is never part of valid UTF-8.
 */
static uint8_t *ringbuf_from_json_string(const char *data, size_t *len)
{
    const uint8_t *in = (const uint8_t *)data;
    uint8_t *out = g_malloc(strlen(data) + 1);
    size_t i, n = 0;

    for (i = 0; in[i]; i++) {
        if (in[i] == 0xC0 && in[i + 1] == 0x80) {
            out[n++] = 0;
            i++;
        } else {
            out[n++] = in[i];
        }
    }
    *len = n;
    return out;
}

/* The bytes @data stands for in @format; NULL (and @errp set) if none. */
static uint8_t *ringbuf_decode(const char *data, bool has_format,
                               enum DataFormat format, size_t *count,
                               Error **errp)
{
    if (has_format && format == DATA_FORMAT_BASE64) {
        return qbase64_decode(data, -1, count, errp);
    }
    return ringbuf_from_json_string(data, count);
}

void qmp_ringbuf_write(const char *device, const char *data,
                       bool has_format, enum DataFormat format,
                       Error **errp)
{
    RingBufChardev *d = ringbuf_find(device, errp);
    Chardev *chr;
    g_autofree uint8_t *bytes = NULL;
    size_t count;

    if (!d) {
        return;
    }
    chr = CHARDEV(d);
    bytes = ringbuf_decode(data, has_format, format, &count, errp);
    if (!bytes) {
        return;
    }

    qemu_mutex_lock(&chr->chr_write_lock);
    if (d->policy == RINGBUF_POLICY_BLOCK && count > cirmem_free(&d->ring)) {
        error_setg(errp, "ringbuf '%s' has room for %zu bytes, not %zu"
                   " (policy=block)", device, cirmem_free(&d->ring), count);
    } else {
        cirmem_write(&d->ring, bytes, count, ringbuf_mode(d->policy));
    }
    qemu_mutex_unlock(&chr->chr_write_lock);
}

/* Decode up to @max_in bytes as UTF-8 into @out; returns bytes consumed. */
static size_t ringbuf_read_utf8(RingBufChardev *d, GString *out,
                                size_t max_in)
{
    g_autofree uint8_t *buf = NULL;
    size_t chunk = MIN(max_in, RINGBUF_READ_CHUNK);
    size_t total = 0;

    /* A byte turns into at most 3 (U+FFFD), and NUL into 2 (C0 80) */
    buf = g_malloc(3 * chunk + 1);
    while (total < max_in) {
        size_t consumed = 0, produced;

        chunk = MIN(max_in - total, RINGBUF_READ_CHUNK);
        produced = cirmem_read_utf8(&d->ring, buf, 3 * chunk + 1, chunk,
                                    CIRMEM_UTF8_NUL_AS_C0_80, &consumed);
        g_string_append_len(out, (const char *)buf, produced);
        if (!consumed) {
            break;
        }
        total += consumed;
    }
    return total;
}

/*
 * Read up to @size bytes of guest output; with @newest, first drop
 * what is older than the newest @size bytes.  Shared by ringbuf-read
 * and memchar-read.
 */
static char *ringbuf_read(const char *device, int64_t size, bool base64,
                          bool newest, Error **errp)
{
    RingBufChardev *d = ringbuf_find(device, errp);
    Chardev *chr;
    size_t count, consumed, skipped = 0;
    char *data;

    if (!d) {
        return NULL;
    }
    if (size <= 0) {
        error_setg(errp, "size must be greater than zero");
        return NULL;
    }
    chr = CHARDEV(d);

    qemu_mutex_lock(&chr->chr_write_lock);
    if (newest && (uint64_t)size < cirmem_used(&d->ring)) {
        skipped = cirmem_discard(&d->ring, cirmem_used(&d->ring) - size);
    }
    count = MIN((uint64_t)size, cirmem_used(&d->ring));
    if (base64) {
        g_autofree uint8_t *buf = g_try_malloc(count ? count : 1);

        if (!buf) {
            qemu_mutex_unlock(&chr->chr_write_lock);
            error_setg(errp, "cannot allocate %zu bytes to read", count);
            return NULL;
        }
        consumed = cirmem_read(&d->ring, buf, count);
        data = g_base64_encode(buf, consumed);
    } else {
        GString *out = g_string_new(NULL);

        consumed = ringbuf_read_utf8(d, out, count);
        data = g_string_free(out, false);
    }
    qemu_mutex_unlock(&chr->chr_write_lock);

    ringbuf_wake_writers(d, skipped + consumed);
    return data;
}

char *qmp_ringbuf_read(const char *device, int64_t size,
                       bool has_format, enum DataFormat format,
                       Error **errp)
{
    return ringbuf_read(device, size,
                        has_format && format == DATA_FORMAT_BASE64,
                        false, errp);
}

char *qmp_memchar_read(const char *chardev, int64_t size,
                       bool has_format, enum DataFormat format,
                       bool has_control, CongestionControl control,
                       Error **errp)
{
    return ringbuf_read(chardev, size,
                        has_format && format == DATA_FORMAT_BASE64,
                        has_control && control == CONGESTION_CONTROL_DROP,
                        errp);
}

MemcharWriteResult *qmp_memchar_write(const char *chardev, const char *data,
                                      bool has_format, enum DataFormat format,
                                      bool has_control,
                                      CongestionControl control,
                                      bool has_size, int64_t size,
                                      Error **errp)
{
    RingBufChardev *d = ringbuf_find(chardev, errp);
    g_autofree uint8_t *bytes = NULL;
    MemcharWriteResult *res;
    uint64_t dropped_before;
    size_t count;
    bool drop = has_control && control == CONGESTION_CONTROL_DROP;

    if (!d) {
        return NULL;
    }
    bytes = ringbuf_decode(data, has_format, format, &count, errp);
    if (!bytes) {
        return NULL;
    }
    if (has_size && (size < 0 || (uint64_t)size > count)) {
        error_setg(errp, "size %" PRId64 " is not between 0 and the %zu"
                   " bytes of data", size, count);
        return NULL;
    }
    if (has_size) {
        count = size;
    }

    res = g_new0(MemcharWriteResult, 1);
    dropped_before = cirmem_bytes_dropped(&d->input);
    res->written = cirmem_write(&d->input, bytes, count,
                                drop ? CIRMEM_OVERWRITE : CIRMEM_BOUNDED);
    res->dropped = cirmem_bytes_dropped(&d->input) - dropped_before;
    ringbuf_deliver_input(d);
    res->pending = cirmem_used(&d->input);
    return res;
}

static RingbufInfo *ringbuf_info(RingBufChardev *d)
{
    Chardev *chr = CHARDEV(d);
    RingbufInfo *info = g_new0(RingbufInfo, 1);

    info->device = g_strdup(chr->label);
    info->policy = d->policy;
    qemu_mutex_lock(&chr->chr_write_lock);
    info->size = cirmem_capacity(&d->ring);
    info->used = cirmem_used(&d->ring);
    info->free = cirmem_free(&d->ring);
    info->written = cirmem_bytes_written(&d->ring);
    info->read = cirmem_bytes_read(&d->ring);
    info->dropped = cirmem_bytes_dropped(&d->ring);
    info->data_lost = cirmem_data_lost(&d->ring);
    qemu_mutex_unlock(&chr->chr_write_lock);

    info->input = g_new0(RingbufInputInfo, 1);
    info->input->size = cirmem_capacity(&d->input);
    info->input->pending = cirmem_used(&d->input);
    info->input->written = cirmem_bytes_written(&d->input);
    info->input->delivered = cirmem_bytes_read(&d->input);
    info->input->dropped = cirmem_bytes_dropped(&d->input);
    return info;
}

static int ringbuf_info_add(Object *obj, void *opaque)
{
    RingbufInfoList **list = opaque;

    if (CHARDEV_IS_RINGBUF(obj)) {
        QAPI_LIST_PREPEND(*list, ringbuf_info(RINGBUF_CHARDEV(obj)));
    }
    return 0;
}

RingbufInfoList *qmp_query_ringbuf(bool has_device, const char *device,
                                   Error **errp)
{
    RingbufInfoList *list = NULL;
    RingBufChardev *d;

    if (has_device) {
        d = ringbuf_find(device, errp);
        if (d) {
            QAPI_LIST_PREPEND(list, ringbuf_info(d));
        }
        return list;
    }
    object_child_foreach(get_chardevs_root(), ringbuf_info_add, &list);
    return list;
}

/* Option @name as a ring size into *@has, *@size; false on error. */
static bool ringbuf_parse_size(QemuOpts *opts, const char *name,
                               bool *has, int64_t *size, Error **errp)
{
    uint64_t val;

    if (!qemu_opt_get(opts, name)) {
        return true;
    }
    val = qemu_opt_get_size(opts, name, 0);
    if (val == 0 || val > CIRMEM_CAPACITY_MAX || val > INT64_MAX) {
        error_setg(errp, "ringbuf %s must be between 1 and %" PRIu64
                   " bytes, not %" PRIu64, name,
                   (uint64_t)MIN(CIRMEM_CAPACITY_MAX, INT64_MAX), val);
        return false;
    }
    *has = true;
    *size = val;
    return true;
}

static void qemu_chr_parse_ringbuf(QemuOpts *opts, ChardevBackend *backend,
                                   Error **errp)
{
    const char *policy = qemu_opt_get(opts, "policy");
    ChardevRingbuf *ringbuf;

    backend->type = CHARDEV_BACKEND_KIND_RINGBUF;
    ringbuf = backend->u.ringbuf.data = g_new0(ChardevRingbuf, 1);
    qemu_chr_parse_common(opts, qapi_ChardevRingbuf_base(ringbuf));

    /* maxcapacity is the 2012 design's name for size */
    if (qemu_opt_get(opts, "size") && qemu_opt_get(opts, "maxcapacity")) {
        error_setg(errp, "ringbuf takes size or maxcapacity, not both");
        return;
    }
    if (!ringbuf_parse_size(opts, "size", &ringbuf->has_size,
                            &ringbuf->size, errp) ||
        !ringbuf_parse_size(opts, "maxcapacity", &ringbuf->has_size,
                            &ringbuf->size, errp) ||
        !ringbuf_parse_size(opts, "input-size", &ringbuf->has_input_size,
                            &ringbuf->input_size, errp)) {
        return;
    }
    if (policy) {
        int p = qapi_enum_parse(&RingbufPolicy_lookup, policy, -1, NULL);

        if (p < 0) {
            error_setg(errp, "ringbuf policy must be 'overwrite', "
                       "'drop-new' or 'block', not '%s'", policy);
            return;
        }
        ringbuf->has_policy = true;
        ringbuf->policy = p;
    }
}

static void char_ringbuf_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->parse = qemu_chr_parse_ringbuf;
    cc->open = qemu_chr_open_ringbuf;
    cc->chr_write = ringbuf_chr_write;
    cc->chr_add_watch = ringbuf_chr_add_watch;
    cc->chr_accept_input = ringbuf_chr_accept_input;
    cc->chr_update_read_handler = ringbuf_chr_update_read_handler;
}

static const TypeInfo char_ringbuf_type_info = {
    .name = TYPE_CHARDEV_RINGBUF,
    .parent = TYPE_CHARDEV,
    .class_init = char_ringbuf_class_init,
    .instance_size = sizeof(RingBufChardev),
    .instance_finalize = char_ringbuf_finalize,
};

/* Bug-compatibility: */
static const TypeInfo char_memory_type_info = {
    .name = TYPE_CHARDEV_MEMORY,
    .parent = TYPE_CHARDEV_RINGBUF,
};

/* The 2012 design's name: -chardev memchr,id=foo,maxcapacity=640k */
static const TypeInfo char_memchr_type_info = {
    .name = "chardev-memchr",
    .parent = TYPE_CHARDEV_RINGBUF,
};

static void register_types(void)
{
    type_register_static(&char_ringbuf_type_info);
    type_register_static(&char_memory_type_info);
    type_register_static(&char_memchr_type_info);
}

type_init(register_types);
