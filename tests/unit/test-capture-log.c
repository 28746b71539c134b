/* privacy-mute unit test: the capture log (entries, file format) and the
 * rate limiter */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture-log.h"
#include "ratelimit.h"

#include "check.h"

static const struct pm_capture_info zoom = { "Zoom", "zoom", "alsa_input.usb", 100 };
static const struct pm_capture_info rec = { "pw-record", "pw-record", "testmic", 200 };

static void test_entries(void)
{
	struct pm_capture_log log = { 0 };
	struct pm_capture_info big = zoom;
	char long_str[300];

	CHECK(pm_capture_log_start(&log, ":1.4", 7, &zoom, 1000) == 0);
	CHECK(log.n == 1 && log.entries[0].stop_us == 0 && log.entries[0].pid == 100);
	/* the same capture again: kept as it was */
	CHECK(pm_capture_log_start(&log, ":1.4", 7, &rec, 1500) == -EEXIST);
	CHECK(log.n == 1 && strcmp(log.entries[0].application, "Zoom") == 0);
	/* the same id of another enforcer is another capture */
	CHECK(pm_capture_log_start(&log, ":1.9", 7, &rec, 1600) == 0);
	CHECK(log.n == 2);

	CHECK(pm_capture_log_stop(&log, ":1.4", 8, 2000) == -ENOENT);
	CHECK(pm_capture_log_stop(&log, ":1.4", 7, 2000) == 0);
	CHECK(log.entries[0].stop_us == 2000 && log.entries[0].enforcer == NULL);
	CHECK(pm_capture_log_stop(&log, ":1.4", 7, 2100) == -ENOENT);
	/* closed, the id may start again: a new entry */
	CHECK(pm_capture_log_start(&log, ":1.4", 7, &zoom, 2200) == 0);
	CHECK(log.n == 3);

	/* a clock that went back never stops an entry before it started */
	CHECK(pm_capture_log_stop(&log, ":1.9", 7, 5) == 0);
	CHECK(log.entries[1].stop_us == 1600);

	/* the entries of an enforcer that left; then of everyone */
	CHECK(pm_capture_log_start(&log, ":1.9", 8, &rec, 3000) == 0);
	CHECK(pm_capture_log_close(&log, ":1.9", 3500) == 1);
	CHECK(log.entries[3].stop_us == 3500);
	CHECK(pm_capture_log_close(&log, ":1.9", 3600) == 0);
	CHECK(pm_capture_log_close(&log, NULL, 4000) == 1);
	CHECK(log.entries[2].stop_us == 4000);

	/* strings over 256 bytes are refused, NULL reads as empty */
	memset(long_str, 'x', 257);
	long_str[257] = '\0';
	big.binary = long_str;
	CHECK(pm_capture_log_start(&log, ":1.4", 99, &big, 5000) == -E2BIG);
	long_str[256] = '\0';
	CHECK(pm_capture_log_start(&log, ":1.4", 99, &big, 5000) == 0);
	big = (struct pm_capture_info) { 0 };
	CHECK(pm_capture_log_start(&log, ":1.4", 100, &big, 5000) == 0);
	CHECK(strcmp(log.entries[log.n - 1].application, "") == 0);
	pm_capture_log_clear(&log);
	CHECK(log.n == 0 && log.entries == NULL);

	/* bounded: the last PM_CAPTURE_LOG_MAX stay, oldest first */
	for (uint32_t i = 0; i < PM_CAPTURE_LOG_MAX + 50; i++)
		CHECK(pm_capture_log_start(&log, ":1.4", i, &zoom, 1000 + i) == 0);
	CHECK(log.n == PM_CAPTURE_LOG_MAX);
	CHECK(log.entries[0].start_us == 1050 && log.entries[0].id == 50);
	CHECK(log.entries[PM_CAPTURE_LOG_MAX - 1].start_us == 1000 + PM_CAPTURE_LOG_MAX + 49);
	/* an evicted open entry cannot be stopped any more */
	CHECK(pm_capture_log_stop(&log, ":1.4", 3, 9999) == -ENOENT);
	CHECK(pm_capture_log_stop(&log, ":1.4", 60, 9999) == 0);
	pm_capture_log_clear(&log);
}

static int parse(const char *text, struct pm_capture_log *log, const char **why)
{
	*why = NULL;
	return pm_capture_log_parse(text, strlen(text), log, why);
}

