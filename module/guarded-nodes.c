/* privacy-mute: which nodes the module guards, as they come and go */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>

#include <spa/utils/list.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "classify.h"
#include "module-impl.h"
#include "options.h"
#include "own-nodes.h"
#include "suspender.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

static void guard_destroyed(void *data, struct pm_guard *guard)
{
	struct guarded_node *guarded = data;
	struct impl *impl = guarded->impl;

	spa_list_remove(&guarded->link);
	impl->n_guarded--;
	if (guarded->old_buffers) {
		spa_hook_remove(&guarded->node_listener);
		impl->n_old_buffers--;
	}
	free(guarded);
	pm_impl_report_sources(impl);
	pm_impl_acknowledge(impl);
}

static const struct pm_guard_events guard_events = {
	.destroyed = guard_destroyed,
};

static const char *factory_name(struct impl *impl, const struct pw_properties *props)
{
	uint32_t id = pw_properties_get_uint32(props, PW_KEY_FACTORY_ID, SPA_ID_INVALID);
	struct pw_global *global;
	struct pw_impl_factory *factory;

	if (id == SPA_ID_INVALID)
		return NULL;
	global = pw_context_find_global(impl->context, id);
	if (global == NULL || !pw_global_is_type(global, PW_TYPE_INTERFACE_Factory))
		return NULL;
	factory = pw_global_get_object(global);
	return factory ? pw_impl_factory_get_info(factory)->name : NULL;
}

bool pm_impl_node_is_local(struct impl *impl, const struct pw_properties *props)
{
	return pm_node_is_local(factory_name(impl, props),
			pw_properties_get(props, PW_KEY_FACTORY_ID) != NULL,
			pw_properties_get(props, PW_KEY_CLIENT_ID) != NULL);
}

/* exempt.nodes names it, and the configuration or a module made it */
bool pm_impl_node_is_exempt(struct impl *impl, const struct pw_properties *props)
{
	return pm_options_is_exempt(&impl->options, pw_properties_get(props, PW_KEY_NODE_NAME)) &&
		pm_node_may_be_exempt(pw_properties_get(props, PW_KEY_CLIENT_ID) != NULL,
				pw_properties_get_bool(props, PW_KEY_OBJECT_LINGER, false));
}

static struct guarded_node *maybe_guard(struct impl *impl, struct pw_impl_node *node)
{
	const struct pw_properties *props = pw_impl_node_get_properties(node);
	const char *media_class = pw_properties_get(props, PW_KEY_MEDIA_CLASS);
	const char *spa_factory = pw_properties_get(props, PW_KEY_FACTORY_NAME);
	const char *name = pw_properties_get(props, PW_KEY_NODE_NAME);
	struct guarded_node *guarded;

	if (!pm_impl_node_is_local(impl, props) ||
	    !pm_node_is_guarded(&impl->options, media_class, spa_factory, true))
		return NULL;
	if (pm_impl_node_is_exempt(impl, props)) {
		pw_log_info("not guarding source '%s': exempt.nodes", name);
		return NULL;
	}
	if (pm_options_is_exempt(&impl->options, name))
		pw_log_warn("source '%s' matches exempt.nodes but a client made it: guarded", name);

	if ((guarded = calloc(1, sizeof(*guarded))) == NULL) {
		pw_log_error("out of memory guarding %s", name);
		return NULL;
	}
	guarded->impl = impl;
	pm_vad_init(&guarded->vad);
	guarded->guard = pm_guard_new(node, &impl->mute, &guard_events, guarded);
	if (guarded->guard == NULL) {
		if (errno != EEXIST)
			pw_log_error("cannot guard source '%s': %m", name);
		free(guarded);
		return NULL;
	}
	spa_list_append(&impl->guarded, &guarded->link);
	impl->n_guarded++;
	pm_impl_report_sources(impl);
	pw_log_info("guarding source '%s' (%s, %s)", name, media_class,
			spa_factory ? spa_factory : "stream");
	return guarded;
}

struct guarded_node *pm_impl_find_guarded(struct impl *impl, struct pw_impl_node *node)
{
	struct guarded_node *guarded;
	spa_list_for_each(guarded, &impl->guarded, link)
		if (pm_guard_get_node(guarded->guard) == node)
			return guarded;
	return NULL;
}

