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
		.speech_detection = true,
		.notify_speech = true,
		.notify_capture = true,
	};
}

void pm_sources_free(struct pm_source *sources, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(sources[i].name);
		free(sources[i].media_class);
	}
	free(sources);
}

static void enforcer_free(struct pm_enforcer *e)
{
	free(e->name);
	free(e->process);
	free(e->host);
	pm_sources_free(e->report, e->n_report);
}

void pm_core_clear(struct pm_core *core)
{
	for (uint32_t i = 0; i < core->n_enforcers; i++)
		enforcer_free(&core->enforcers[i]);
	free(core->enforcers);
	core->enforcers = NULL;
	core->n_enforcers = 0;
	core->enforced = false;
	pm_sources_free(core->unguarded, core->n_unguarded);
	core->unguarded = NULL;
	core->n_unguarded = 0;
	pm_sources_free(core->exempt, core->n_exempt);
	core->exempt = NULL;
	core->n_exempt = 0;
	free(core->last_change.caller);
	free(core->last_change.executable);
	free(core->last_change.how);
	core->last_change = (struct pm_change) { 0 };
}

uint32_t pm_core_set_last_change(struct pm_core *core, const char *caller, const char *how)
{
	struct pm_change *c = &core->last_change;

	free(c->caller);
	free(c->executable);
	free(c->how);
	*c = (struct pm_change) {
		.generation = core->generation,
		.caller = strdup(caller ? caller : ""),
		.how = strdup(how ? how : ""),
	};
	if (c->caller == NULL || c->how == NULL) {
		free(c->caller);
		free(c->how);
		*c = (struct pm_change) { .generation = core->generation };
		return 0;
	}
	return PM_CHANGED_LAST_CHANGE;
}

uint32_t pm_core_complete_last_change(struct pm_core *core, uint64_t generation,
		uint32_t pid, const char *executable)
{
	struct pm_change *c = &core->last_change;
	char *exe;

	if (c->generation != generation || generation == 0)
		return 0;
	if ((exe = strdup(executable ? executable : "")) == NULL)
		return 0;
	free(c->executable);
	c->executable = exe;
	c->pid = pid;
	return PM_CHANGED_LAST_CHANGE;
}

bool pm_core_is_current(const struct pm_core *core, const struct pm_enforcer *e)
{
	return e->acked && e->ack_generation == core->generation &&
		e->ack_muted == core->muted;
}

/* Enforced needs at least one enforcer: with none, nothing silences the
 * microphones whatever the policy says. A mute also needs every capture
 * source of the graph covered: one that no enforcer guards would leak. */
static uint32_t update_enforced(struct pm_core *core)
{
	bool enforced = core->n_enforcers > 0 && !(core->muted && core->n_unguarded > 0);

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

	if (core->muted == muted || pm_core_may_set_muted(core, muted) < 0)
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

int pm_core_may_set_muted(const struct pm_core *core, bool muted)
{
	return core->locked && !muted ? -EPERM : 0;
}

uint32_t pm_core_set_locked(struct pm_core *core, bool locked)
{
	uint32_t changed = 0;

	if (locked)
		changed = pm_core_set_muted(core, true);
	if (core->locked != locked) {
		core->locked = locked;
		changed |= PM_CHANGED_LOCKED;
	}
	return changed;
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
		.daemon = info->daemon,
	};
	if ((res = dup_info(&e->name, name)) < 0 ||
	    (res = dup_info(&e->process, info->process)) < 0 ||
	    (res = dup_info(&e->host, info->host)) < 0) {
		enforcer_free(e);
		return res;
	}
	return 0;
}

/* ---- reports of sources, and the Unguarded list ---- */

static int cmp_string_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_uint32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* By id, then name, then media class: the class only makes the choice
 * among duplicates of (id, name) independent of the order of reports. */
static int cmp_source_ptr(const void *a, const void *b)
{
	const struct pm_source *x = *(const struct pm_source *const *)a;
	const struct pm_source *y = *(const struct pm_source *const *)b;
	int res;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if ((res = strcmp(x->name, y->name)) != 0)
		return res;
	return strcmp(x->media_class, y->media_class);
}

/* What some enforcer vouches for: a node it guards (or, for the Unguarded
 * list, exempts where it runs). By the daemon's id when the report has
 * one, otherwise by name (an enforcer that does not know the id yet). */
struct cover {
	uint32_t *ids;
	const char **names;
	size_t n_ids, n_names;
};

static bool covers(const struct pm_source *src, bool exempt_covers)
{
	return src->guarded || (exempt_covers && src->exempt);
}

