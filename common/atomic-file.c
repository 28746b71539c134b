/* privacy-mute: writing a file so that a crash leaves the old or the new one */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic-file.h"

/* mkostemp() fills in these six */
#define TEMP_SUFFIX	"XXXXXX"

/* mkdir -p, new components with mode. */
static int make_dirs(const char *dir, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int pm_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		buf += r;
		len -= r;
	}
	return 0;
}

static int sync_dir(const char *dir)
{
	int fd, res = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	/* Some file systems cannot fsync a directory (EINVAL); the rename
	 * is then as durable as that file system makes it. */
	if (fsync(fd) < 0 && errno != EINVAL)
		res = -errno;
	close(fd);
	return res;
}

int pm_atomic_file_write(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, res;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s." TEMP_SUFFIX, dir, name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	if ((res = make_dirs(dir, 0700)) < 0)
		return res;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return -errno;
	if ((res = pm_write_all(fd, data, len)) < 0)
		goto fail;
	if (fsync(fd) < 0) {
		res = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		res = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		res = -errno;
		goto fail;
	}
	return sync_dir(dir);

fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return res;
}

bool pm_atomic_file_is_temp(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return entry[0] == '.' && strncmp(entry + 1, name, n) == 0 && entry[n + 1] == '.' &&
		strlen(entry + n + 2) == strlen(TEMP_SUFFIX);
}
