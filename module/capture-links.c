/* privacy-mute: who captures from a microphone while it is muted */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>

#include <spa/utils/list.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "capture-links.h"
#include "classify.h"
#include "options.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

/* A stream links each channel on its own: the links of one (source,
 * consumer) pair are one capture, reported once, under the id of the
 * pair's first link. */
struct link {
	struct spa_list link;
	uint32_t id;
	struct pw_impl_link *impl_link;
	struct pw_impl_node *source;
	struct pw_impl_node *consumer;
	uint32_t capture_id;
	bool reported;		/* the same for all links of the pair */
};

struct pm_capture_links {
	struct pw_context *context;
	struct spa_hook context_listener;
	struct spa_list links;
	bool muted;
	const struct pm_capture_links_events *events;
	void *data;
};

static struct pw_impl_node *port_node(struct pw_impl_port *port)
{
	return port ? pw_impl_port_get_node(port) : NULL;
}

/* What a consumer says it is: its node's properties, else its client's. */
static const char *consumer_prop(struct pm_capture_links *captures, struct pw_impl_node *node,
		const char *key)
{
	const struct pw_properties *props = pw_impl_node_get_properties(node);
	const char *v = pw_properties_get(props, key);
	struct pw_global *global;
	uint32_t id;

	if (v != NULL)
		return v;
	id = pw_properties_get_uint32(props, PW_KEY_CLIENT_ID, SPA_ID_INVALID);
	if (id == SPA_ID_INVALID ||
	    (global = pw_context_find_global(captures->context, id)) == NULL ||
	    !pw_global_is_type(global, PW_TYPE_INTERFACE_Client))
		return NULL;
	return pw_properties_get(pw_impl_client_get_properties(pw_global_get_object(global)),
			key);
}

static struct link *find_pair(struct pm_capture_links *captures, struct link *l)
{
	struct link *o;
	spa_list_for_each(o, &captures->links, link)
		if (o != l && o->source == l->source && o->consumer == l->consumer)
			return o;
	return NULL;
}

static void set_reported(struct pm_capture_links *captures, struct link *l, bool reported)
{
	struct link *o;
	spa_list_for_each(o, &captures->links, link)
		if (o->source == l->source && o->consumer == l->consumer)
			o->reported = reported;
}

static void report(struct pm_capture_links *captures, struct link *l)
{
	struct pw_impl_node *consumer = l->consumer;
	struct pm_capture_info info = {
		.source = pw_properties_get(pw_impl_node_get_properties(l->source),
				PW_KEY_NODE_NAME),
	};
	const char *str;

	if (consumer != NULL) {
		info.application = consumer_prop(captures, consumer, PW_KEY_APP_NAME);
		if (info.application == NULL)
			info.application = pw_properties_get(
					pw_impl_node_get_properties(consumer), PW_KEY_NODE_NAME);
		info.binary = consumer_prop(captures, consumer, PW_KEY_APP_PROCESS_BINARY);
		str = consumer_prop(captures, consumer, PW_KEY_APP_PROCESS_ID);
		if (str == NULL)
			str = consumer_prop(captures, consumer, PW_KEY_SEC_PID);
		info.pid = str ? (uint32_t)atoi(str) : 0;
	}
	set_reported(captures, l, true);
	pw_log_info("capture while muted: '%s' (pid %u) from '%s'",
			info.application ? info.application : "?", info.pid,
			info.source ? info.source : "?");
	if (captures->events && captures->events->started)
		captures->events->started(captures->data, l->capture_id, &info);
}

static void unreport(struct pm_capture_links *captures, struct link *l)
{
	if (!l->reported)
		return;
	set_reported(captures, l, false);
	if (captures->events && captures->events->stopped)
		captures->events->stopped(captures->data, l->capture_id);
}

static void global_added(void *data, struct pw_global *global)
{
	struct pm_capture_links *captures = data;
	struct pw_impl_link *impl_link;
	struct pw_impl_node *source;
	struct link *l, *pair;

	if (!pw_global_is_type(global, PW_TYPE_INTERFACE_Link))
		return;
	impl_link = pw_global_get_object(global);
	source = port_node(pw_impl_link_get_output(impl_link));
	if (source == NULL || !pm_node_captures(pw_properties_get(
				pw_impl_node_get_properties(source), PW_KEY_MEDIA_CLASS),
				pw_properties_get(pw_impl_node_get_properties(source),
					PW_KEY_FACTORY_NAME), false))
		return;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		pw_log_error("out of memory tracking a capture link");
		return;
	}
	l->id = pw_global_get_id(global);
	l->impl_link = impl_link;
	l->source = source;
	l->consumer = port_node(pw_impl_link_get_input(impl_link));
	l->capture_id = l->id;
	if ((pair = find_pair(captures, l)) != NULL) {
		l->capture_id = pair->capture_id;
		l->reported = pair->reported;
	}
	spa_list_append(&captures->links, &l->link);
	if (captures->muted && !l->reported)
		report(captures, l);
}

static void global_removed(void *data, struct pw_global *global)
{
	struct pm_capture_links *captures = data;
	struct link *l, *tmp;
	uint32_t id = pw_global_get_id(global);

	spa_list_for_each_safe(l, tmp, &captures->links, link) {
		if (l->id != id || l->impl_link != pw_global_get_object(global))
			continue;
		/* the capture ends with the last link of the pair */
		if (find_pair(captures, l) == NULL)
			unreport(captures, l);
		spa_list_remove(&l->link);
		free(l);
	}
}

static const struct pw_context_events context_events = {
	PW_VERSION_CONTEXT_EVENTS,
	.global_added = global_added,
	.global_removed = global_removed,
};

static int add_existing(void *data, struct pw_global *global)
{
	global_added(data, global);
	return 0;
}

struct pm_capture_links *pm_capture_links_new(struct pw_context *context,
		const struct pm_capture_links_events *events, void *data)
{
	struct pm_capture_links *captures = calloc(1, sizeof(*captures));

	if (captures == NULL)
		return NULL;
	captures->context = context;
	captures->events = events;
	captures->data = data;
	spa_list_init(&captures->links);
	pw_context_for_each_global(context, add_existing, captures);
	pw_context_add_listener(context, &captures->context_listener, &context_events, captures);
	return captures;
}

void pm_capture_links_set_muted(struct pm_capture_links *captures, bool muted)
{
	struct link *l;

	if (captures->muted == muted)
		return;
	captures->muted = muted;
	spa_list_for_each(l, &captures->links, link) {
		if (muted && !l->reported)
			report(captures, l);
		else if (!muted)
			unreport(captures, l);
	}
}

uint32_t pm_capture_links_count(struct pm_capture_links *captures, struct pw_impl_node *node)
{
	struct link *l;
	uint32_t n = 0;

	spa_list_for_each(l, &captures->links, link)
		if (l->source == node)
			n++;
	return n;
}

void pm_capture_links_destroy(struct pm_capture_links *captures)
{
	struct link *l, *tmp;

	spa_hook_remove(&captures->context_listener);
	spa_list_for_each_safe(l, tmp, &captures->links, link)
		free(l);
	free(captures);
}