static void test_file_format(void)
{
	struct pm_capture_log log = { 0 }, back = { 0 };
	struct pm_capture_info odd = { "a\"b\\c\n\t\x01 é", "", "m<i>c", 4294967295u };
	const char *why;
	char *text, *again;
	size_t len, len2;

	CHECK(pm_capture_log_start(&log, ":1.4", 1, &zoom, 1700000000000000) == 0);
	CHECK(pm_capture_log_stop(&log, ":1.4", 1, 1700000001000000) == 0);
	CHECK(pm_capture_log_start(&log, ":1.4", 2, &odd, 1700000002000000) == 0);
	CHECK(pm_capture_log_format(&log, &text, &len) == 0);
	CHECK(strlen(text) == len);
	{
		static const char first[] = "{ \"version\": 1, \"entries\": [\n  { \"application\": "
			"\"Zoom\", \"binary\": \"zoom\", \"pid\": 100, \"source\": \"alsa_input.usb\", "
			"\"start\": 1700000000000000, \"stop\": 1700000001000000 },\n";

		CHECK(strncmp(text, first, sizeof(first) - 1) == 0);
	}
	CHECK(pm_capture_log_parse(text, len, &back, &why) == 0);
	CHECK(back.n == 2);
	if (back.n == 2) {
		CHECK(strcmp(back.entries[1].application, odd.application) == 0);
		CHECK(strcmp(back.entries[1].source, "m<i>c") == 0);
		CHECK(back.entries[1].pid == 4294967295u);
		/* open in the file: open after loading, with no enforcer */
		CHECK(back.entries[1].stop_us == 0 && back.entries[1].enforcer == NULL);
		CHECK(back.entries[0].stop_us == 1700000001000000);
	}
	CHECK(pm_capture_log_format(&back, &again, &len2) == 0);
	CHECK(len == len2 && strcmp(text, again) == 0);
	free(again);

	/* every proper prefix of a formatted log is refused: a cut file is
	 * noticed, never read as a shorter log */
	for (size_t i = 0; i + 1 < len; i++) {
		const char *w = NULL;
		int res = pm_capture_log_parse(text, i, &back, &w);

		if (res == 0) {
			fprintf(stderr, "prefix of %zu bytes accepted\n", i);
			failures++;
			break;
		}
		CHECK(w != NULL && back.n == 0);
	}
	free(text);

	/* unknown keys are skipped, missing strings read as empty */
	CHECK(parse("{ \"new\": [1, {\"x\": 2}], \"entries\": [ { \"start\": 5, \"later\": {} } ] }",
				&back, &why) == 0);
	CHECK(back.n == 1 && back.entries[0].start_us == 5 &&
			strcmp(back.entries[0].application, "") == 0 && back.entries[0].stop_us == 0);
	CHECK(parse("{ \"entries\": [] }", &back, &why) == 0 && back.n == 0);
	CHECK(parse("{ }", &back, &why) == 0 && back.n == 0);

	/* what is refused, with a reason */
	static const char *const bad[] = {
		"", "[]", "{ \"entries\": 5 }", "{ \"entries\": [ 5 ] }",
		"{ \"entries\": [ { } ] }",
		"{ \"entries\": [ { \"start\": -1 } ] }",
		"{ \"entries\": [ { \"start\": 5, \"stop\": 4 } ] }",
		"{ \"entries\": [ { \"start\": 9223372036854775808 } ] }",
		"{ \"entries\": [ { \"start\": 5, \"pid\": 4294967296 } ] }",
		"{ \"entries\": [ { \"start\": 5, \"pid\": 0x10 } ] }",
		"{ \"entries\": [ { \"start\": 5, \"application\": 7 } ] }",
		"{ \"entries\": [ { \"start\": 5, \"application\": bare } ] }",
		"{ \"entries\": [] } x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int res = parse(bad[i], &back, &why);

		if (res != -EINVAL || why == NULL || back.n != 0) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			failures++;
		}
	}
	/* a string over 256 bytes, escaped or not */
	{
		char buf[2048];
		int n = snprintf(buf, sizeof(buf), "{ \"entries\": [ { \"start\": 1, \"binary\": \"");
		for (int i = 0; i < 257; i++)
			n += snprintf(buf + n, sizeof(buf) - n, "x");
		snprintf(buf + n, sizeof(buf) - n, "\" } ] }");
		CHECK(parse(buf, &back, &why) == -EINVAL && strstr(why, "256"));
	}
	/* invalid UTF-8 would be refused by libdbus when sent: refused here */
	CHECK(parse("{ \"entries\": [ { \"start\": 1, \"binary\": \"\xff\" } ] }", &back, &why) == -EINVAL);

	/* a file of more than PM_CAPTURE_LOG_MAX entries keeps the last */
	{
		size_t size = 64 + (PM_CAPTURE_LOG_MAX + 10) * 32;
		char *buf = malloc(size);
		int n = snprintf(buf, size, "{ \"entries\": [");

		for (int i = 0; i < PM_CAPTURE_LOG_MAX + 10; i++)
			n += snprintf(buf + n, size - n, "%s{ \"start\": %d }", i ? "," : "", i + 1);
		snprintf(buf + n, size - n, "] }");
		CHECK(parse(buf, &back, &why) == 0);
		CHECK(back.n == PM_CAPTURE_LOG_MAX && back.entries[0].start_us == 11);
		free(buf);
	}
	pm_capture_log_clear(&back);
	pm_capture_log_clear(&log);
}

