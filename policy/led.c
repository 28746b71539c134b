/* privacy-mute: the microphone-mute LED that follows the privacy mute (issue 16) */
/* SPDX-License-Identifier: MIT */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "led.h"

bool pm_led_is_micmute(const char *name)
{
	static const char suffix[] = "::micmute";
	size_t n = strlen(name), s = sizeof(suffix) - 1;

	/* a device part is required: "::micmute" alone names nothing */
	return n > s && strcmp(name + n - s, suffix) == 0;
}

const char *pm_led_pick(const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (names[i] == NULL || !pm_led_is_micmute(names[i]))
			continue;
		if (best == NULL || strcmp(names[i], best) < 0)
			best = names[i];
	}
	return best;
}

static bool name_ok(const char *name)
{
	/* a single path component, so an option cannot point elsewhere */
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
		strlen(name) < PM_LED_NAME_MAX;
}

bool pm_led_choose(const char *option, const char *dir, char *out, size_t size)
{
	const char *names[256];
	const char *pick;
	struct dirent *d;
	size_t n = 0;
	bool ok = false;
	DIR *dp;

	if (option != NULL) {
		if (strcmp(option, "none") == 0 || !name_ok(option))
			return false;
		return snprintf(out, size, "%s", option) < (int)size;
	}
	if ((dp = opendir(dir)) == NULL)
		return false;
	while ((d = readdir(dp)) != NULL && n < sizeof(names) / sizeof(names[0])) {
		if (name_ok(d->d_name))
			names[n++] = strdup(d->d_name);
	}
	if ((pick = pm_led_pick(names, n)) != NULL)
		ok = snprintf(out, size, "%s", pick) < (int)size;
	while (n > 0)
		free((char *)names[--n]);
	closedir(dp);
	return ok;
}

unsigned int pm_led_sysfs_value(bool muted, const char *max_text)
{
	unsigned long v;
	char *end;

	if (!muted)
		return 0;
	if (max_text == NULL)
		return 1;
	errno = 0;
	v = strtoul(max_text, &end, 10);
	if (errno != 0 || end == max_text || (*end != '\0' && *end != '\n') ||
	    v == 0 || v > 0xffffffffUL)
		return 1;
	return (unsigned int)v;
}

int pm_led_write_sysfs(const char *dir, const char *name, bool muted)
{
	char path[4096], max[32], val[16];
	const char *max_text = NULL;
	ssize_t r;
	int fd, len, res = 0;

	if (muted) {
		snprintf(path, sizeof(path), "%s/%s/max_brightness", dir, name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			if ((r = read(fd, max, sizeof(max) - 1)) > 0) {
				max[r] = '\0';
				max_text = max;
			}
			close(fd);
		}
	}
	len = snprintf(val, sizeof(val), "%u\n", pm_led_sysfs_value(muted, max_text));
	snprintf(path, sizeof(path), "%s/%s/brightness", dir, name);
	/* O_TRUNC as the shell's "echo 1 > brightness": sysfs ignores it,
	 * a plain file (a test's fake LED) needs it */
	if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC)) < 0)
		return -errno;
	if (write(fd, val, len) != len)
		res = errno != 0 ? -errno : -EIO;
	close(fd);
	return res;
}
