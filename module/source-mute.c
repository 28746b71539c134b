/* privacy-mute: the mute flag of the default source, as the desktop sets it */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spa/param/props.h>
#include <spa/pod/parser.h>
#include <spa/utils/json.h>
#include <spa/utils/list.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>

#include "classify.h"
#include "options.h"
#include "pm-limits.h"
#include "private-core.h"
#include "source-mute.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

/* room for a node name, NUL included: the policy takes no longer one */
#define MAX_NAME	PM_STRING_MAX
#define DEFAULT_KEY	"default.audio.source"

struct source {
	struct spa_list link;
	uint32_t id;
	char name[MAX_NAME];
};

struct pm_source_mute {
	struct pm_private_core connection;

	struct pw_metadata *metadata;
	struct spa_hook metadata_listener;
	uint32_t metadata_id;

	struct spa_list sources;	/* capture nodes: id and name */
	char default_name[MAX_NAME];

	/* the default source, bound for its Props */
	struct pw_node *node;
	struct spa_hook node_listener;
	uint32_t node_id;
	int mute;			/* -1 until its first Props */

	const struct pm_source_mute_events *events;
	void *data;
};

static void unbind_node(struct pm_source_mute *source_mute)
{
	if (source_mute->node == NULL)
		return;
	spa_hook_remove(&source_mute->node_listener);
	pw_proxy_destroy((struct pw_proxy *)source_mute->node);
	source_mute->node = NULL;
	source_mute->node_id = SPA_ID_INVALID;
	source_mute->mute = -1;
}

static void node_param(void *data, int seq, uint32_t id, uint32_t index, uint32_t next,
		const struct spa_pod *param)
{
	struct pm_source_mute *source_mute = data;
	bool mute;

	if (id != SPA_PARAM_Props || param == NULL ||
	    spa_pod_parse_object(param, SPA_TYPE_OBJECT_Props, NULL,
			    SPA_PROP_mute, SPA_POD_Bool(&mute)) < 0)
		return;
	/* The first value is where we start from, not something the user
	 * did; so is the value of a source that just became the default. */
	if (source_mute->mute >= 0 && mute != (source_mute->mute == 1)) {
		pw_log_info("default source '%s' %s by its own control", source_mute->default_name,
				mute ? "muted" : "unmuted");
		if (source_mute->events && source_mute->events->changed)
			source_mute->events->changed(source_mute->data,
					source_mute->default_name, mute);
	}
	source_mute->mute = mute;
}

static const struct pw_node_events node_events = {
	PW_VERSION_NODE_EVENTS,
	.param = node_param,
};

/* Bind the default source, if we know its id, to follow its Props. */
static void bind_default(struct pm_source_mute *source_mute)
{
	struct source *s;
	uint32_t id = SPA_ID_INVALID;
	uint32_t ids[1] = { SPA_PARAM_Props };

	spa_list_for_each(s, &source_mute->sources, link)
		if (spa_streq(s->name, source_mute->default_name))
			id = s->id;
	if (id == source_mute->node_id)
		return;
	unbind_node(source_mute);
	if (id == SPA_ID_INVALID)
		return;
	source_mute->node = pw_registry_bind(source_mute->connection.registry, id,
			PW_TYPE_INTERFACE_Node, PW_VERSION_NODE, 0);
	if (source_mute->node == NULL) {
		pw_log_warn("cannot follow the mute of the default source '%s': %m",
				source_mute->default_name);
		return;
	}
	source_mute->node_id = id;
	pw_node_add_listener(source_mute->node, &source_mute->node_listener, &node_events,
			source_mute);
	pw_node_subscribe_params(source_mute->node, ids, 1);
}

static int metadata_property(void *data, uint32_t subject, const char *key,
		const char *type, const char *value)
{
	struct pm_source_mute *source_mute = data;
	char name[MAX_NAME] = "";

	if (subject != PW_ID_CORE || (key != NULL && !spa_streq(key, DEFAULT_KEY)))
		return 0;
	/* key NULL: all cleared */
	if (value != NULL && spa_json_str_object_find(value, strlen(value), "name",
				name, sizeof(name)) < 0)
		name[0] = '\0';
	if (spa_streq(name, source_mute->default_name))
		return 0;
	snprintf(source_mute->default_name, sizeof(source_mute->default_name), "%s", name);
	bind_default(source_mute);
	return 0;
}

