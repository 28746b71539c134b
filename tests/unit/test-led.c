/* privacy-mute unit test: choosing and writing the microphone-mute LED */
/* SPDX-License-Identifier: MIT */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "led.h"

#include "check.h"

static void test_pick(void)
{
	const char *none[] = { "input3::capslock", "platform::mute", "::micmute" };
	const char *two[] = { "tpacpi::kbd", "zz::micmute", "platform::micmute" };

	CHECK(pm_led_is_micmute("platform::micmute"));
	CHECK(!pm_led_is_micmute("::micmute"));
	CHECK(!pm_led_is_micmute("platform::micmute2"));
	CHECK(pm_led_pick(none, 3) == NULL);
	CHECK(pm_led_pick(NULL, 0) == NULL);
	CHECK(strcmp(pm_led_pick(two, 3), "platform::micmute") == 0);
}

static void test_value(void)
{
	CHECK(pm_led_sysfs_value(false, "255\n") == 0);
	CHECK(pm_led_sysfs_value(true, "255\n") == 255);
	CHECK(pm_led_sysfs_value(true, NULL) == 1);
	CHECK(pm_led_sysfs_value(true, "junk") == 1);
	CHECK(pm_led_sysfs_value(true, "0") == 1);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void get(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static void test_dir(void)
{
	char dir[] = "/tmp/pm-led-XXXXXX", p[512], out[PM_LED_NAME_MAX], buf[32];

	CHECK(mkdtemp(dir) != NULL);
	CHECK(!pm_led_choose(NULL, dir, out, sizeof(out)));
	snprintf(p, sizeof(p), "%s/input3::capslock", dir);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(!pm_led_choose(NULL, dir, out, sizeof(out)));
	snprintf(p, sizeof(p), "%s/platform::micmute", dir);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(pm_led_choose(NULL, dir, out, sizeof(out)));
	CHECK(strcmp(out, "platform::micmute") == 0);
	CHECK(!pm_led_choose("none", dir, out, sizeof(out)));
	CHECK(!pm_led_choose("../etc", dir, out, sizeof(out)));
	CHECK(pm_led_choose("input3::capslock", dir, out, sizeof(out)));
	CHECK(strcmp(out, "input3::capslock") == 0);
	CHECK(!pm_led_choose(NULL, "/nonexistent-pm", out, sizeof(out)));

	/* the sysfs write: max_brightness when muted, 0 when not */
	snprintf(p, sizeof(p), "%s/platform::micmute/brightness", dir);
	put(p, "0\n");
	CHECK(pm_led_write_sysfs(dir, "platform::micmute", true) == 0);
	get(p, buf, sizeof(buf));
	CHECK(strcmp(buf, "1\n") == 0);
	snprintf(p, sizeof(p), "%s/platform::micmute/max_brightness", dir);
	put(p, "255\n");
	CHECK(pm_led_write_sysfs(dir, "platform::micmute", true) == 0);
	snprintf(p, sizeof(p), "%s/platform::micmute/brightness", dir);
	get(p, buf, sizeof(buf));
	CHECK(strcmp(buf, "255\n") == 0);
	CHECK(pm_led_write_sysfs(dir, "platform::micmute", false) == 0);
	get(p, buf, sizeof(buf));
	CHECK(strcmp(buf, "0\n") == 0);
	CHECK(pm_led_write_sysfs(dir, "missing::micmute", true) < 0);

	unlink(p);
	snprintf(p, sizeof(p), "%s/platform::micmute/max_brightness", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/platform::micmute", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/input3::capslock", dir);
	rmdir(p);
	rmdir(dir);
}

int main(void)
{
	test_pick();
	test_value();
	test_dir();
	return failures != 0;
}
