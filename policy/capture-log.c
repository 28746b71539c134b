/* privacy-mute: the log of capture attempts while muted */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbus/dbus.h>
#include <spa/utils/json.h>
#include <spa/utils/string.h>

#include "atomic-file.h"
#include "capture-log.h"
#include "json-string.h"

static void entry_free(struct pm_capture_entry *e)
{
	free(e->application);
	free(e->binary);
	free(e->source);
	free(e->enforcer);
}

void pm_capture_log_clear(struct pm_capture_log *log)
{
	for (uint32_t i = 0; i < log->n; i++)
		entry_free(&log->entries[i]);
	free(log->entries);
	log->entries = NULL;
	log->n = 0;
}

/* Append e (taken over); the oldest entry goes when the log is full. */
static int append(struct pm_capture_log *log, struct pm_capture_entry *e)
{
	struct pm_capture_entry *arr;

	if (log->entries == NULL) {
		if ((arr = calloc(PM_CAPTURE_LOG_MAX, sizeof(*arr))) == NULL)
			return -ENOMEM;
		log->entries = arr;
	}
	if (log->n == PM_CAPTURE_LOG_MAX) {
		entry_free(&log->entries[0]);
		memmove(&log->entries[0], &log->entries[1],
				(log->n - 1) * sizeof(log->entries[0]));
		log->n--;
	}
	log->entries[log->n++] = *e;
	return 0;
}

static struct pm_capture_entry *find_open(struct pm_capture_log *log, const char *enforcer,
		uint32_t id)
{
	for (uint32_t i = 0; i < log->n; i++) {
		struct pm_capture_entry *e = &log->entries[i];

		if (e->stop_us == 0 && e->enforcer != NULL && e->id == id &&
		    strcmp(e->enforcer, enforcer) == 0)
			return e;
	}
	return NULL;
}

static int dup_string(char **dst, const char *src)
{
	if (src == NULL)
		src = "";
	if (strlen(src) > PM_CAPTURE_STRING_MAX)
		return -E2BIG;
	return (*dst = strdup(src)) ? 0 : -ENOMEM;
}

/* An open entry must not read as "open" by its stop time */
static int64_t stop_time(const struct pm_capture_entry *e, int64_t now_us)
{
	if (now_us < e->start_us)
		now_us = e->start_us;
	return now_us > 0 ? now_us : 1;
}

int pm_capture_log_start(struct pm_capture_log *log, const char *enforcer, uint32_t id,
		const struct pm_capture_info *info, int64_t now_us)
{
	struct pm_capture_entry e = { .pid = info->pid, .start_us = now_us, .id = id };
	int res;

	if (find_open(log, enforcer, id) != NULL)
		return -EEXIST;
	if ((res = dup_string(&e.application, info->application)) < 0 ||
	    (res = dup_string(&e.binary, info->binary)) < 0 ||
	    (res = dup_string(&e.source, info->source)) < 0 ||
	    (e.enforcer = strdup(enforcer)) == NULL ||
	    (res = append(log, &e)) < 0) {
		entry_free(&e);
		return res < 0 ? res : -ENOMEM;
	}
	return 0;
}

int pm_capture_log_stop(struct pm_capture_log *log, const char *enforcer, uint32_t id,
		int64_t now_us)
{
	struct pm_capture_entry *e = find_open(log, enforcer, id);

	if (e == NULL)
		return -ENOENT;
	e->stop_us = stop_time(e, now_us);
	free(e->enforcer);
	e->enforcer = NULL;
	return 0;
}

uint32_t pm_capture_log_close(struct pm_capture_log *log, const char *enforcer,
		int64_t now_us)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < log->n; i++) {
		struct pm_capture_entry *e = &log->entries[i];

		if (e->stop_us != 0)
			continue;
		if (enforcer != NULL && (e->enforcer == NULL || strcmp(e->enforcer, enforcer) != 0))
			continue;
		e->stop_us = stop_time(e, now_us);
		free(e->enforcer);
		e->enforcer = NULL;
		n++;
	}
	return n;
}

