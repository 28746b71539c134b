/* privacy-mute unit test: the status bar line of `privacy-mute watch --json` */
/* SPDX-License-Identifier: MIT */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#include "check.h"

static char *bar(const struct pm_status *st)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	pm_status_print_bar(f, st);
	fclose(f);
	return out;
}

static void test_states(void)
{
	struct pm_status_enforcer e[2] = {
		{ .process = "pipewire", .pid = 10, .sources = 3, .acknowledged = true },
		{ .process = "wireplumber", .pid = 11, .sources = 1, .acknowledged = false },
	};
	struct pm_status st = { .muted = true, .enforced = true, .enforcers = e, .n_enforcers = 1 };
	char *s;

	s = bar(&st);
	CHECK(strstr(s, "\"text\": \"mic muted\"") != NULL);
	CHECK(strstr(s, "\"class\": \"muted\"") != NULL);
	CHECK(strstr(s, "\"alt\": \"muted\"") != NULL);
	CHECK(strstr(s, "\"muted\": true, \"enforced\": true}") != NULL);
	CHECK(strstr(s, "1 of 1 enforcers confirmed\\n  pipewire (pid 10): 3 sources") != NULL);
	CHECK(s[strlen(s) - 1] == '\n' && strchr(s, '\n') == s + strlen(s) - 1);
	free(s);

	/* a mute not in force must not look like one */
	st.n_enforcers = 2;
	st.enforced = false;
	s = bar(&st);
	CHECK(strstr(s, "\"class\": \"muted-not-enforced\"") != NULL);
	CHECK(strstr(s, "NOT enforced") != NULL);
	CHECK(strstr(s, "1 of 2 enforcers confirmed") != NULL);
	free(s);

	st.muted = false;
	st.enforced = true;
	s = bar(&st);
	CHECK(strstr(s, "\"text\": \"mic on\"") != NULL);
	CHECK(strstr(s, "\"class\": \"unmuted\"") != NULL);
	CHECK(strstr(s, "\"muted\": false") != NULL);
	free(s);

	s = bar(NULL);
	CHECK(strstr(s, "\"class\": \"unavailable\"") != NULL);
	CHECK(strstr(s, "\"muted\": null") != NULL);
	free(s);
}

/* names come from other processes: they are escaped, never break the line */
static void test_escaping(void)
{
	struct pm_status_source u = { .id = 5, .name = "evil\"\n{name" };
	struct pm_status st = { .muted = true, .enforced = true, .unguarded = &u, .n_unguarded = 1 };
	char *s = bar(&st);

	CHECK(strstr(s, "unguarded: 1\\n  evil\\\"\\n{name") != NULL);
	CHECK(strchr(s, '\n') == s + strlen(s) - 1);
	free(s);
}

int main(void)
{
	test_states();
	test_escaping();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures ? 1 : 0;
}