static const struct pw_metadata_events metadata_events = {
	PW_VERSION_METADATA_EVENTS,
	.property = metadata_property,
};

static void registry_global(void *data, uint32_t id, uint32_t permissions,
		const char *type, uint32_t version, const struct spa_dict *props)
{
	struct pm_source_mute *source_mute = data;
	const char *str;
	struct source *s;

	if (props == NULL)
		return;
	if (spa_streq(type, PW_TYPE_INTERFACE_Metadata) && source_mute->metadata == NULL &&
	    spa_streq(spa_dict_lookup(props, PW_KEY_METADATA_NAME), "default")) {
		source_mute->metadata = pw_registry_bind(source_mute->connection.registry, id,
				type, PW_VERSION_METADATA, 0);
		if (source_mute->metadata == NULL)
			return;
		source_mute->metadata_id = id;
		pw_metadata_add_listener(source_mute->metadata, &source_mute->metadata_listener,
				&metadata_events, source_mute);
	} else if (spa_streq(type, PW_TYPE_INTERFACE_Node) &&
	    pm_media_class_is_capture(spa_dict_lookup(props, PW_KEY_MEDIA_CLASS)) &&
	    (str = spa_dict_lookup(props, PW_KEY_NODE_NAME)) != NULL &&
	    strlen(str) < MAX_NAME) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return;
		s->id = id;
		strcpy(s->name, str);
		spa_list_append(&source_mute->sources, &s->link);
		if (spa_streq(str, source_mute->default_name))
			bind_default(source_mute);
	}
}

static void registry_global_remove(void *data, uint32_t id)
{
	struct pm_source_mute *source_mute = data;
	struct source *s, *t;

	if (id == source_mute->metadata_id && source_mute->metadata) {
		spa_hook_remove(&source_mute->metadata_listener);
		pw_proxy_destroy((struct pw_proxy *)source_mute->metadata);
		source_mute->metadata = NULL;
		source_mute->metadata_id = SPA_ID_INVALID;
	}
	spa_list_for_each_safe(s, t, &source_mute->sources, link) {
		if (s->id != id)
			continue;
		spa_list_remove(&s->link);
		free(s);
	}
	if (id == source_mute->node_id)
		unbind_node(source_mute);
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* Everything bound through the connection goes before it. */
static void disconnecting(void *data)
{
	struct pm_source_mute *source_mute = data;

	unbind_node(source_mute);
	if (source_mute->metadata) {
		spa_hook_remove(&source_mute->metadata_listener);
		pw_proxy_destroy((struct pw_proxy *)source_mute->metadata);
		source_mute->metadata = NULL;
	}
}

static const struct pm_private_core_events connection_events = {
	.disconnecting = disconnecting,
};

struct pm_source_mute *pm_source_mute_new(struct pw_context *context,
		const struct pm_source_mute_events *events, void *data)
{
	struct pm_source_mute *source_mute = calloc(1, sizeof(*source_mute));
	const char *name;
	int res;

	if (source_mute == NULL)
		return NULL;
	source_mute->events = events;
	source_mute->data = data;
	source_mute->metadata_id = SPA_ID_INVALID;
	source_mute->node_id = SPA_ID_INVALID;
	source_mute->mute = -1;
	spa_list_init(&source_mute->sources);

	/* In the daemon, through its own socket like any client: binding
	 * the metadata over pw_context_connect_self() makes PipeWire 1.4
	 * crash (the metadata marks the binding client busy, and the
	 * internal client has no socket to mark). */
	name = pw_properties_get(pw_context_get_properties(context), PW_KEY_CORE_NAME);
	pm_private_core_init(&source_mute->connection, context, "follows the default source",
			&connection_events, source_mute);
	res = pm_private_core_connect(&source_mute->connection,
			name ? pw_properties_new(PW_KEY_REMOTE_NAME, name, NULL) : NULL, false,
			&registry_events);
	if (res < 0) {
		pm_private_core_clear(&source_mute->connection);
		free(source_mute);
		errno = -res;
		return NULL;
	}
	return source_mute;
}

void pm_source_mute_destroy(struct pm_source_mute *source_mute)
{
	struct source *s, *t;

	pm_private_core_clear(&source_mute->connection);
	spa_list_for_each_safe(s, t, &source_mute->sources, link)
		free(s);
	free(source_mute);
}
