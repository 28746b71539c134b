/* privacy-mute: have the daemon suspend a node, so that it renegotiates */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spa/node/command.h>
#include <spa/utils/result.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>

#include "suspender.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

#define MAX_PENDING	64
#define MAX_NAME	256

struct pm_suspender {
	struct pw_context *context;
	struct spa_hook context_listener;
	bool self;
	bool context_gone;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook registry_listener;
	/* names asked for whose node the registry has not shown yet */
	char pending[MAX_PENDING][MAX_NAME];
	uint32_t n_pending;
};

static void suspend_id(struct pm_suspender *s, uint32_t id, const char *name)
{
	struct pw_node *node;

	node = pw_registry_bind(s->registry, id, PW_TYPE_INTERFACE_Node, PW_VERSION_NODE, 0);
	if (node == NULL) {
		pw_log_warn("cannot bind node '%s' (%u) to suspend it: %m", name, id);
		return;
	}
	pw_node_send_command(node, &SPA_NODE_COMMAND_INIT(SPA_NODE_COMMAND_Suspend));
	/* messages go out in order: the command before the destroy */
	pw_proxy_destroy((struct pw_proxy *)node);
	pw_log_info("asked the daemon to suspend '%s' (%u) so that it renegotiates",
			name, id);
}

static void registry_global(void *data, uint32_t id, uint32_t permissions,
		const char *type, uint32_t version, const struct spa_dict *props)
{
	struct pm_suspender *s = data;
	const char *name;
	uint32_t i;

	if (!spa_streq(type, PW_TYPE_INTERFACE_Node) || props == NULL ||
	    (name = spa_dict_lookup(props, PW_KEY_NODE_NAME)) == NULL)
		return;
	for (i = 0; i < s->n_pending; i++) {
		if (!spa_streq(s->pending[i], name))
			continue;
		suspend_id(s, id, name);
		memmove(s->pending[i], s->pending[i + 1],
				(s->n_pending - i - 1) * sizeof(s->pending[0]));
		s->n_pending--;
		return;
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
};

static void disconnect(struct pm_suspender *s)
{
	if (s->core == NULL)
		return;
	spa_hook_remove(&s->registry_listener);
	pw_proxy_destroy((struct pw_proxy *)s->registry);
	pw_core_disconnect(s->core);
	s->core = NULL;
}

/* pw_context_destroy() disconnects (and frees) every core before it
 * destroys the modules: let go of ours first. */
static void context_destroy(void *data)
{
	struct pm_suspender *s = data;
	s->context_gone = true;
	disconnect(s);
}

static const struct pw_context_events context_events = {
	PW_VERSION_CONTEXT_EVENTS,
	.destroy = context_destroy,
};

struct pm_suspender *pm_suspender_new(struct pw_context *context, bool self)
{
	struct pm_suspender *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->context = context;
	s->self = self;
	pw_context_add_listener(context, &s->context_listener, &context_events, s);
	return s;
}

/* Connect on first use: a fresh registry shows every node, so the names
 * asked for so far are found as it lists them. Later names need a fresh
 * listing too, so the connection is remade for each batch. */
static int connect_now(struct pm_suspender *s)
{
	disconnect(s);
	s->core = s->self ? pw_context_connect_self(s->context, NULL, 0) :
		pw_context_connect(s->context, NULL, 0);
	if (s->core == NULL)
		return -errno;
	s->registry = pw_core_get_registry(s->core, PW_VERSION_REGISTRY, 0);
	if (s->registry == NULL) {
		pw_core_disconnect(s->core);
		s->core = NULL;
		return -errno;
	}
	pw_registry_add_listener(s->registry, &s->registry_listener, &registry_events, s);
	return 0;
}

void pm_suspender_request(struct pm_suspender *s, const char *node_name)
{
	int res;

	if (node_name == NULL || strlen(node_name) >= MAX_NAME || s->n_pending >= MAX_PENDING) {
		pw_log_warn("cannot ask for '%s' to be suspended", node_name ? node_name : "");
		return;
	}
	strcpy(s->pending[s->n_pending++], node_name);
	if ((res = connect_now(s)) < 0)
		pw_log_warn("cannot connect to ask for '%s' to be suspended: %s",
				node_name, spa_strerror(res));
}

void pm_suspender_farewell(struct pm_suspender *s, const uint32_t *ids, uint32_t n_ids)
{
	struct pw_registry *registry;
	struct pw_core *core;
	struct pw_node *node;
	uint32_t i;

	if (n_ids == 0 || s->context_gone)
		return;
	core = s->self ? pw_context_connect_self(s->context, NULL, 0) :
		pw_context_connect(s->context, NULL, 0);
	if (core == NULL ||
	    (registry = pw_core_get_registry(core, PW_VERSION_REGISTRY, 0)) == NULL) {
		pw_log_warn("cannot ask the daemon to suspend %u sources: %m", n_ids);
		if (core)
			pw_core_disconnect(core);
		return;
	}
	for (i = 0; i < n_ids; i++) {
		/* binding needs no listing: the daemon checks the id */
		node = pw_registry_bind(registry, ids[i], PW_TYPE_INTERFACE_Node, PW_VERSION_NODE, 0);
		if (node == NULL)
			continue;
		pw_node_send_command(node, &SPA_NODE_COMMAND_INIT(SPA_NODE_COMMAND_Suspend));
		pw_proxy_destroy((struct pw_proxy *)node);
		pw_log_warn("asked the daemon to suspend node %u so that it renegotiates "
				"without privacy-mute", ids[i]);
	}
	pw_proxy_destroy((struct pw_proxy *)registry);
	/* Left connected, with nothing of ours on it, so that the messages
	 * go out after this module is gone; pw_context_destroy() ends it. */
}

void pm_suspender_destroy(struct pm_suspender *s)
{
	spa_hook_remove(&s->context_listener);
	disconnect(s);
	free(s);
}
