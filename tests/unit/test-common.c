/* privacy-mute unit tests: the JSON string encoder and the atomic writer */
/* SPDX-License-Identifier: MIT */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spa/utils/json.h>

#include "atomic-file.h"
#include "check.h"
#include "json-string.h"

static char *encode(const char *s, enum pm_json_flags flags)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	pm_json_write_string(f, s, flags);
	fclose(f);
	return out;
}

static void check_encode(const char *s, enum pm_json_flags flags, const char *want)
{
	char *got = encode(s, flags);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "encoded as %s, not %s\n", got, want);
		failures++;
	}
	free(got);
}

static void test_json_string(void)
{
	/* every control character, then bytes above ASCII as they are */
	char all[64];
	int n = 0;

	check_encode(NULL, 0, "\"\"");
	check_encode("", PM_JSON_SHORT_BF, "\"\"");
	check_encode("a\"b\\c\n\r\t/é\x7f", 0, "\"a\\\"b\\\\c\\n\\r\\t/é\x7f\"");
	/* the two styles differ in \b and \f only */
	check_encode("\b\f\x01\x1f", 0, "\"\\u0008\\u000c\\u0001\\u001f\"");
	check_encode("\b\f\x01\x1f", PM_JSON_SHORT_BF, "\"\\b\\f\\u0001\\u001f\"");

	/* the capture-log style is what spa_json_encode_string writes, which
	 * the file had before: the same bytes for every control character */
	for (int c = 1; c < 0x20; c++)
		all[n++] = c;
	memcpy(all + n, "\"\\x\xc3\xa9", 6);
	{
		char want[512], *got = encode(all, PM_JSON_SHORT_BF);

		spa_json_encode_string(want, sizeof(want), all);
		CHECK(strcmp(got, want) == 0);
		free(got);
	}
}

static void test_atomic_file(void)
{
	char dir[] = "/tmp/pm-test-common.XXXXXX", sub[256], path[320], buf[64];
	struct dirent *e;
	FILE *f;
	DIR *d;
	size_t len;
	int n = 0;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	snprintf(path, sizeof(path), "%s/file", sub);
	/* missing directories are made; a second write replaces the first */
	CHECK(pm_atomic_file_write(sub, "file", "first\n", 6) == 0);
	CHECK(pm_atomic_file_write(sub, "file", "second", 6) == 0);
	CHECK((f = fopen(path, "r")) != NULL);
	if (f) {
		len = fread(buf, 1, sizeof(buf), f);
		CHECK(len == 6 && memcmp(buf, "second", 6) == 0);
		fclose(f);
	}
	/* no temporary file stays behind */
	CHECK((d = opendir(sub)) != NULL);
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || pm_atomic_file_is_temp(e->d_name, "file"))
			n++;
	if (d)
		closedir(d);
	CHECK(n == 1);
	/* a directory that cannot be made */
	CHECK(pm_atomic_file_write(path, "x", "", 0) < 0);

	CHECK(pm_atomic_file_is_temp(".file.a1B2c3", "file"));
	CHECK(!pm_atomic_file_is_temp(".file.a1B2c", "file"));
	CHECK(!pm_atomic_file_is_temp(".file.a1B2c3d", "file"));
	CHECK(!pm_atomic_file_is_temp(".filex.a1B2c", "file"));
	CHECK(!pm_atomic_file_is_temp("file.a1B2c3", "file"));
	CHECK(!pm_atomic_file_is_temp(".state.a1B2c3", "file"));

	unlink(path);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/a", dir);
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	test_json_string();
	test_atomic_file();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures ? 1 : 0;
}
