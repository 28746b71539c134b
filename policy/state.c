/* privacy-mute: the persisted policy state */
/* SPDX-License-Identifier: MIT */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spa/utils/json.h>
#include <spa/utils/string.h>

#include "atomic-file.h"
#include "state.h"

static bool is_blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", buf[i]))
			return false;
	return true;
}

/* spa_json_parse_int() is int-sized; the generation is 64 bits. Only plain
 * decimal digits are accepted, no sign, no hex. */
static int parse_u64(const char *val, int len, uint64_t *res)
{
	char num[24];
	char *end;

	if (len <= 0 || len >= (int)sizeof(num))
		return -EINVAL;
	for (int i = 0; i < len; i++)
		if (val[i] < '0' || val[i] > '9')
			return -EINVAL;
	memcpy(num, val, len);
	num[len] = '\0';
	errno = 0;
	*res = strtoull(num, &end, 10);
	if (errno != 0 || end != num + len)
		return -EINVAL;
	return 0;
}

#define FAIL(reason)	do { *why = (reason); return -EINVAL; } while (0)

int pm_state_parse(const char *buf, size_t len, struct pm_state *st, const char **why)
{
	struct spa_json it, obj;
	const char *val;
	char key[64];
	bool have_muted = false, muted = false, locked = false;
	uint64_t generation = 1;
	int l;

	if (len == 0 || is_blank(buf, len))
		FAIL("empty");
	if (len > PM_STATE_MAX_SIZE)
		FAIL("too large");

	spa_json_init(&it, buf, len);
	if (spa_json_enter_object(&it, &obj) <= 0)
		FAIL("not a JSON object");

	/* Unknown keys are skipped (values that are containers included), so
	 * a newer version may add keys without breaking an older one. */
	while ((l = spa_json_object_next(&obj, key, sizeof(key), &val)) > 0) {
		if (spa_streq(key, "muted")) {
			if (spa_json_parse_bool(val, l, &muted) <= 0)
				FAIL("\"muted\" is not a boolean");
			have_muted = true;
		} else if (spa_streq(key, "locked")) {
			if (spa_json_parse_bool(val, l, &locked) <= 0)
				FAIL("\"locked\" is not a boolean");
		} else if (spa_streq(key, "generation")) {
			if (parse_u64(val, l, &generation) < 0)
				FAIL("\"generation\" is not an unsigned integer");
		}
	}
	if (l < 0)
		FAIL("syntax error");
	if (spa_json_next(&it, &val) != 0)
		FAIL("unexpected data after the object");
	if (!have_muted)
		FAIL("no \"muted\" key");

	/* a lock is a muted lock, whatever the file says */
	st->muted = muted || locked;
	st->generation = generation;
	st->locked = locked;
	return 0;
}

#undef FAIL

int pm_state_format(const struct pm_state *st, char *buf, size_t size)
{
	return snprintf(buf, size, "{ \"muted\": %s, \"generation\": %" PRIu64 "%s }\n",
			st->muted || st->locked ? "true" : "false", st->generation,
			st->locked ? ", \"locked\": true" : "");
}

/* Reads at most size bytes; returns the count or -errno. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t r = read(fd, buf + done, size - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

enum pm_state_status pm_state_load(const char *dir, struct pm_state *st,
		char *why, size_t why_size)
{
	char path[PATH_MAX], buf[PM_STATE_MAX_SIZE + 1];
	const char *reason;
	ssize_t len;
	int fd;

	if (why && why_size > 0)
		why[0] = '\0';

	/* Fail closed: anything but a good file or no file at all is muted. */
	st->muted = true;
	st->generation = 1;
	st->locked = false;

	if ((size_t)snprintf(path, sizeof(path), "%s/" PM_STATE_FILE, dir) >= sizeof(path)) {
		if (why)
			snprintf(why, why_size, "path too long");
		return PM_STATE_UNREADABLE;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			/* First start: installing must not silence anyone. */
			st->muted = false;
			return PM_STATE_MISSING;
		}
		if (why)
			snprintf(why, why_size, "cannot open %s: %s", path, strerror(errno));
		return PM_STATE_UNREADABLE;
	}
	len = read_all(fd, buf, sizeof(buf));
	close(fd);
	if (len < 0) {
		if (why)
			snprintf(why, why_size, "cannot read %s: %s", path, strerror(-len));
		return PM_STATE_UNREADABLE;
	}
	if (pm_state_parse(buf, len, st, &reason) < 0) {
		if (why)
			snprintf(why, why_size, "%s is invalid: %s", path, reason);
		return PM_STATE_CORRUPT;
	}
	if (st->generation == 0)
		st->generation = 1;
	return PM_STATE_OK;
}

int pm_state_save(const char *dir, const struct pm_state *st)
{
	char data[128];
	int len;

	len = pm_state_format(st, data, sizeof(data));
	if (len < 0 || len >= (int)sizeof(data))
		return -EINVAL;
	return pm_atomic_file_write(dir, PM_STATE_FILE, data, len);
}

int pm_state_save_in_place(const char *dir, const struct pm_state *st)
{
	char data[128], path[PATH_MAX];
	int fd, len, res;

	len = pm_state_format(st, data, sizeof(data));
	if (len < 0 || len >= (int)sizeof(data))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/" PM_STATE_FILE, dir) >= sizeof(path))
		return -ENAMETOOLONG;
	/* Truncating frees the old data first, so on a full file system the
	 * new data usually fits where the old was. Every proper prefix of a
	 * formatted state is refused by pm_state_parse(): a crash half way
	 * leaves a file that reads as muted. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return -errno;
	res = pm_write_all(fd, data, len);
	if (res == 0 && fsync(fd) < 0)
		res = -errno;
	if (close(fd) < 0 && res == 0)
		res = -errno;
	return res;
}

/* the files whose temporary files pm_atomic_file_write() leaves here */
static bool is_temp_name(const char *name)
{
	static const char *const files[] = { PM_STATE_FILE, "capture-log" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (pm_atomic_file_is_temp(name, files[i]))
			return true;
	return false;
}

int pm_state_cleanup(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int fd, n = 0, res = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -errno;
	if ((d = fdopendir(fd)) == NULL) {
		res = -errno;
		close(fd);
		return res;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_temp_name(e->d_name))
			continue;
		if (unlinkat(fd, e->d_name, 0) == 0)
			n++;
		else if (res == 0)
			res = -errno;
	}
	closedir(d);
	return res < 0 ? res : n;
}

int pm_state_default_dir(bool system, char *buf, size_t size)
{
	const char *xdg, *home;
	struct passwd *pw;
	int len;

	if (system) {
		len = snprintf(buf, size, "/var/lib/privacy-mute");
	} else if ((xdg = getenv("XDG_STATE_HOME")) != NULL && xdg[0] == '/') {
		/* The XDG spec says relative paths are invalid and ignored. */
		len = snprintf(buf, size, "%s/privacy-mute", xdg);
	} else {
		home = getenv("HOME");
		if (home == NULL || home[0] != '/') {
			pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (home == NULL || home[0] != '/')
			return -ENOENT;
		len = snprintf(buf, size, "%s/.local/state/privacy-mute", home);
	}
	if (len < 0 || (size_t)len >= size)
		return -ENAMETOOLONG;
	return 0;
}
