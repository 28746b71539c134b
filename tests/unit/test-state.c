/* privacy-mute unit test: the persisted policy state */
/* SPDX-License-Identifier: MIT */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

#include "check.h"

static int parse(const char *text, struct pm_state *st)
{
	const char *why = NULL;
	int res = pm_state_parse(text, strlen(text), st, &why);

	/* every refusal says why */
	if (res < 0 && (why == NULL || *why == '\0')) {
		fprintf(stderr, "no reason for refusing: %s\n", text);
		failures++;
	}
	return res;
}

static void test_parse_good(void)
{
	struct pm_state st;

	CHECK(parse("{ \"muted\": true, \"generation\": 5 }\n", &st) == 0);
	CHECK(st.muted && st.generation == 5);
	CHECK(parse("{\"generation\":18446744073709551615,\"muted\":false}", &st) == 0);
	CHECK(!st.muted && st.generation == UINT64_MAX);
	/* generation is optional */
	CHECK(parse("{ \"muted\": true }", &st) == 0);
	CHECK(st.muted && st.generation == 1);
	/* unknown keys, containers included, are skipped */
	CHECK(parse("{ \"future\": [ 1, { \"x\": \"}\" } ], \"muted\": false, "
				"\"note\": \"hi\", \"generation\": 3 }", &st) == 0);
	CHECK(!st.muted && st.generation == 3);
	/* SPA-JSON, as PipeWire's own config files */
	CHECK(parse("{ muted = true generation = 9 }", &st) == 0);
	CHECK(st.muted && st.generation == 9);
}

static void test_parse_bad(void)
{
	static const char *bad[] = {
		"",
		"  \n\t ",
		"{}",					/* no muted */
		"{ \"generation\": 4 }",
		"[ true ]",				/* not an object */
		"true",
		"\"muted\"",
		"{ \"muted\": tr",			/* truncated */
		"{ \"muted\": true",
		"{ \"muted\": true, \"generation\": 5",
		"{ \"muted\": 1 }",			/* wrong types */
		"{ \"muted\": \"true\" }",
		"{ \"muted\": null }",
		"{ \"muted\": [ true ] }",
		"{ \"muted\": true, \"generation\": -1 }",
		"{ \"muted\": true, \"generation\": \"5\" }",
		"{ \"muted\": true, \"generation\": 1.5 }",
		"{ \"muted\": true, \"generation\": 0x10 }",
		"{ \"muted\": true, \"generation\": 18446744073709551616 }",	/* 2^64 */
		"{ \"muted\": true, \"generation\": 99999999999999999999999 }",
		"{ \"muted\": true } x",		/* trailing data */
		"{ \"muted\": true } { \"muted\": false }",
		"{ \"muted\": true }}",
		NULL,
	};
	struct pm_state st = { .muted = false, .generation = 77 };

	for (int i = 0; bad[i]; i++) {
		if (parse(bad[i], &st) != -EINVAL) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			failures++;
		}
	}
	/* st is only written on success */
	CHECK(!st.muted && st.generation == 77);
}

static void test_parse_huge(void)
{
	static char buf[PM_STATE_MAX_SIZE * 2];
	struct pm_state st;
	const char *why = NULL;
	size_t len;

	/* valid JSON, padded beyond the limit */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "{ \"muted\": true }", 17);
	CHECK(pm_state_parse(buf, PM_STATE_MAX_SIZE, &st, &why) == 0);
	CHECK(pm_state_parse(buf, PM_STATE_MAX_SIZE + 1, &st, &why) == -EINVAL);
	CHECK(why && strstr(why, "large"));

	/* a deep nest in an unknown key within the limit */
	len = 0;
	len += snprintf(buf, sizeof(buf), "{ \"x\": ");
	while (len < PM_STATE_MAX_SIZE / 2)
		buf[len++] = '[';
	while (len < PM_STATE_MAX_SIZE - 32)
		buf[len++] = ']';
	len += snprintf(buf + len, sizeof(buf) - len, ", \"muted\": true }");
	/* unbalanced brackets: refused, without crashing */
	CHECK(pm_state_parse(buf, len, &st, &why) == -EINVAL);

	/* NUL bytes inside */
	CHECK(pm_state_parse("{ \"muted\": true }\0junk", 22, &st, &why) == -EINVAL);
}

