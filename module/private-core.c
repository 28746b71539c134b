/* privacy-mute: a private connection to the daemon, with its registry */
/* SPDX-License-Identifier: MIT */

#include <errno.h>

#include "private-core.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

static void core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct pm_private_core *pc = data;

	if (id == PW_ID_CORE && res == -EPIPE && pc->purpose != NULL)
		pw_log_warn("lost the connection that %s: %s", pc->purpose, message);
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = core_error,
};

void pm_private_core_disconnect(struct pm_private_core *pc)
{
	if (pc->core == NULL)
		return;
	if (pc->events && pc->events->disconnecting)
		pc->events->disconnecting(pc->data);
	spa_hook_remove(&pc->registry_listener);
	pw_proxy_destroy((struct pw_proxy *)pc->registry);
	pc->registry = NULL;
	spa_hook_remove(&pc->core_listener);
	pw_core_disconnect(pc->core);
	pc->core = NULL;
}

static void context_destroy(void *data)
{
	struct pm_private_core *pc = data;

	pc->context_gone = true;
	pm_private_core_disconnect(pc);
}

static const struct pw_context_events context_events = {
	PW_VERSION_CONTEXT_EVENTS,
	.destroy = context_destroy,
};

void pm_private_core_init(struct pm_private_core *pc, struct pw_context *context,
		const char *purpose, const struct pm_private_core_events *events, void *data)
{
	spa_zero(*pc);
	pc->context = context;
	pc->purpose = purpose;
	pc->events = events;
	pc->data = data;
	pw_context_add_listener(context, &pc->context_listener, &context_events, pc);
}

int pm_private_core_connect(struct pm_private_core *pc, struct pw_properties *props, bool self,
		const struct pw_registry_events *registry_events)
{
	int res;

	pm_private_core_disconnect(pc);
	pc->core = self ? pw_context_connect_self(pc->context, props, 0) :
		pw_context_connect(pc->context, props, 0);
	if (pc->core == NULL)
		return -errno;
	pw_core_add_listener(pc->core, &pc->core_listener, &core_events, pc);
	pc->registry = pw_core_get_registry(pc->core, PW_VERSION_REGISTRY, 0);
	if (pc->registry == NULL) {
		res = -errno;
		spa_hook_remove(&pc->core_listener);
		pw_core_disconnect(pc->core);
		pc->core = NULL;
		return res;
	}
	pw_registry_add_listener(pc->registry, &pc->registry_listener, registry_events, pc->data);
	return 0;
}

void pm_private_core_clear(struct pm_private_core *pc)
{
	spa_hook_remove(&pc->context_listener);
	pm_private_core_disconnect(pc);
}
