/* privacy-mute: the report of the capture sources this enforcer sees */
/* SPDX-License-Identifier: MIT */

#include <stdlib.h>

#include <spa/utils/list.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "classify.h"
#include "module-impl.h"
#include "own-nodes.h"
#include "policy-client.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

#define MAX_REPORT	1024

struct report {
	struct impl *impl;
	struct pm_source_report *items;
	uint32_t n_items;
};

static void report_add(struct report *r, uint32_t id, const char *name,
		const char *media_class, bool guarded, bool exempt)
{
	if (r->n_items >= MAX_REPORT)
		return;
	r->items[r->n_items++] = (struct pm_source_report) {
		.id = id == SPA_ID_INVALID ? 0 : id,
		.name = name,
		.media_class = media_class,
		.guarded = guarded,
		.exempt = exempt,
	};
}

static void report_node(struct report *r, uint32_t id, struct pw_impl_node *node,
		bool guarded, bool exempt)
{
	const struct pw_properties *props = pw_impl_node_get_properties(node);

	report_add(r, id, pw_properties_get(props, PW_KEY_NODE_NAME),
			pw_properties_get(props, PW_KEY_MEDIA_CLASS), guarded, exempt);
}

/* A node of this context: one we guard (one with old buffers counts
 * as not guarded yet), one exempt.nodes leaves alone, or, in the daemon, any
 * other capture node of the graph, unguarded (client-nodes of sources
 * hosted elsewhere included: their own enforcers cover them). */
static int report_global(void *data, struct pw_global *global)
{
	struct report *r = data;
	const struct pw_properties *props;
	struct pw_impl_node *node;
	struct guarded_node *guarded;
	bool local;

	if (!pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		return 0;
	node = pw_global_get_object(global);
	props = pw_impl_node_get_properties(node);
	local = pm_impl_node_is_local(r->impl, props);
	if ((guarded = pm_impl_find_guarded(r->impl, node)) != NULL) {
		if (r->impl->daemon)
			report_node(r, pw_global_get_id(global), node, !guarded->old_buffers, false);
		return 0;
	}
	if (!pm_node_captures(pw_properties_get(props, PW_KEY_MEDIA_CLASS),
				pw_properties_get(props, PW_KEY_FACTORY_NAME), local))
		return 0;
	if (local && pm_impl_node_is_exempt(r->impl, props))
		report_node(r, r->impl->daemon ? pw_global_get_id(global) :
				pm_impl_daemon_id(r->impl, node), node, false, true);
	else if (r->impl->daemon)
		report_node(r, pw_global_get_id(global), node, false, false);
	return 0;
}

/* Elsewhere: every capture node the daemon lists that we did not report
 * yet, unguarded. Without the daemon's enforcer its microphones then
 * show up as unguarded. */
static void report_seen(void *data, uint32_t id, const char *name, const char *media_class)
{
	struct report *r = data;

	for (uint32_t i = 0; i < r->n_items; i++)
		if (r->items[i].id == id)
			return;
	report_add(r, id, name, media_class, false, false);
}

/* Every enforcer reports every capture node it can see, its own guarded
 * (and exempt) ones marked; the policy lists the ones none covers. */
void pm_impl_send_report(void *data, uint64_t expirations)
{
	struct impl *impl = data;
	struct report r = { .impl = impl };
	struct guarded_node *guarded;

	if ((r.items = calloc(MAX_REPORT, sizeof(*r.items))) == NULL) {
		pw_log_error("out of memory building the source report");
		return;
	}
	if (!impl->daemon) {
		/* pw_stream sources are not globals here */
		spa_list_for_each(guarded, &impl->guarded, link)
			report_node(&r, pm_impl_daemon_id(impl, pm_guard_get_node(guarded->guard)),
					pm_guard_get_node(guarded->guard), !guarded->old_buffers, false);
	}
	pw_context_for_each_global(impl->context, report_global, &r);
	if (impl->own_nodes)
		pm_own_nodes_for_each_capture(impl->own_nodes, report_seen, &r);
	pm_policy_client_report_sources(impl->policy, r.items, r.n_items);
	free(r.items);
}

/* Coalesce the bursts of node changes at start into one report. */
void pm_impl_schedule_report(struct impl *impl)
{
	struct timespec value = { .tv_nsec = 100 * SPA_NSEC_PER_MSEC }, interval = { 0 };
	if (impl->report_timer)
		pw_loop_update_timer(pw_context_get_main_loop(impl->context),
				impl->report_timer, &value, &interval, false);
}
