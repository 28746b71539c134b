/* privacy-mute unit test: the registry of per-user agents */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agents.h"

#include "check.h"

static struct pm_agents a;

int main(void)
{
	const char *out[PM_MAX_AGENTS];
	char name[32], longname[PM_AGENT_NAME_MAX + 1];
	int i;

	CHECK(pm_agents_add(&a, ":1.5") == 0);
	CHECK(pm_agents_add(&a, ":1.5") == 1);		/* idempotent */
	CHECK(a.n == 1);
	CHECK(pm_agents_add(&a, "") == -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(pm_agents_add(&a, longname) == -EINVAL);

	/* no uid yet: nobody is notified */
	CHECK(pm_agents_by_uid(&a, 0, out, PM_MAX_AGENTS) == 0);
	CHECK(pm_agents_set_uid(&a, ":1.5", 1000));
	CHECK(!pm_agents_set_uid(&a, ":1.9", 1000));
	CHECK(pm_agents_add(&a, ":1.6") == 0);
	CHECK(pm_agents_set_uid(&a, ":1.6", 0));
	CHECK(pm_agents_by_uid(&a, 1000, out, PM_MAX_AGENTS) == 1);
	CHECK(strcmp(out[0], ":1.5") == 0);
	CHECK(pm_agents_by_uid(&a, 0, out, PM_MAX_AGENTS) == 1);
	CHECK(strcmp(out[0], ":1.6") == 0);
	CHECK(pm_agents_by_uid(&a, 42, out, PM_MAX_AGENTS) == 0);

	CHECK(pm_agents_remove(&a, ":1.5"));
	CHECK(!pm_agents_remove(&a, ":1.5"));
	CHECK(pm_agents_by_uid(&a, 1000, out, PM_MAX_AGENTS) == 0);
	CHECK(pm_agents_by_uid(&a, 0, out, PM_MAX_AGENTS) == 1);

	/* at most PM_MAX_AGENTS */
	for (i = (int)a.n; i < PM_MAX_AGENTS; i++) {
		snprintf(name, sizeof(name), ":2.%d", i);
		CHECK(pm_agents_add(&a, name) == 0);
	}
	CHECK(pm_agents_add(&a, ":3.0") == -ENOSPC);
	CHECK(pm_agents_add(&a, ":1.6") == 1);
	CHECK(pm_agents_remove(&a, ":1.6"));
	CHECK(pm_agents_add(&a, ":3.0") == 0);
	return failures != 0;
}