static int cover_build(const struct pm_core *core, bool exempt_covers, struct cover *c)
{
	size_t n = 0;

	*c = (struct cover) { 0 };
	for (uint32_t k = 0; k < core->n_enforcers; k++)
		for (uint32_t j = 0; j < core->enforcers[k].n_report; j++)
			n += covers(&core->enforcers[k].report[j], exempt_covers);
	if (n == 0)
		return 0;
	if ((c->ids = calloc(n, sizeof(*c->ids))) == NULL ||
	    (c->names = calloc(n, sizeof(*c->names))) == NULL) {
		free(c->ids);
		return -ENOMEM;
	}
	for (uint32_t k = 0; k < core->n_enforcers; k++)
		for (uint32_t j = 0; j < core->enforcers[k].n_report; j++) {
			const struct pm_source *src = &core->enforcers[k].report[j];
			if (!covers(src, exempt_covers))
				continue;
			if (src->id != 0)
				c->ids[c->n_ids++] = src->id;
			else
				c->names[c->n_names++] = src->name;
		}
	qsort(c->ids, c->n_ids, sizeof(*c->ids), cmp_uint32);
	qsort(c->names, c->n_names, sizeof(*c->names), cmp_string_ptr);
	return 0;
}

static bool cover_has(const struct cover *c, const struct pm_source *src)
{
	return (src->id != 0 && c->n_ids &&
			bsearch(&src->id, c->ids, c->n_ids, sizeof(*c->ids), cmp_uint32)) ||
		(c->n_names && bsearch(&src->name, c->names, c->n_names,
				       sizeof(*c->names), cmp_string_ptr));
}

/* The entries reported unguarded (want_exempt: exempt) that no other
 * report covers, one per (id, name), sorted. */
static int compute_list(const struct pm_core *core, bool want_exempt,
		struct pm_source **out, uint32_t *n_out)
{
	const struct pm_source **cand = NULL;
	struct pm_source *res = NULL;
	struct cover cover;
	size_t n_cand = 0, n_res = 0, i;
	int err;

	*out = NULL;
	*n_out = 0;
	for (uint32_t k = 0; k < core->n_enforcers; k++)
		for (uint32_t j = 0; j < core->enforcers[k].n_report; j++) {
			const struct pm_source *src = &core->enforcers[k].report[j];
			n_cand += want_exempt ? src->exempt && !src->guarded :
				!src->guarded && !src->exempt;
		}
	if (n_cand == 0)
		return 0;
	if ((err = cover_build(core, !want_exempt, &cover)) < 0)
		return err;
	err = -ENOMEM;
	if ((cand = calloc(n_cand, sizeof(*cand))) == NULL)
		goto out;

	n_cand = 0;
	for (uint32_t k = 0; k < core->n_enforcers; k++)
		for (uint32_t j = 0; j < core->enforcers[k].n_report; j++) {
			const struct pm_source *src = &core->enforcers[k].report[j];

			if (src->guarded || src->exempt != want_exempt || cover_has(&cover, src))
				continue;
			cand[n_cand++] = src;
		}
	if (n_cand == 0) {
		err = 0;
		goto out;
	}
	qsort(cand, n_cand, sizeof(*cand), cmp_source_ptr);

	if ((res = calloc(n_cand, sizeof(*res))) == NULL)
		goto out;
	for (i = 0; i < n_cand; i++) {
		/* one per (id, name): the first in sort order */
		if (n_res > 0 && res[n_res - 1].id == cand[i]->id &&
		    strcmp(res[n_res - 1].name, cand[i]->name) == 0)
			continue;
		res[n_res] = (struct pm_source) { .id = cand[i]->id, .exempt = want_exempt };
		n_res++;
		if ((res[n_res - 1].name = strdup(cand[i]->name)) == NULL ||
		    (res[n_res - 1].media_class = strdup(cand[i]->media_class)) == NULL)
			goto out;
	}
	*out = res;
	*n_out = n_res;
	res = NULL;
	n_res = 0;
	err = 0;
out:
	pm_sources_free(res, n_res);
	free(cand);
	free(cover.ids);
	free(cover.names);
	return err;
}

int pm_core_compute_unguarded(const struct pm_core *core, struct pm_source **out,
		uint32_t *n_out)
{
	return compute_list(core, false, out, n_out);
}

int pm_core_compute_exempt(const struct pm_core *core, struct pm_source **out,
		uint32_t *n_out)
{
	return compute_list(core, true, out, n_out);
}

static bool sources_equal(const struct pm_source *a, uint32_t na,
		const struct pm_source *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++)
		if (a[i].id != b[i].id || a[i].guarded != b[i].guarded || a[i].exempt != b[i].exempt ||
		    strcmp(a[i].name, b[i].name) != 0 ||
		    strcmp(a[i].media_class, b[i].media_class) != 0)
			return false;
	return true;
}

