/* privacy-mute: the capture nodes of the graph, and the ones this process exported, as the daemon lists them */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spa/utils/list.h>
#include <spa/utils/result.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>

#include "classify.h"
#include "options.h"
#include "own-nodes.h"
#include "private-core.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

struct entry {
	struct spa_list link;
	uint32_t id;
	enum { CLIENT, FACTORY, NODE } type;
	uint32_t client_id;	/* nodes: SPA_ID_INVALID none */
	uint32_t factory_id;	/* nodes: as the node's properties say */
	char *name;
	char *media_class;	/* nodes */
};

struct pm_own_nodes {
	struct pm_private_core connection;
	struct spa_list entries;
	const struct pm_own_nodes_events *events;
	void *data;
	pid_t pid;
};

static struct entry *find(struct pm_own_nodes *own_nodes, uint32_t id)
{
	struct entry *e;
	spa_list_for_each(e, &own_nodes->entries, link)
		if (e->id == id)
			return e;
	return NULL;
}

static void changed(struct pm_own_nodes *own_nodes)
{
	if (own_nodes->events && own_nodes->events->changed)
		own_nodes->events->changed(own_nodes->data);
}

static void registry_global(void *data, uint32_t id, uint32_t permissions,
		const char *type, uint32_t version, const struct spa_dict *props)
{
	struct pm_own_nodes *own_nodes = data;
	struct entry *e;
	const char *str;

	if (props == NULL)
		return;
	if (spa_streq(type, PW_TYPE_INTERFACE_Client)) {
		str = spa_dict_lookup(props, PW_KEY_SEC_PID);
		if (str == NULL || atoi(str) != own_nodes->pid)
			return;
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return;
		e->id = id;
		e->type = CLIENT;
	} else if (spa_streq(type, PW_TYPE_INTERFACE_Factory)) {
		str = spa_dict_lookup(props, PW_KEY_FACTORY_NAME);
		if (!spa_streq(str, "adapter") && !spa_streq(str, "spa-node-factory"))
			return;
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return;
		e->id = id;
		e->type = FACTORY;
	} else if (spa_streq(type, PW_TYPE_INTERFACE_Node)) {
		/* every capture node of the graph, by class or SPA factory */
		const char *cls = spa_dict_lookup(props, PW_KEY_MEDIA_CLASS);
		if (!pm_node_captures(cls, spa_dict_lookup(props, PW_KEY_FACTORY_NAME), false))
			return;
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return;
		e->id = id;
		e->type = NODE;
		str = spa_dict_lookup(props, PW_KEY_CLIENT_ID);
		e->client_id = str ? (uint32_t)atoi(str) : SPA_ID_INVALID;
		str = spa_dict_lookup(props, PW_KEY_FACTORY_ID);
		e->factory_id = str ? (uint32_t)atoi(str) : SPA_ID_INVALID;
		str = spa_dict_lookup(props, PW_KEY_NODE_NAME);
		e->name = strdup(str ? str : "");
		e->media_class = strdup(cls ? cls : "");
		if (e->name == NULL || e->media_class == NULL) {
			free(e->name);
			free(e->media_class);
			free(e);
			return;
		}
	} else {
		return;
	}
	spa_list_append(&own_nodes->entries, &e->link);
	changed(own_nodes);
}

static void registry_global_remove(void *data, uint32_t id)
{
	struct pm_own_nodes *own_nodes = data;
	struct entry *e = find(own_nodes, id);

	if (e == NULL)
		return;
	spa_list_remove(&e->link);
	free(e->name);
	free(e->media_class);
	free(e);
	changed(own_nodes);
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
	.global_remove = registry_global_remove,
};

struct pm_own_nodes *pm_own_nodes_new(struct pw_context *context,
		const struct pm_own_nodes_events *events, void *data)
{
	struct pm_own_nodes *own_nodes = calloc(1, sizeof(*own_nodes));
	int res;

	if (own_nodes == NULL)
		return NULL;
	own_nodes->events = events;
	own_nodes->data = data;
	own_nodes->pid = getpid();
	spa_list_init(&own_nodes->entries);

	pm_private_core_init(&own_nodes->connection, context, "lists our own nodes", NULL,
			own_nodes);
	res = pm_private_core_connect(&own_nodes->connection, NULL, false, &registry_events);
	if (res < 0) {
		pm_private_core_clear(&own_nodes->connection);
		free(own_nodes);
		errno = -res;
		return NULL;
	}
	return own_nodes;
}

void pm_own_nodes_for_each_capture(struct pm_own_nodes *own_nodes,
		void (*func)(void *data, uint32_t id, const char *name, const char *media_class),
		void *data)
{
	struct entry *e;

	spa_list_for_each(e, &own_nodes->entries, link)
		if (e->type == NODE)
			func(data, e->id, e->name, e->media_class);
}

uint32_t pm_own_nodes_for_each(struct pm_own_nodes *own_nodes,
		bool (*func)(void *data, uint32_t id, const char *name), void *data)
{
	struct entry *e, *c, *f;
	uint32_t n = 0;

	spa_list_for_each(e, &own_nodes->entries, link) {
		if (e->type != NODE || e->client_id == SPA_ID_INVALID)
			continue;
		c = find(own_nodes, e->client_id);
		if (c == NULL || c->type != CLIENT)
			continue;
		/* client.id on an exported node comes from client-node.c,
		 * factory.id from the properties of the node we exported, in
		 * PipeWire 1.4 and 1.6 alike.
		 * The daemon's adapter and spa-node-factory set factory.id on
		 * the nodes they make for a client (ALSA sources that
		 * WirePlumber creates, say): those run in the daemon and its
		 * enforcer guards them. An exported node carries whatever
		 * factory.id its maker had here, if any. */
		f = find(own_nodes, e->factory_id);
		if (f != NULL && f->type == FACTORY)
			continue;
		if (func(data, e->id, e->name))
			n++;
	}
	return n;
}

void pm_own_nodes_destroy(struct pm_own_nodes *own_nodes)
{
	struct entry *e, *t;

	pm_private_core_clear(&own_nodes->connection);
	spa_list_for_each_safe(e, t, &own_nodes->entries, link) {
		free(e->name);
		free(e->media_class);
		free(e);
	}
	free(own_nodes);
}

struct find_data {
	const char *name;
	uint32_t id;
};

static bool find_name(void *data, uint32_t id, const char *name)
{
	struct find_data *f = data;
	if (f->id == SPA_ID_INVALID && spa_streq(name, f->name))
		f->id = id;
	return false;
}

uint32_t pm_own_nodes_find(struct pm_own_nodes *own_nodes, const char *name)
{
	struct find_data f = { .name = name, .id = SPA_ID_INVALID };
	if (name != NULL)
		pm_own_nodes_for_each(own_nodes, find_name, &f);
	return f.id;
}
