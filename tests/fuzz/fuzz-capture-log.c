/* privacy-mute fuzzing: the capture log file parser */
/* SPDX-License-Identifier: MIT */

/*
 * Any bytes as the content of the capture-log file: pm_capture_log_parse()
 * must accept or refuse with a reason and an empty log, never read out of
 * bounds; an accepted log holds at most PM_CAPTURE_LOG_MAX entries of
 * bounded, valid UTF-8 strings (they go back out on D-Bus, where libdbus
 * would abort on anything else), and survives pm_capture_log_format() and
 * a second parse unchanged.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

#include "capture-log.h"

#define ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

static void check_string(const char *s)
{
	ASSERT(s != NULL && strlen(s) <= PM_CAPTURE_STRING_MAX);
	ASSERT(dbus_validate_utf8(s, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_capture_log log = { 0 }, again = { 0 };
	const char *why = NULL;
	char *copy, *text, *text2;
	size_t len, len2;

	/* an exact-size copy, so ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	ASSERT(copy != NULL);
	memcpy(copy, data, size);

	if (pm_capture_log_parse(copy, size, &log, &why) < 0) {
		ASSERT(why != NULL && why[0] != '\0');
		ASSERT(log.n == 0 && log.entries == NULL);
	} else {
		ASSERT(log.n <= PM_CAPTURE_LOG_MAX);
		for (uint32_t i = 0; i < log.n; i++) {
			const struct pm_capture_entry *e = &log.entries[i];

			check_string(e->application);
			check_string(e->binary);
			check_string(e->source);
			ASSERT(e->start_us >= 0 && (e->stop_us == 0 || e->stop_us >= e->start_us));
			ASSERT(e->enforcer == NULL);
		}
		ASSERT(pm_capture_log_format(&log, &text, &len) == 0);
		why = NULL;
		if (pm_capture_log_parse(text, len, &again, &why) != 0) {
			fprintf(stderr, "own output refused (%s):\n%s", why, text);
			abort();
		}
		ASSERT(again.n == log.n);
		for (uint32_t i = 0; i < log.n; i++) {
			const struct pm_capture_entry *x = &log.entries[i], *y = &again.entries[i];

			ASSERT(strcmp(x->application, y->application) == 0 &&
					strcmp(x->binary, y->binary) == 0 &&
					strcmp(x->source, y->source) == 0 && x->pid == y->pid &&
					x->start_us == y->start_us && x->stop_us == y->stop_us);
		}
		/* and formats the same: the format is a fixed point */
		ASSERT(pm_capture_log_format(&again, &text2, &len2) == 0);
		ASSERT(len == len2 && memcmp(text, text2, len) == 0);
		free(text);
		free(text2);
	}
	pm_capture_log_clear(&log);
	pm_capture_log_clear(&again);
	free(copy);
	return 0;
}
