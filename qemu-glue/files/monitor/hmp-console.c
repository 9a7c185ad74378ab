/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HMP "console DEVICE": use a ring buffer chardev's guest through the
 * human monitor.
 *
 * While attached, the monitor's line editor hands each typed line to
 * the device's input ring (memchar-write), and a timer prints the
 * guest's output as it lands in the device's ring (memchar-read).  Both
 * go through the QMP commands, so the console adds no ring logic and
 * sees exactly what a QMP client would.  "~." on a line of its own
 * gives the monitor back.
 */

#include "qemu/osdep.h"
#include "chardev/char-fe.h"
#include "monitor-internal.h"
#include "monitor/hmp.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-char.h"
#include "qapi/qmp/qdict.h"
#include "qemu/timer.h"

#define CONSOLE_ESCAPE "~."
/* How often guest output is looked for while attached. */
#define CONSOLE_POLL_MS 20
/* Output printed per poll at most, so a chatty guest cannot starve QEMU. */
#define CONSOLE_READ_CHUNK 4096
#define CONSOLE_READS_PER_POLL 16

typedef struct HMPConsole {
    MonitorHMP *mon;
    char *device;
    QEMUTimer *timer;
    ReadLineCompletionFunc *saved_completion;
} HMPConsole;

/* Tab goes to the guest's line as typed, not to monitor completion. */
static void console_no_completion(void *opaque, const char *cmdline)
{
}

/* Report @err on the console's monitor (a timer has no current one). */
static void console_report(HMPConsole *con, Error *err)
{
    monitor_printf(&con->mon->common, "\nconsole: %s\n",
                   error_get_pretty(err));
    error_free(err);
}

static void console_detach(HMPConsole *con, const char *why)
{
    MonitorHMP *hmp_mon = con->mon;

    timer_free(con->timer);
    hmp_mon->rs->completion_finder = con->saved_completion;
    monitor_printf(&hmp_mon->common, "\nconsole: %s '%s'\n", why,
                   con->device);
    g_free(con->device);
    g_free(con);
    monitor_read_command(hmp_mon, 1);
}

/* Print the guest output that is waiting; false if the device is gone. */
static bool console_show_output(HMPConsole *con)
{
    Monitor *mon = &con->mon->common;
    int i;

    for (i = 0; i < CONSOLE_READS_PER_POLL; i++) {
        Error *err = NULL;
        g_autofree char *text = qmp_memchar_read(con->device,
                                                 CONSOLE_READ_CHUNK,
                                                 false, DATA_FORMAT_UTF8,
                                                 false,
                                                 CONGESTION_CONTROL_BLOCK,
                                                 &err);
        if (!text) {
            console_report(con, err);
            return false;
        }
        if (!*text) {
            break;
        }
        monitor_puts(mon, text);
    }
    /* the monitor flushes at newlines; a prompt has none */
    monitor_flush(mon);
    return true;
}

static void console_poll(void *opaque)
{
    HMPConsole *con = opaque;

    /* A client that went away (a socket monitor) ends the session */
    if (!qemu_chr_fe_backend_open(&con->mon->common.chr)) {
        console_detach(con, "monitor closed; detached from");
        return;
    }
    if (!console_show_output(con)) {
        console_detach(con, "lost");
        return;
    }
    timer_mod(con->timer,
              qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + CONSOLE_POLL_MS);
}

/* A line typed while attached: the escape, or input for the guest. */
static void console_line(void *opaque, const char *line,
                         void *readline_opaque)
{
    HMPConsole *con = readline_opaque;
    Monitor *mon = &con->mon->common;
    g_autofree char *data = NULL;
    MemcharWriteResult *res;
    Error *err = NULL;
    size_t len;

    if (!strcmp(line, CONSOLE_ESCAPE)) {
        console_show_output(con);
        console_detach(con, "detached from");
        return;
    }
    /* Enter on a terminal sends CR; the guest's tty turns it into NL */
    data = g_strconcat(line, "\r", NULL);
    len = strlen(data);
    res = qmp_memchar_write(con->device, data, false, DATA_FORMAT_UTF8,
                            true, CONGESTION_CONTROL_BLOCK, false, 0, &err);
    if (!res) {
        console_report(con, err);
        console_detach(con, "lost");
        return;
    }
    if (res->written < len) {
        monitor_printf(mon, "\nconsole: the guest is not reading its input;"
                       " %" PRIu64 " of %zu bytes were not sent\n",
                       len - res->written, len);
    }
    qapi_free_MemcharWriteResult(res);
}

void hmp_console(Monitor *mon, const QDict *qdict)
{
    MonitorHMP *hmp_mon = container_of(mon, MonitorHMP, common);
    const char *device = qdict_get_str(qdict, "device");
    RingbufInfoList *info;
    HMPConsole *con;
    Error *err = NULL;

    if (!hmp_mon->rs) {
        monitor_printf(mon, "console needs a monitor with line editing"
                       " (-monitor, or -mon mode=readline)\n");
        return;
    }
    /* Fails unless @device exists and is a ring buffer */
    info = qmp_query_ringbuf(true, device, &err);
    if (hmp_handle_error(mon, err)) {
        return;
    }
    qapi_free_RingbufInfoList(info);

    con = g_new0(HMPConsole, 1);
    con->mon = hmp_mon;
    con->device = g_strdup(device);
    con->timer = timer_new_ms(QEMU_CLOCK_REALTIME, console_poll, con);
    con->saved_completion = hmp_mon->rs->completion_finder;
    hmp_mon->rs->completion_finder = console_no_completion;
    monitor_printf(mon, "console: attached to '%s'; type " CONSOLE_ESCAPE
                   " on a line of its own to detach\n", device);
    readline_start(hmp_mon->rs, "", 0, console_line, con);
    console_poll(con);
}
