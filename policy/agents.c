/* privacy-mute: the registry of per-user agents in system mode (issue 16) */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <string.h>

#include "agents.h"

static struct pm_agent *find(struct pm_agents *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->agent[i].name, name) == 0)
			return &a->agent[i];
	return NULL;
}

int pm_agents_add(struct pm_agents *a, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= PM_AGENT_NAME_MAX)
		return -EINVAL;
	if (find(a, name) != NULL)
		return 1;
	if (a->n >= PM_MAX_AGENTS)
		return -ENOSPC;
	memcpy(a->agent[a->n].name, name, len + 1);
	a->agent[a->n].uid = 0;
	a->agent[a->n].uid_known = false;
	a->n++;
	return 0;
}

bool pm_agents_set_uid(struct pm_agents *a, const char *name, uint32_t uid)
{
	struct pm_agent *g = find(a, name);

	if (g == NULL)
		return false;
	g->uid = uid;
	g->uid_known = true;
	return true;
}

bool pm_agents_remove(struct pm_agents *a, const char *name)
{
	struct pm_agent *g = find(a, name);

	if (g == NULL)
		return false;
	/* order does not matter: move the last one into the hole */
	*g = a->agent[--a->n];
	return true;
}

size_t pm_agents_by_uid(const struct pm_agents *a, uint32_t uid,
		const char **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < a->n && n < max; i++)
		if (a->agent[i].uid_known && a->agent[i].uid == uid)
			out[n++] = a->agent[i].name;
	return n;
}
