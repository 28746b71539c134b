/* privacy-mute: the capture log as GetCaptureLog gives it, read and printed */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_LOG_PRINT_H
#define PRIVACY_MUTE_LOG_PRINT_H

#include <stdio.h>

#include <dbus/dbus.h>

#include "capture-log.h"

/* Read a GetCaptureLog reply, a(ssusxx) at it, into log (emptied first).
 * Returns 0, -EINVAL (not that type) or -ENOMEM; log is empty on error. */
int pm_status_parse_capture_log(DBusMessageIter *it, struct pm_capture_log *log);

/* The capture log for people: one line per entry, local times. */
void pm_capture_log_print_text(FILE *f, const struct pm_capture_log *log);

/* The capture log as one JSON array on one line: objects with
 * application, binary, pid, source, start_us, stop_us (0: still going). */
void pm_capture_log_print_json(FILE *f, const struct pm_capture_log *log);

#endif /* PRIVACY_MUTE_LOG_PRINT_H */