/* ---- the file ---- */

#define FAIL(reason)	do { *why = (reason); return -EINVAL; } while (0)

/* Plain decimal digits only, no sign, at most max. */
static int parse_number(const char *val, int len, uint64_t max, uint64_t *res)
{
	uint64_t v = 0;

	if (len <= 0 || len > 20)
		return -EINVAL;
	for (int i = 0; i < len; i++) {
		if (val[i] < '0' || val[i] > '9')
			return -EINVAL;
		if (v > (max - (val[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (val[i] - '0');
	}
	*res = v;
	return 0;
}

/* A quoted JSON string of at most PM_CAPTURE_STRING_MAX bytes of valid
 * UTF-8 (it goes back out on D-Bus, where libdbus insists on it). */
static int parse_string(const char *val, int len, char **dst, const char **why)
{
	char *s;

	if (!spa_json_is_string(val, len))
		FAIL("a string field is not a string");
	if ((s = malloc(len + 1)) == NULL)
		return -ENOMEM;
	spa_json_parse_stringn(val, len, s, len + 1);
	if (strlen(s) > PM_CAPTURE_STRING_MAX) {
		free(s);
		FAIL("a string is longer than 256 bytes");
	}
	if (!dbus_validate_utf8(s, NULL)) {
		free(s);
		FAIL("a string is not valid UTF-8");
	}
	free(*dst);
	*dst = s;
	return 0;
}

static int parse_entry(struct spa_json *obj, struct pm_capture_entry *e, const char **why)
{
	const char *val;
	char key[32];
	uint64_t v;
	bool have_start = false;
	int l, res;

	while ((l = spa_json_object_next(obj, key, sizeof(key), &val)) > 0) {
		res = 0;
		if (spa_streq(key, "application"))
			res = parse_string(val, l, &e->application, why);
		else if (spa_streq(key, "binary"))
			res = parse_string(val, l, &e->binary, why);
		else if (spa_streq(key, "source"))
			res = parse_string(val, l, &e->source, why);
		else if (spa_streq(key, "pid")) {
			if (parse_number(val, l, UINT32_MAX, &v) < 0)
				FAIL("\"pid\" is not a 32-bit unsigned integer");
			e->pid = v;
		} else if (spa_streq(key, "start")) {
			if (parse_number(val, l, INT64_MAX, &v) < 0)
				FAIL("\"start\" is not a time in microseconds");
			e->start_us = v;
			have_start = true;
		} else if (spa_streq(key, "stop")) {
			if (parse_number(val, l, INT64_MAX, &v) < 0)
				FAIL("\"stop\" is not a time in microseconds");
			e->stop_us = v;
		}
		/* other keys: room for later versions */
		if (res < 0)
			return res;
	}
	if (l < 0)
		FAIL("syntax error in an entry");
	if (!have_start)
		FAIL("an entry has no \"start\"");
	if (e->stop_us != 0 && e->stop_us < e->start_us)
		FAIL("an entry stops before it starts");
	/* absent strings read as empty */
	if ((!e->application && (e->application = strdup("")) == NULL) ||
	    (!e->binary && (e->binary = strdup("")) == NULL) ||
	    (!e->source && (e->source = strdup("")) == NULL))
		return -ENOMEM;
	return 0;
}

static int parse_entries(struct spa_json *arr, struct pm_capture_log *log, const char **why)
{
	struct spa_json obj;
	int res;

	while ((res = spa_json_enter_object(arr, &obj)) > 0) {
		struct pm_capture_entry e = { 0 };

		if ((res = parse_entry(&obj, &e, why)) < 0 ||
		    (res = append(log, &e)) < 0) {
			entry_free(&e);
			return res;
		}
	}
	if (res < 0)
		FAIL("\"entries\" holds something that is not an entry object");
	return 0;
}

int pm_capture_log_parse(const char *buf, size_t len, struct pm_capture_log *log,
		const char **why)
{
	struct spa_json it, obj, arr;
	const char *val;
	char key[64];
	int l, res;

	pm_capture_log_clear(log);
	if (len == 0)
		FAIL("empty");
	if (len > PM_CAPTURE_LOG_MAX_SIZE)
		FAIL("too large");

	spa_json_init(&it, buf, len);
	if (spa_json_enter_object(&it, &obj) <= 0)
		FAIL("not a JSON object");
	while ((l = spa_json_object_next(&obj, key, sizeof(key), &val)) > 0) {
		if (!spa_streq(key, "entries"))
			continue;
		if (!spa_json_is_array(val, l)) {
			res = -EINVAL;
			*why = "\"entries\" is not an array";
			goto fail;
		}
		/* a repeated key: the last one counts */
		pm_capture_log_clear(log);
		spa_json_enter(&obj, &arr);
		if ((res = parse_entries(&arr, log, why)) < 0)
			goto fail;
	}
	res = -EINVAL;
	if (l < 0) {
		*why = "syntax error";
		goto fail;
	}
	if (spa_json_next(&it, &val) != 0) {
		*why = "unexpected data after the object";
		goto fail;
	}
	return 0;
fail:
	pm_capture_log_clear(log);
	return res;
}

#undef FAIL

static void put_string(FILE *f, const char *key, const char *s)
{
	fprintf(f, "\"%s\": ", key);
	pm_json_write_string(f, s, PM_JSON_SHORT_BF);
	fputs(", ", f);
}

int pm_capture_log_format(const struct pm_capture_log *log, char **out, size_t *len)
{
	FILE *f;

	*out = NULL;
	*len = 0;
	if ((f = open_memstream(out, len)) == NULL)
		return -ENOMEM;
	fputs("{ \"version\": 1, \"entries\": [\n", f);
	for (uint32_t i = 0; i < log->n; i++) {
		const struct pm_capture_entry *e = &log->entries[i];

		fputs("  { ", f);
		put_string(f, "application", e->application);
		put_string(f, "binary", e->binary);
		fprintf(f, "\"pid\": %" PRIu32 ", ", e->pid);
		put_string(f, "source", e->source);
		fprintf(f, "\"start\": %" PRId64 ", \"stop\": %" PRId64 " }%s\n",
				e->start_us < 0 ? 0 : e->start_us, e->stop_us < 0 ? 0 : e->stop_us,
				i + 1 < log->n ? "," : "");
	}
	fputs("] }\n", f);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

int pm_capture_log_load(const char *dir, struct pm_capture_log *log, char *why,
		size_t why_size)
{
	char path[PATH_MAX], *buf;
	const char *reason;
	size_t len = 0;
	ssize_t r;
	int fd, res;

	pm_capture_log_clear(log);
	if (why && why_size)
		why[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/" PM_CAPTURE_LOG_FILE, dir) >= sizeof(path))
		return -ENAMETOOLONG;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		res = -errno;
		if (why)
			snprintf(why, why_size, "cannot open %s: %s", path, strerror(-res));
		return res;
	}
	if ((buf = malloc(PM_CAPTURE_LOG_MAX_SIZE + 1)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (len <= PM_CAPTURE_LOG_MAX_SIZE) {
		r = read(fd, buf + len, PM_CAPTURE_LOG_MAX_SIZE + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			res = -errno;
			if (why)
				snprintf(why, why_size, "cannot read %s: %s", path, strerror(-res));
			goto out;
		}
		if (r == 0)
			break;
		len += r;
	}
	if ((res = pm_capture_log_parse(buf, len, log, &reason)) < 0 && why)
		snprintf(why, why_size, "%s is invalid: %s", path,
				res == -EINVAL ? reason : strerror(-res));
out:
	close(fd);
	free(buf);
	return res;
}

int pm_capture_log_save(const char *dir, const struct pm_capture_log *log)
{
	char *data;
	size_t len;
	int res;

	if ((res = pm_capture_log_format(log, &data, &len)) < 0)
		return res;
	res = pm_atomic_file_write(dir, PM_CAPTURE_LOG_FILE, data, len);
	free(data);
	return res;
}
