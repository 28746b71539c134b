/* privacy-mute: the log of capture attempts while muted */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_CAPTURE_LOG_H
#define PRIVACY_MUTE_CAPTURE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture-info.h"
#include "pm-limits.h"

#define PM_CAPTURE_LOG_FILE	"capture-log"
#define PM_CAPTURE_LOG_MAX	200	/* entries kept: the last ones */
#define PM_CAPTURE_STRING_MAX	PM_STRING_MAX
/* 200 entries of four strings, even fully \u-escaped, stay below this */
#define PM_CAPTURE_LOG_MAX_SIZE	(2 * 1024 * 1024)

struct pm_capture_entry {
	char *application;
	char *binary;
	char *source;
	uint32_t pid;
	int64_t start_us;	/* unix time in microseconds, taken by the policy */
	int64_t stop_us;	/* 0 while open */
	/* while open: who reported it, and its id there (not persisted) */
	char *enforcer;
	uint32_t id;
};

struct pm_capture_log {
	struct pm_capture_entry *entries;	/* oldest first */
	uint32_t n;
};

void pm_capture_log_clear(struct pm_capture_log *log);

/* Open an entry for (enforcer, id) at now_us; the oldest entry goes when
 * the log is full. Returns 0, -EEXIST (that capture is open already: kept
 * as it is), -E2BIG (a string longer than PM_CAPTURE_STRING_MAX) or
 * -ENOMEM. */
int pm_capture_log_start(struct pm_capture_log *log, const char *enforcer, uint32_t id,
		const struct pm_capture_info *info, int64_t now_us);

/* Close the open entry of (enforcer, id) at now_us (never before its
 * start). Returns 0 or -ENOENT. */
int pm_capture_log_stop(struct pm_capture_log *log, const char *enforcer, uint32_t id,
		int64_t now_us);

/* Close every open entry of enforcer (NULL: of everyone) at now_us.
 * Returns how many were closed. */
uint32_t pm_capture_log_close(struct pm_capture_log *log, const char *enforcer,
		int64_t now_us);

/* Parse the file content buf into log (emptied first). Entries beyond
 * PM_CAPTURE_LOG_MAX keep the last ones. Open entries (stop 0) stay open,
 * without an enforcer. Returns 0, -ENOMEM, or -EINVAL with *why set to a
 * static reason; log is empty on error. */
int pm_capture_log_parse(const char *buf, size_t len, struct pm_capture_log *log,
		const char **why);

/* The file content: a JSON object, one entry per line. Returns 0 with
 * *out (malloc'd, NUL-terminated) and *len, or -ENOMEM. */
int pm_capture_log_format(const struct pm_capture_log *log, char **out, size_t *len);

/* Load dir/capture-log into log. Returns 0 (also for no file: an empty
 * log) or a negative errno with a reason in why; log is then empty. */
int pm_capture_log_load(const char *dir, struct pm_capture_log *log, char *why,
		size_t why_size);

/* Write dir/capture-log atomically (as the state file). 0 or -errno. */
int pm_capture_log_save(const char *dir, const struct pm_capture_log *log);

#endif /* PRIVACY_MUTE_CAPTURE_LOG_H */
