/* privacy-mute: policy state machine and enforcer registry */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy-core.h"

void pm_core_init(struct pm_core *core, bool muted, uint64_t generation)
{
	*core = (struct pm_core) {
		.muted = muted,
		.generation = generation ? generation : 1,
	};
}

static void enforcer_free(struct pm_enforcer *e)
{
	free(e->name);
	free(e->process);
	free(e->host);
}

void pm_core_clear(struct pm_core *core)
{
	for (uint32_t i = 0; i < core->n_enforcers; i++)
		enforcer_free(&core->enforcers[i]);
	free(core->enforcers);
	core->enforcers = NULL;
	core->n_enforcers = 0;
	core->enforced = false;
}

bool pm_core_is_current(const struct pm_core *core, const struct pm_enforcer *e)
{
	return e->acked && e->ack_generation == core->generation &&
		e->ack_muted == core->muted;
}

/* Enforced needs at least one enforcer: with none, nothing silences the
 * microphones whatever the policy says. */
static uint32_t update_enforced(struct pm_core *core)
{
	bool enforced = core->n_enforcers > 0;

	for (uint32_t i = 0; enforced && i < core->n_enforcers; i++)
		enforced = pm_core_is_current(core, &core->enforcers[i]);
	if (enforced == core->enforced)
		return 0;
	core->enforced = enforced;
	return PM_CHANGED_ENFORCED;
}

uint32_t pm_core_set_muted(struct pm_core *core, bool muted)
{
	uint32_t changed = PM_CHANGED_MUTED | PM_CHANGED_GENERATION;

	if (core->muted == muted)
		return 0;
	core->muted = muted;
	/* Never 0 again, so that 0 can not match a fresh acknowledgement. */
	if (++core->generation == 0)
		core->generation = 1;
	/* Every "acknowledged" flag in Enforcers drops. */
	if (core->n_enforcers > 0)
		changed |= PM_CHANGED_ENFORCERS;
	return changed | update_enforced(core);
}

struct pm_enforcer *pm_core_find(struct pm_core *core, const char *name)
{
	for (uint32_t i = 0; i < core->n_enforcers; i++)
		if (strcmp(core->enforcers[i].name, name) == 0)
			return &core->enforcers[i];
	return NULL;
}

static int dup_info(char **dst, const char *src)
{
	if (src == NULL)
		src = "";
	if (strlen(src) > PM_MAX_INFO_STRING)
		return -E2BIG;
	if ((*dst = strdup(src)) == NULL)
		return -ENOMEM;
	return 0;
}

static int enforcer_fill(struct pm_enforcer *e, const char *name,
		const struct pm_enforcer_info *info)
{
	int res;

	*e = (struct pm_enforcer) {
		.pid = info->pid,
		.sources = info->sources,
	};
	if ((res = dup_info(&e->name, name)) < 0 ||
	    (res = dup_info(&e->process, info->process)) < 0 ||
	    (res = dup_info(&e->host, info->host)) < 0) {
		enforcer_free(e);
		return res;
	}
	return 0;
}

int pm_core_register(struct pm_core *core, const char *name,
		const struct pm_enforcer_info *info, uint32_t *changed)
{
	struct pm_enforcer e, *old, *arr;
	int res;

	*changed = 0;
	old = pm_core_find(core, name);
	if (old == NULL && core->n_enforcers >= PM_MAX_ENFORCERS)
		return -ENOSPC;
	if ((res = enforcer_fill(&e, name, info)) < 0)
		return res;

	if (old != NULL) {
		/* Re-registering restarts the enforcer's duty: it must
		 * acknowledge the current state again. */
		enforcer_free(old);
		*old = e;
	} else {
		arr = realloc(core->enforcers, (core->n_enforcers + 1) * sizeof(*arr));
		if (arr == NULL) {
			enforcer_free(&e);
			return -ENOMEM;
		}
		core->enforcers = arr;
		core->enforcers[core->n_enforcers++] = e;
	}
	*changed = PM_CHANGED_ENFORCERS | update_enforced(core);
	return 0;
}

int pm_core_acknowledge(struct pm_core *core, const char *name,
		uint64_t generation, bool muted, uint32_t sources, uint32_t *changed)
{
	struct pm_enforcer *e;
	bool was_current;

	*changed = 0;
	if ((e = pm_core_find(core, name)) == NULL)
		return -ENOENT;

	was_current = pm_core_is_current(core, e);
	/* Recorded as is: an acknowledgement of another generation (late, or
	 * from the future) simply does not count for the current one. */
	e->acked = true;
	e->ack_generation = generation;
	e->ack_muted = muted;
	if (was_current != pm_core_is_current(core, e) || e->sources != sources)
		*changed |= PM_CHANGED_ENFORCERS;
	e->sources = sources;
	*changed |= update_enforced(core);
	return 0;
}

int pm_core_unregister(struct pm_core *core, const char *name, uint32_t *changed)
{
	struct pm_enforcer *e;
	size_t idx;

	*changed = 0;
	if ((e = pm_core_find(core, name)) == NULL)
		return -ENOENT;

	idx = e - core->enforcers;
	enforcer_free(e);
	memmove(e, e + 1, (core->n_enforcers - idx - 1) * sizeof(*e));
	if (--core->n_enforcers == 0) {
		free(core->enforcers);
		core->enforcers = NULL;
	}
	*changed = PM_CHANGED_ENFORCERS | update_enforced(core);
	return 0;
}

enum pm_wait pm_core_wait_verdict(const struct pm_core *core, uint64_t generation,
		bool expired)
{
	if (core->generation != generation)
		return PM_WAIT_NOT_ENFORCED;
	/* nobody to wait for */
	if (core->n_enforcers == 0)
		return PM_WAIT_NOT_ENFORCED;
	if (core->enforced)
		return PM_WAIT_ENFORCED;
	return expired ? PM_WAIT_NOT_ENFORCED : PM_WAIT_PENDING;
}
