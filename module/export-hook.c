/* privacy-mute: see every node this process exports to the daemon */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>

#include <pipewire/pipewire.h>

#include "export-hook.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

struct pm_export_hook {
	struct pw_export_type type;	/* ours, in the context's list */
	const struct pw_export_type *next;	/* the one we stand in front of */
	struct pw_context *context;
	void (*exported) (void *data, struct pw_impl_node *node);
	void *data;
	struct spa_list link;
};

/* pw_core_export(), pw_context_find_export_type() and the order of the
 * export list are the same in PipeWire 1.4 and 1.6 (checked in 1.6.8's
 * core.c and context.c), and pw_stream and pw_filter still export their
 * pw_impl_node through them (stream.c, filter.c); 1.6 only dropped the
 * old client-node v0 protocol, which exports nothing here.
 * An export function gets no user data: find the hook by the context of
 * the core. Main loop only, like pw_core_export() itself. */
static struct spa_list hooks = SPA_LIST_INIT(&hooks);

static struct pw_proxy *hook_export(struct pw_core *core, const char *type,
		const struct spa_dict *props, void *object, size_t user_data_size)
{
	struct pw_context *context = pw_core_get_context(core);
	struct pm_export_hook *h;

	spa_list_for_each(h, &hooks, link) {
		if (h->context != context)
			continue;
		h->exported(h->data, object);
		return h->next->func(core, type, props, object, user_data_size);
	}
	errno = ENOENT;
	return NULL;
}

struct pm_export_hook *pm_export_hook_new(struct pw_context *context,
		void (*exported) (void *data, struct pw_impl_node *node), void *data)
{
	const struct pw_export_type *next;
	struct pm_export_hook *h;

	/* module-client-node registers it; without it nothing is exported */
	next = pw_context_find_export_type(context, PW_TYPE_INTERFACE_Node);
	if (next == NULL) {
		errno = ENOTSUP;
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->type.type = PW_TYPE_INTERFACE_Node;
	h->type.func = hook_export;
	h->next = next;
	h->context = context;
	h->exported = exported;
	h->data = data;
	/* pw_context_register_export_type() refuses a second handler for a
	 * type; the list link is public, so go in front of the first one,
	 * where pw_context_find_export_type() looks first */
	spa_list_insert(next->link.prev, &h->type.link);
	spa_list_append(&hooks, &h->link);
	return h;
}

void pm_export_hook_destroy(struct pm_export_hook *h)
{
	spa_list_remove(&h->type.link);
	spa_list_remove(&h->link);
	free(h);
}