/* A state file cut anywhere before its closing brace (a crash during an
 * in-place rewrite, a full disk) never reads as a state. */
static void test_parse_prefixes(void)
{
	static const struct pm_state states[] = { { false, 1 }, { true, 2 }, { false, 123456 },
		{ true, 9, true } };
	char buf[128];
	struct pm_state st;
	const char *why;

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		int len = pm_state_format(&states[i], buf, sizeof(buf));
		const char *brace = strrchr(buf, '}');

		CHECK(brace != NULL);
		for (int n = 0; brace && n <= brace - buf; n++) {
			if (pm_state_parse(buf, n, &st, &why) != -EINVAL) {
				fprintf(stderr, "prefix accepted: %.*s\n", n, buf);
				failures++;
			}
		}
		CHECK(pm_state_parse(buf, len, &st, &why) == 0);
	}
}

static void test_format(void)
{
	static const struct pm_state states[] = {
		{ false, 1 }, { true, 2 }, { true, UINT64_MAX }, { false, 1234567890123ull },
	};
	char buf[128];
	struct pm_state st;

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		int len = pm_state_format(&states[i], buf, sizeof(buf));
		CHECK(len > 0 && len < (int)sizeof(buf));
		CHECK(buf[len - 1] == '\n');
		CHECK(memchr(buf, '\n', len - 1) == NULL);	/* one line */
		CHECK(parse(buf, &st) == 0);
		CHECK(st.muted == states[i].muted && st.generation == states[i].generation);
	}
	pm_state_format(&states[1], buf, sizeof(buf));
	CHECK(strcmp(buf, "{ \"muted\": true, \"generation\": 2 }\n") == 0);
	/* too small a buffer is reported like snprintf */
	CHECK(pm_state_format(&states[1], buf, 8) >= 8);
}

/* The lock: written only when set, so that earlier versions' files (and
 * their exact format) stay as they were; a lock is a muted lock. */
static void test_locked(void)
{
	struct pm_state st = { .muted = true, .generation = 3, .locked = true };
	char buf[128];

	pm_state_format(&st, buf, sizeof(buf));
	CHECK(strcmp(buf, "{ \"muted\": true, \"generation\": 3, \"locked\": true }\n") == 0);
	CHECK(parse(buf, &st) == 0 && st.muted && st.locked && st.generation == 3);
	/* an earlier version's file: unlocked */
	CHECK(parse("{ \"muted\": true, \"generation\": 4 }", &st) == 0 && !st.locked);
	CHECK(parse("{ \"muted\": false, \"generation\": 4, \"locked\": false }", &st) == 0 &&
			!st.locked && !st.muted);
	/* locked but unmuted cannot be: muted */
	CHECK(parse("{ \"muted\": false, \"generation\": 4, \"locked\": true }", &st) == 0 &&
			st.locked && st.muted);
	st = (struct pm_state) { .muted = false, .generation = 5, .locked = true };
	pm_state_format(&st, buf, sizeof(buf));
	CHECK(strstr(buf, "\"muted\": true") != NULL);
	CHECK(parse("{ \"muted\": true, \"locked\": 1 }", &st) == -EINVAL);
	CHECK(parse("{ \"muted\": true, \"locked\": \"true\" }", &st) == -EINVAL);
}

static char tmpdir[64];

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(fwrite(data, 1, len, f) == len);
	fclose(f);
}

/* buf = a/b */
static void join(char *buf, size_t size, const char *a, const char *b)
{
	int len = snprintf(buf, size, "%s/%s", a, b);
	CHECK(len > 0 && (size_t)len < size);
}

