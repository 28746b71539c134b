/* privacy-mute: the registry of per-user agents in system mode (issue 16) */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_AGENTS_H
#define PRIVACY_MUTE_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_MAX_AGENTS 64
#define PM_AGENT_NAME_MAX 256

struct pm_agent {
	char name[PM_AGENT_NAME_MAX];	/* unique bus name */
	uint32_t uid;
	bool uid_known;			/* GetConnectionUnixUser answered */
};

struct pm_agents {
	struct pm_agent agent[PM_MAX_AGENTS];
	size_t n;
};

/* Add name; idempotent. 0 (added), 1 (already there), -ENOSPC (full),
 * -EINVAL (name too long or empty). */
int pm_agents_add(struct pm_agents *a, const char *name);

/* Set the uid of name once known. false: name is not registered. */
bool pm_agents_set_uid(struct pm_agents *a, const char *name, uint32_t uid);

/* Remove name. false: it was not registered. */
bool pm_agents_remove(struct pm_agents *a, const char *name);

/* The names of the agents with a known uid of uid, at most max into out.
 * Returns how many. */
size_t pm_agents_by_uid(const struct pm_agents *a, uint32_t uid,
		const char **out, size_t max);

#endif /* PRIVACY_MUTE_AGENTS_H */
