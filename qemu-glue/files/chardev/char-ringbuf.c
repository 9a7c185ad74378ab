/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ring buffer character device ("ringbuf", alias "memory").
 *
 * A thin adapter between QEMU's chardev layer and the cirmem ring
 * (cirmem/core/cirmem.h): this file does QOM, option parsing, locking,
 * watches and the QMP commands; every operation on the stored bytes,
 * including the UTF-8 decoding of ringbuf-read, is a cirmem_* call.
 *
 * Locking: the ring is only touched with the chardev's chr_write_lock
 * held.  chr_write is called by qemu_chr_write_buffer() with it held;
 * the QMP handlers and the watch take it themselves.
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
#include "qom/object.h"
#include "cirmem.h"

#define RINGBUF_DEFAULT_SIZE 65536
/* Input bytes ringbuf-read decodes per step (bounds its scratch buffer). */
#define RINGBUF_READ_CHUNK 65536

struct RingBufChardev {
    Chardev parent;
    cirmem ring;
    uint8_t *storage;
    RingbufPolicy policy;
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

static void char_ringbuf_finalize(Object *obj)
{
    RingBufChardev *d = RINGBUF_CHARDEV(obj);

    g_free(d->storage);
    d->storage = NULL;
}

static void qemu_chr_open_ringbuf(Chardev *chr,
                                  ChardevBackend *backend,
                                  bool *be_opened,
                                  Error **errp)
{
    ChardevRingbuf *opts = backend->u.ringbuf.data;
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    int64_t size = opts->has_size ? opts->size : RINGBUF_DEFAULT_SIZE;

    if (size <= 0 || (uint64_t)size > CIRMEM_CAPACITY_MAX) {
        error_setg(errp, "ringbuf size must be between 1 and %" PRIu64
                   " bytes, not %" PRId64, (uint64_t)CIRMEM_CAPACITY_MAX,
                   size);
        return;
    }
    d->storage = g_try_malloc(size);
    if (!d->storage) {
        error_setg(errp, "cannot allocate %" PRId64 " bytes for ringbuf",
                   size);
        return;
    }
    if (cirmem_init(&d->ring, d->storage, size) != CIRMEM_OK) {
        error_setg(errp, "ringbuf size %" PRId64 " is not supported", size);
        g_free(d->storage);
        d->storage = NULL;
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
    if (has_format && format == DATA_FORMAT_BASE64) {
        bytes = qbase64_decode(data, -1, &count, errp);
        if (!bytes) {
            return;
        }
    } else {
        bytes = ringbuf_from_json_string(data, &count);
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

char *qmp_ringbuf_read(const char *device, int64_t size,
                       bool has_format, enum DataFormat format,
                       Error **errp)
{
    RingBufChardev *d = ringbuf_find(device, errp);
    Chardev *chr;
    size_t count, consumed;
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
    count = MIN((uint64_t)size, cirmem_used(&d->ring));
    if (has_format && format == DATA_FORMAT_BASE64) {
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

    ringbuf_wake_writers(d, consumed);
    return data;
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

static void qemu_chr_parse_ringbuf(QemuOpts *opts, ChardevBackend *backend,
                                   Error **errp)
{
    const char *policy = qemu_opt_get(opts, "policy");
    ChardevRingbuf *ringbuf;
    uint64_t val;

    backend->type = CHARDEV_BACKEND_KIND_RINGBUF;
    ringbuf = backend->u.ringbuf.data = g_new0(ChardevRingbuf, 1);
    qemu_chr_parse_common(opts, qapi_ChardevRingbuf_base(ringbuf));

    if (qemu_opt_get(opts, "size")) {
        val = qemu_opt_get_size(opts, "size", 0);
        if (val == 0 || val > CIRMEM_CAPACITY_MAX || val > INT64_MAX) {
            error_setg(errp, "ringbuf size must be between 1 and %" PRIu64
                       " bytes, not %" PRIu64,
                       (uint64_t)MIN(CIRMEM_CAPACITY_MAX, INT64_MAX), val);
            return;
        }
        ringbuf->has_size = true;
        ringbuf->size = val;
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

static void register_types(void)
{
    type_register_static(&char_ringbuf_type_info);
    type_register_static(&char_memory_type_info);
}

type_init(register_types);