static void path(char *buf, size_t size, const char *name)
{
	join(buf, size, tmpdir, name);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_load(void)
{
	char dir[256], file[256], why[512];
	struct pm_state st;

	/* missing: first start, unmuted */
	path(dir, sizeof(dir), "missing");
	st.muted = true;
	CHECK(pm_state_load(dir, &st, why, sizeof(why)) == PM_STATE_MISSING);
	CHECK(!st.muted && st.generation == 1);

	/* corrupt: muted, and the reason names the file */
	path(dir, sizeof(dir), "corrupt");
	CHECK(mkdir(dir, 0700) == 0);
	join(file, sizeof(file), dir, PM_STATE_FILE);
	write_file(file, "{ \"muted\": fal", 14);
	CHECK(pm_state_load(dir, &st, why, sizeof(why)) == PM_STATE_CORRUPT);
	CHECK(st.muted);
	CHECK(strstr(why, file) != NULL);
	/* an empty file is corrupt too */
	write_file(file, "", 0);
	CHECK(pm_state_load(dir, &st, NULL, 0) == PM_STATE_CORRUPT);
	CHECK(st.muted);

	/* unreadable (a directory where the file should be): muted */
	path(dir, sizeof(dir), "unreadable");
	CHECK(mkdir(dir, 0700) == 0);
	join(file, sizeof(file), dir, PM_STATE_FILE);
	CHECK(mkdir(file, 0700) == 0);
	CHECK(pm_state_load(dir, &st, why, sizeof(why)) == PM_STATE_UNREADABLE);
	CHECK(st.muted);
	CHECK(strstr(why, file) != NULL);
	rmdir(file);

	/* a path through a regular file cannot be opened: muted */
	path(file, sizeof(file), "plainfile");
	write_file(file, "x", 1);
	CHECK(pm_state_load(file, &st, why, sizeof(why)) == PM_STATE_UNREADABLE);
	CHECK(st.muted);

	/* good, with generation 0 read as 1 */
	path(dir, sizeof(dir), "good");
	CHECK(mkdir(dir, 0700) == 0);
	join(file, sizeof(file), dir, PM_STATE_FILE);
	write_file(file, "{ \"muted\": false, \"generation\": 0 }\n", 36);
	CHECK(pm_state_load(dir, &st, why, sizeof(why)) == PM_STATE_OK);
	CHECK(!st.muted && st.generation == 1);
}

static void test_save(void)
{
	char dir[256], file[256], buf[256], expect[128];
	struct pm_state st = { .muted = true, .generation = 41 }, back;
	struct stat sb;
	ssize_t len;
	int fd;

	/* missing directories are created, private */
	path(dir, sizeof(dir), "save/a/b");
	CHECK(pm_state_save(dir, &st) == 0);
	CHECK(stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700);

	join(file, sizeof(file), dir, PM_STATE_FILE);
	fd = open(file, O_RDONLY);
	CHECK(fd >= 0);
	len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	CHECK(len > 0);
	buf[len > 0 ? len : 0] = '\0';
	pm_state_format(&st, expect, sizeof(expect));
	CHECK(strcmp(buf, expect) == 0);
	/* no temporary file left behind */
	CHECK(count_entries(dir) == 1);

	/* over an existing file */
	st = (struct pm_state) { .muted = false, .generation = 42 };
	CHECK(pm_state_save(dir, &st) == 0);
	CHECK(pm_state_load(dir, &back, NULL, 0) == PM_STATE_OK);
	CHECK(!back.muted && back.generation == 42);
	CHECK(count_entries(dir) == 1);

	/* a directory that cannot exist: an error, nothing left */
	path(file, sizeof(file), "plainfile2");
	write_file(file, "x", 1);
	join(dir, sizeof(dir), file, "sub");
	CHECK(pm_state_save(dir, &st) < 0);
}

static void test_save_in_place(void)
{
	char dir[256], file[256];
	struct pm_state st = { .muted = true, .generation = 7 }, back;

	path(dir, sizeof(dir), "inplace");
	CHECK(mkdir(dir, 0700) == 0);
	join(file, sizeof(file), dir, PM_STATE_FILE);
	/* no file yet: created */
	CHECK(pm_state_save_in_place(dir, &st) == 0);
	CHECK(pm_state_load(dir, &back, NULL, 0) == PM_STATE_OK);
	CHECK(back.muted && back.generation == 7);
	/* a longer old content is cut, not left as a tail */
	write_file(file, "{ \"muted\": false, \"generation\": 1, \"note\": \"a long old file\" }\n", 63);
	st = (struct pm_state) { .muted = false, .generation = 8 };
	CHECK(pm_state_save_in_place(dir, &st) == 0);
	CHECK(pm_state_load(dir, &back, NULL, 0) == PM_STATE_OK);
	CHECK(!back.muted && back.generation == 8);
	CHECK(count_entries(dir) == 1);
	/* no directory: an error */
	path(dir, sizeof(dir), "inplace-missing");
	CHECK(pm_state_save_in_place(dir, &st) == -ENOENT);
}

static void test_cleanup(void)
{
	char dir[256], file[256];
	static const char *temps[] = { ".state.AbC123", ".state.zzzzzz" };
	static const char *keep[] = { ".state.short", ".state.toolong1", "state.abcdef", ".statex.abcdef" };
	struct pm_state st = { .muted = true, .generation = 3 }, back;

	path(dir, sizeof(dir), "cleanup");
	CHECK(pm_state_save(dir, &st) == 0);
	for (size_t i = 0; i < 2; i++) {
		join(file, sizeof(file), dir, temps[i]);
		write_file(file, "{ \"muted\": fa", 13);
	}
	for (size_t i = 0; i < 4; i++) {
		join(file, sizeof(file), dir, keep[i]);
		write_file(file, "x", 1);
	}
	CHECK(pm_state_cleanup(dir) == 2);
	/* the state and the files that are not ours stay */
	CHECK(count_entries(dir) == 5);
	CHECK(pm_state_load(dir, &back, NULL, 0) == PM_STATE_OK && back.muted);
	CHECK(pm_state_cleanup(dir) == 0);
	/* no directory (first start): nothing to do */
	path(dir, sizeof(dir), "cleanup-missing");
	CHECK(pm_state_cleanup(dir) == 0);
}

static void test_default_dir(void)
{
	char buf[256];
	const char *old_xdg = getenv("XDG_STATE_HOME");
	const char *old_home = getenv("HOME");
	char *save_xdg = old_xdg ? strdup(old_xdg) : NULL;
	char *save_home = old_home ? strdup(old_home) : NULL;

	CHECK(pm_state_default_dir(true, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "/var/lib/privacy-mute") == 0);

	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	CHECK(pm_state_default_dir(false, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "/xdg/state/privacy-mute") == 0);

	/* a relative XDG_STATE_HOME is invalid: the default applies */
	setenv("XDG_STATE_HOME", "relative", 1);
	setenv("HOME", "/home/someone", 1);
	CHECK(pm_state_default_dir(false, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "/home/someone/.local/state/privacy-mute") == 0);

	CHECK(pm_state_default_dir(false, buf, 8) == -ENAMETOOLONG);

	if (save_xdg)
		setenv("XDG_STATE_HOME", save_xdg, 1);
	else
		unsetenv("XDG_STATE_HOME");
	if (save_home)
		setenv("HOME", save_home, 1);
	else
		unsetenv("HOME");
	free(save_xdg);
	free(save_home);
}

static int remove_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

/* the directory is ours, from mkdtemp */
static void remove_tree(const char *dir)
{
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_parse_huge();
	test_parse_prefixes();
	test_format();
	test_locked();
	test_default_dir();

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pm-test-state.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_load();
	test_save();
	test_save_in_place();
	test_cleanup();
	remove_tree(tmpdir);

	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
