/* privacy-mute fuzzing: the CLI's reading of the policy's properties */
/* SPDX-License-Identifier: MIT */

/*
 * Whoever owns the policy's name on the bus can answer GetAll and send
 * PropertiesChanged with anything. Messages of any shape (dbus-gen.h) go
 * through pm_status_update() as a GetAll reply and as the changed dict of
 * a signal, on one status that accumulates; after each, the status is
 * printed as text and as JSON, and the JSON must be one line of valid
 * JSON (checked by the strict parser below).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbus-gen.h"
#include "log-print.h"
#include "status.h"

#define ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

/* ---- a strict JSON parser (RFC 8259), just to say valid or not ---- */

static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = *p++;

		if (c == '"')
			return p;
		if (c < 0x20)
			return NULL;
		if (c != '\\')
			continue;
		c = *p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, p++)
				if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
				      (*p >= 'A' && *p <= 'F')))
					return NULL;
		} else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
			return NULL;
		}
	}
}

static const char *json_number(const char *p)
{
	const char *start;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		start = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		start = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	return p;
}

static const char *json_members(const char *p, int depth, char close, bool object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if ((p = json_string(json_ws(p))) == NULL)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if ((p = json_value(p, depth + 1)) == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	if (depth > 16)
		return NULL;
	p = json_ws(p);
	switch (*p) {
	case '{':
		return json_members(p, depth, '}', true);
	case '[':
		return json_members(p, depth, ']', false);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

/* ---- the target ---- */

static void print_and_check(const struct pm_status *st)
{
	char *out = NULL;
	size_t len = 0;
	const char *end;
	FILE *f;

	ASSERT((f = open_memstream(&out, &len)) != NULL);
	pm_status_print_text(f, st);
	fclose(f);
	free(out);

	out = NULL;
	ASSERT((f = open_memstream(&out, &len)) != NULL);
	pm_status_print_json(f, st);
	fclose(f);
	/* one line: the only newline is the last byte */
	ASSERT(len > 0 && out[len - 1] == '\n' && memchr(out, '\n', len) == out + len - 1);
	ASSERT(strlen(out) == len);
	end = json_value(out, 0);
	if (end == NULL || *json_ws(end) != '\0') {
		fprintf(stderr, "invalid JSON: %s", out);
		abort();
	}
	free(out);
}

/* A GetCaptureLog reply as the CLI reads and prints it */
static void capture_log_check(DBusMessage *m)
{
	struct pm_capture_log log = { 0 };
	DBusMessageIter it;
	char *out = NULL;
	size_t len = 0;
	const char *end;
	FILE *f;

	if (!dbus_message_iter_init(m, &it) || pm_status_parse_capture_log(&it, &log) < 0) {
		ASSERT(log.n == 0 && log.entries == NULL);
		return;
	}
	ASSERT((f = open_memstream(&out, &len)) != NULL);
	pm_capture_log_print_text(f, &log);
	fclose(f);
	free(out);
	out = NULL;
	ASSERT((f = open_memstream(&out, &len)) != NULL);
	pm_capture_log_print_json(f, &log);
	fclose(f);
	ASSERT(len > 0 && out[len - 1] == '\n' && memchr(out, '\n', len) == out + len - 1);
	end = json_value(out, 0);
	if (end == NULL || *json_ws(end) != '\0') {
		fprintf(stderr, "invalid JSON: %s", out);
		abort();
	}
	free(out);
	pm_capture_log_clear(&log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen g = { .data = data, .size = size, .budget = 4096 };
	struct pm_status st = { 0 };
	DBusMessageIter it;
	DBusMessage *m;
	int end;

	for (int i = 0; i < 8; i++) {
		m = gen_message(&g, &end);
		if (m != NULL) {
			struct pm_status before = st;

			/* a GetAll reply: the a{sv} is the first argument */
			if (dbus_message_iter_init(m, &it)) {
				int res = pm_status_update(&st, &it);

				/* st is unchanged on error */
				if (res < 0)
					ASSERT(memcmp(&before, &st, sizeof(st)) == 0);
			}
			print_and_check(&st);
			capture_log_check(m);
			/* PropertiesChanged: (s a{sv} as), the dict second */
			if (dbus_message_iter_init(m, &it) && dbus_message_iter_next(&it))
				pm_status_update(&st, &it);
			print_and_check(&st);
			dbus_message_unref(m);
		}
		if (end)
			break;
	}
	pm_status_clear(&st);
	return 0;
}