static void test_load_save(void)
{
	char dir[] = "/tmp/pm-test-capture-log.XXXXXX", path[256], why[512];
	struct pm_capture_log log = { 0 }, back = { 0 };
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	/* no file: an empty log */
	CHECK(pm_capture_log_load(dir, &back, why, sizeof(why)) == 0 && back.n == 0);
	CHECK(pm_capture_log_start(&log, ":1.4", 1, &rec, 123) == 0);
	CHECK(pm_capture_log_save(dir, &log) == 0);
	snprintf(path, sizeof(path), "%s/capture-log", dir);
	CHECK(access(path, R_OK) == 0);
	CHECK(pm_capture_log_load(dir, &back, why, sizeof(why)) == 0);
	CHECK(back.n == 1 && strcmp(back.entries[0].application, "pw-record") == 0 &&
			back.entries[0].start_us == 123);
	/* a bad file: refused with the path and reason, the log empty */
	f = fopen(path, "w");
	fputs("{ \"entries\": [ { \"start\": 5, \"stop\": 1 } ] }", f);
	fclose(f);
	CHECK(pm_capture_log_load(dir, &back, why, sizeof(why)) == -EINVAL);
	CHECK(back.n == 0 && strstr(why, path) && strstr(why, "stops before"));
	unlink(path);
	rmdir(dir);
	pm_capture_log_clear(&log);
	pm_capture_log_clear(&back);
}

static void test_ratelimit(void)
{
	struct pm_ratelimit rl;
	char key[32];

	pm_ratelimit_init(&rl, 30000);
	CHECK(pm_ratelimit_allow(&rl, "testmic", 1000));
	CHECK(!pm_ratelimit_allow(&rl, "testmic", 1001));
	CHECK(!pm_ratelimit_allow(&rl, "testmic", 30999));
	/* other keys are independent */
	CHECK(pm_ratelimit_allow(&rl, "alsamic", 1001));
	CHECK(pm_ratelimit_allow(&rl, "testmic", 31000));
	CHECK(!pm_ratelimit_allow(&rl, "testmic", 31000));
	/* a clock that goes back does not let anything through */
	CHECK(!pm_ratelimit_allow(&rl, "testmic", 500));
	/* a flood of new keys is allowed (each once), and evicts the oldest:
	 * new keys are never blocked by a full table */
	for (int i = 0; i < PM_RATELIMIT_KEYS * 2; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		CHECK(pm_ratelimit_allow(&rl, key, 40000 + i));
		CHECK(!pm_ratelimit_allow(&rl, key, 40000 + i));
	}
	/* the recent keys are still limited */
	snprintf(key, sizeof(key), "k%d", PM_RATELIMIT_KEYS * 2 - 1);
	CHECK(!pm_ratelimit_allow(&rl, key, 41000));
	/* keys are compared on their first PM_RATELIMIT_KEY_MAX bytes */
	{
		char a[PM_RATELIMIT_KEY_MAX + 10], b[PM_RATELIMIT_KEY_MAX + 10];

		memset(a, 'a', sizeof(a) - 1);
		a[sizeof(a) - 1] = '\0';
		memcpy(b, a, sizeof(b));
		b[sizeof(b) - 2] = 'b';
		CHECK(pm_ratelimit_allow(&rl, a, 50000));
		CHECK(!pm_ratelimit_allow(&rl, b, 50001));
	}
}

int main(void)
{
	test_entries();
	test_file_format();
	test_load_save();
	test_ratelimit();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
