/* privacy-mute: the capture log as GetCaptureLog gives it, read and printed */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "dbus-take.h"
#include "json-string.h"
#include "log-print.h"
#include "status.h"

int pm_status_parse_capture_log(DBusMessageIter *it, struct pm_capture_log *log)
{
	DBusMessageIter arr, st;
	dbus_uint32_t pid;
	dbus_int64_t start, stop;
	int res = -EINVAL;

	pm_capture_log_clear(log);
	if (dbus_message_iter_get_arg_type(it) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(it) != DBUS_TYPE_STRUCT)
		return -EINVAL;
	/* the client keeps what the policy sends, up to the policy's limit */
	if ((log->entries = calloc(PM_CAPTURE_LOG_MAX, sizeof(*log->entries))) == NULL)
		return -ENOMEM;
	dbus_message_iter_recurse(it, &arr);
	while (dbus_message_iter_get_arg_type(&arr) == DBUS_TYPE_STRUCT) {
		struct pm_capture_entry *e;

		if (log->n == PM_CAPTURE_LOG_MAX) {
			res = -EINVAL;
			goto fail;
		}
		e = &log->entries[log->n++];
		*e = (struct pm_capture_entry) { 0 };
		dbus_message_iter_recurse(&arr, &st);
		if ((res = pm_take_string(&st, &e->application)) < 0 ||
		    (res = pm_take_string(&st, &e->binary)) < 0)
			goto fail;
		res = -EINVAL;
		if (!pm_take(&st, DBUS_TYPE_UINT32, &pid))
			goto fail;
		if ((res = pm_take_string(&st, &e->source)) < 0)
			goto fail;
		res = -EINVAL;
		if (!pm_take(&st, DBUS_TYPE_INT64, &start) || !pm_take(&st, DBUS_TYPE_INT64, &stop) ||
		    dbus_message_iter_get_arg_type(&st) != DBUS_TYPE_INVALID)
			goto fail;
		e->pid = pid;
		e->start_us = start;
		e->stop_us = stop;
		dbus_message_iter_next(&arr);
	}
	return 0;
fail:
	pm_capture_log_clear(log);
	return res;
}

static void print_time(FILE *f, int64_t us, bool with_date)
{
	time_t t = us / 1000000;
	struct tm tm;
	char buf[64];

	if (us <= 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm) == 0) {
		fputs("?", f);
		return;
	}
	fputs(buf, f);
}

void pm_capture_log_print_text(FILE *f, const struct pm_capture_log *log)
{
	if (log->n == 0) {
		fputs("no capture while muted is logged\n", f);
		return;
	}
	for (uint32_t i = 0; i < log->n; i++) {
		const struct pm_capture_entry *e = &log->entries[i];

		print_time(f, e->start_us, true);
		if (e->stop_us == 0) {
			fputs(" - still going  ", f);
		} else {
			fputs(" - ", f);
			print_time(f, e->stop_us, e->stop_us / 86400000000 != e->start_us / 86400000000);
			fputs("  ", f);
		}
		pm_text_print_string(f, e->application);
		fputs(" (", f);
		pm_text_print_string(f, e->binary);
		fprintf(f, ", pid %" PRIu32 ") on ", e->pid);
		pm_text_print_string(f, e->source);
		fputc('\n', f);
	}
}

void pm_capture_log_print_json(FILE *f, const struct pm_capture_log *log)
{
	fputc('[', f);
	for (uint32_t i = 0; i < log->n; i++) {
		const struct pm_capture_entry *e = &log->entries[i];

		fputs(i ? ", {\"application\": " : "{\"application\": ", f);
		pm_json_print_string(f, e->application);
		fputs(", \"binary\": ", f);
		pm_json_print_string(f, e->binary);
		fprintf(f, ", \"pid\": %" PRIu32 ", \"source\": ", e->pid);
		pm_json_print_string(f, e->source);
		fprintf(f, ", \"start_us\": %" PRId64 ", \"stop_us\": %" PRId64 "}",
				e->start_us, e->stop_us);
	}
	fputs("]\n", f);
}