static bool is_capture_node(struct pw_global *global)
{
	const struct pw_properties *props;

	if (!pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		return false;
	props = pw_impl_node_get_properties(pw_global_get_object(global));
	return pm_node_captures(pw_properties_get(props, PW_KEY_MEDIA_CLASS),
			pw_properties_get(props, PW_KEY_FACTORY_NAME), false);
}

static void context_global_added(void *data, struct pw_global *global)
{
	struct impl *impl = data;

	if (pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		maybe_guard(impl, pw_global_get_object(global));
	if (impl->daemon && is_capture_node(global))
		pm_impl_schedule_report(impl);
}

static void context_global_removed(void *data, struct pw_global *global)
{
	struct impl *impl = data;

	if (impl->daemon && is_capture_node(global))
		pm_impl_schedule_report(impl);
}

static const struct pw_context_events context_events = {
	PW_VERSION_CONTEXT_EVENTS,
	.global_added = context_global_added,
	.global_removed = context_global_removed,
};

void pm_impl_node_exported(void *data, struct pw_impl_node *node)
{
	maybe_guard(data, node);
}

static void old_buffers_gone(struct guarded_node *guarded)
{
	struct impl *impl = guarded->impl;

	if (!guarded->old_buffers)
		return;
	guarded->old_buffers = false;
	spa_hook_remove(&guarded->node_listener);
	impl->n_old_buffers--;
	pm_impl_schedule_report(impl);
	pm_impl_acknowledge(impl);
}

static void old_buffers_state_changed(void *data, enum pw_node_state old,
		enum pw_node_state state, const char *error)
{
	struct guarded_node *guarded = data;
	/* suspended: its buffers are gone, the next ones pass through us */
	if (state <= PW_NODE_STATE_SUSPENDED) {
		pw_log_info("source '%s' renegotiates: guarded from now on",
				pw_properties_get(pw_impl_node_get_properties(
						pm_guard_get_node(guarded->guard)), PW_KEY_NODE_NAME));
		old_buffers_gone(guarded);
	}
}

static const struct pw_impl_node_events old_buffers_events = {
	PW_VERSION_IMPL_NODE_EVENTS,
	.state_changed = old_buffers_state_changed,
};

static int guard_existing(void *data, struct pw_global *global)
{
	struct impl *impl = data;
	struct pw_impl_node *node;
	struct guarded_node *guarded;

	if (!pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		return 0;
	node = pw_global_get_object(global);
	if ((guarded = maybe_guard(impl, node)) == NULL ||
	    pw_impl_node_get_info(node)->state < PW_NODE_STATE_IDLE)
		return 0;
	guarded->old_buffers = true;
	impl->n_old_buffers++;
	pw_impl_node_add_listener(node, &guarded->node_listener, &old_buffers_events, guarded);
	pw_log_warn("source '%s' already streams: its buffers were set up before the module "
			"was loaded, so the mute is not confirmed until it renegotiates; "
			"asking the daemon to suspend it",
			pw_properties_get(pw_impl_node_get_properties(node), PW_KEY_NODE_NAME));
	if (impl->suspender)
		pm_suspender_request(impl->suspender,
				pw_properties_get(pw_impl_node_get_properties(node), PW_KEY_NODE_NAME));
	return 0;
}

static bool guards_name(struct impl *impl, const char *name)
{
	struct guarded_node *guarded;
	spa_list_for_each(guarded, &impl->guarded, link)
		if (spa_streq(pw_properties_get(pw_impl_node_get_properties(
					pm_guard_get_node(guarded->guard)), PW_KEY_NODE_NAME), name))
			return true;
	return false;
}

static bool is_stray(void *data, uint32_t id, const char *name)
{
	struct impl *impl = data;
	return !guards_name(impl, name) && !pm_options_is_exempt(&impl->options, name);
}

static bool log_stray(void *data, uint32_t id, const char *name)
{
	if (!is_stray(data, id, name))
		return false;
	pw_log_warn("source '%s' (%u) runs in this process but was exported before the "
			"module was loaded: it cannot be silenced here, so a mute is not "
			"confirmed while it exists", name, id);
	return true;
}

/* Capture sources of this process that we never saw: pw_streams exported
 * before a run-time load. Their buffers are out of our reach. */
uint32_t pm_impl_count_stray(struct impl *impl)
{
	return impl->own_nodes ? pm_own_nodes_for_each(impl->own_nodes, is_stray, impl) : 0;
}

static void own_nodes_changed(void *data)
{
	struct impl *impl = data;
	uint32_t n = pm_impl_count_stray(impl);

	/* a capture node came or went in the graph */
	pm_impl_schedule_report(impl);
	if (n == impl->n_stray)
		return;
	if (n > impl->n_stray)
		pm_own_nodes_for_each(impl->own_nodes, log_stray, impl);
	impl->n_stray = n;
	pm_impl_acknowledge(impl);
}

const struct pm_own_nodes_events pm_impl_own_nodes_events = {
	.changed = own_nodes_changed,
};

/* The daemon's id of a node we guard: in the daemon its own; elsewhere the
 * node's object.id is the one of our own context, so find it by name
 * among the nodes the daemon lists for this process. */
uint32_t pm_impl_daemon_id(struct impl *impl, struct pw_impl_node *node)
{
	const struct pw_properties *p = pw_impl_node_get_properties(node);
	const char *str;

	if (p == NULL)
		return SPA_ID_INVALID;
	if (impl->own_nodes != NULL)
		return pm_own_nodes_find(impl->own_nodes, pw_properties_get(p, PW_KEY_NODE_NAME));
	str = pw_properties_get(p, PW_KEY_OBJECT_ID);
	return str ? (uint32_t)atoi(str) : SPA_ID_INVALID;
}

/* Guard the capture nodes there are, and those that come. */
void pm_impl_watch_nodes(struct impl *impl)
{
	pw_context_add_listener(impl->context, &impl->context_listener, &context_events, impl);
	pw_context_for_each_global(impl->context, guard_existing, impl);
}

/* Stop watching, and let go of every guarded node. Safe on an impl whose
 * watch never started. */
void pm_impl_unwatch_nodes(struct impl *impl)
{
	struct guarded_node *guarded, *t;

	spa_hook_remove(&impl->context_listener);
	spa_list_for_each_safe(guarded, t, &impl->guarded, link) {
		spa_list_remove(&guarded->link);
		if (guarded->old_buffers)
			spa_hook_remove(&guarded->node_listener);
		pm_guard_destroy(guarded->guard);
		free(guarded);
	}
}
