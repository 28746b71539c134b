/* privacy-mute: have the daemon suspend a node, so that it renegotiates */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spa/node/command.h>
#include <spa/utils/result.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>

#include "private-core.h"
#include "suspender.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

#define MAX_AWAITED	64
#define MAX_NAME	256

struct pm_suspender {
	struct pm_private_core connection;
	bool self;
	/* names asked for whose node the registry has not shown yet */
	char awaited[MAX_AWAITED][MAX_NAME];
	uint32_t n_awaited;
};

static void suspend_id(struct pm_suspender *suspender, uint32_t id, const char *name)
{
	struct pw_node *node;

	node = pw_registry_bind(suspender->connection.registry, id, PW_TYPE_INTERFACE_Node,
			PW_VERSION_NODE, 0);
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
	struct pm_suspender *suspender = data;
	const char *name;
	uint32_t i;

	if (!spa_streq(type, PW_TYPE_INTERFACE_Node) || props == NULL ||
	    (name = spa_dict_lookup(props, PW_KEY_NODE_NAME)) == NULL)
		return;
	for (i = 0; i < suspender->n_awaited; i++) {
		if (!spa_streq(suspender->awaited[i], name))
			continue;
		suspend_id(suspender, id, name);
		memmove(suspender->awaited[i], suspender->awaited[i + 1],
				(suspender->n_awaited - i - 1) * sizeof(suspender->awaited[0]));
		suspender->n_awaited--;
		return;
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
};

struct pm_suspender *pm_suspender_new(struct pw_context *context, bool self)
{
	struct pm_suspender *suspender = calloc(1, sizeof(*suspender));
	if (suspender == NULL)
		return NULL;
	suspender->self = self;
	pm_private_core_init(&suspender->connection, context, NULL, NULL, suspender);
	return suspender;
}

/* Connect on first use: a fresh registry shows every node, so the names
 * asked for so far are found as it lists them. Later names need a fresh
 * listing too, so the connection is remade for each batch. */
void pm_suspender_request(struct pm_suspender *suspender, const char *node_name)
{
	int res;

	if (node_name == NULL || strlen(node_name) >= MAX_NAME ||
	    suspender->n_awaited >= MAX_AWAITED) {
		pw_log_warn("cannot ask for '%s' to be suspended", node_name ? node_name : "");
		return;
	}
	strcpy(suspender->awaited[suspender->n_awaited++], node_name);
	/* a fresh registry shows every node, so the names asked for so far
	 * are found as it lists them; later names need a fresh listing too,
	 * so the connection is remade for each batch */
	if ((res = pm_private_core_connect(&suspender->connection, NULL, suspender->self,
					&registry_events)) < 0)
		pw_log_warn("cannot connect to ask for '%s' to be suspended: %s",
				node_name, spa_strerror(res));
}

void pm_suspender_farewell(struct pm_suspender *suspender, const uint32_t *ids, uint32_t n_ids)
{
	struct pw_registry *registry;
	struct pw_core *core;
	struct pw_node *node;
	uint32_t i;

	if (n_ids == 0 || suspender->connection.context_gone)
		return;
	core = suspender->self ? pw_context_connect_self(suspender->connection.context, NULL, 0) :
		pw_context_connect(suspender->connection.context, NULL, 0);
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

void pm_suspender_destroy(struct pm_suspender *suspender)
{
	pm_private_core_clear(&suspender->connection);
	free(suspender);
}