static int update_list(struct pm_core *core, bool exempt, uint32_t *changed)
{
	struct pm_source *list, **cur = exempt ? &core->exempt : &core->unguarded;
	uint32_t n, *n_cur = exempt ? &core->n_exempt : &core->n_unguarded;
	int res;

	if ((res = compute_list(core, exempt, &list, &n)) < 0)
		return res;
	if (sources_equal(list, n, *cur, *n_cur)) {
		pm_sources_free(list, n);
		return 0;
	}
	pm_sources_free(*cur, *n_cur);
	*cur = list;
	*n_cur = n;
	*changed |= exempt ? PM_CHANGED_EXEMPT : PM_CHANGED_UNGUARDED;
	return 0;
}

/* Recompute the Unguarded and Exempt lists from the reports, and Enforced,
 * which a mute needs Unguarded empty for. Returns 0 (with
 * PM_CHANGED_UNGUARDED, _EXEMPT, _ENFORCED added to *changed for what
 * changed) or -ENOMEM, the published lists then left as they were. */
static int update_unguarded(struct pm_core *core, uint32_t *changed)
{
	int res;

	if ((res = update_list(core, false, changed)) < 0)
		return res;
	update_list(core, true, changed);
	*changed |= update_enforced(core);
	return 0;
}

int pm_core_report(struct pm_core *core, const char *name,
		const struct pm_source_info *sources, uint32_t n, uint32_t *changed)
{
	struct pm_enforcer *e;
	struct pm_source *report = NULL, *old_report;
	uint32_t i, old_n;
	int res;

	*changed = 0;
	if ((e = pm_core_find(core, name)) == NULL)
		return -ENOENT;
	if (n > PM_MAX_SOURCES)
		return -ENOSPC;
	if (n > 0 && (report = calloc(n, sizeof(*report))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		report[i] = (struct pm_source) {
			.id = sources[i].id,
			.guarded = sources[i].guarded,
			.exempt = sources[i].exempt,
		};
		if ((res = dup_info(&report[i].name, sources[i].name)) < 0 ||
		    (res = dup_info(&report[i].media_class, sources[i].media_class)) < 0) {
			pm_sources_free(report, i + 1);
			return res;
		}
	}

	old_report = e->report;
	old_n = e->n_report;
	e->report = report;
	e->n_report = n;
	if ((res = update_unguarded(core, changed)) < 0) {
		/* all or nothing: the previous report stands */
		e->report = old_report;
		e->n_report = old_n;
		pm_sources_free(report, n);
		return res;
	}
	pm_sources_free(old_report, old_n);
	return 0;
}

/* After the report of an enforcer was dropped. Out of memory, the list stays
 * as it was until the next change recomputes it: nothing better to do in a
 * call that cannot fail. */
static void drop_report_update(struct pm_core *core, bool had_report, uint32_t *changed)
{
	if (had_report)
		update_unguarded(core, changed);
}

int pm_core_register(struct pm_core *core, const char *name,
		const struct pm_enforcer_info *info, uint32_t *changed)
{
	struct pm_enforcer e, *old, *arr;
	bool had_report = false;
	int res;

	*changed = 0;
	old = pm_core_find(core, name);
	if (old == NULL && core->n_enforcers >= PM_MAX_ENFORCERS)
		return -ENOSPC;
	if ((res = enforcer_fill(&e, name, info)) < 0)
		return res;

	if (old != NULL) {
		/* Re-registering restarts the enforcer's duty: it must
		 * acknowledge the current state again, and report its
		 * sources again. */
		had_report = old->n_report > 0;
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
	drop_report_update(core, had_report, changed);
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
	/* A generation not issued yet cannot have been applied; recorded, it
	 * would count as confirmed the moment the policy reached it. */
	if (generation > core->generation)
		return -ERANGE;

	was_current = pm_core_is_current(core, e);
	/* Recorded as is: a late acknowledgement of an earlier generation
	 * simply does not count for the current one. */
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
	bool had_report;
	size_t idx;

	*changed = 0;
	if ((e = pm_core_find(core, name)) == NULL)
		return -ENOENT;

	had_report = e->n_report > 0;
	idx = e - core->enforcers;
	enforcer_free(e);
	memmove(e, e + 1, (core->n_enforcers - idx - 1) * sizeof(*e));
	if (--core->n_enforcers == 0) {
		free(core->enforcers);
		core->enforcers = NULL;
	}
	*changed = PM_CHANGED_ENFORCERS | update_enforced(core);
	drop_report_update(core, had_report, changed);
	return 0;
}

bool pm_core_has_daemon_enforcer(const struct pm_core *core)
{
	for (uint32_t i = 0; i < core->n_enforcers; i++)
		if (core->enforcers[i].daemon)
			return true;
	return false;
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
