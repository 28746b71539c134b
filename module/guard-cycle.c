/* privacy-mute: the guard in every cycle: publishing a node's output, and impl-node's callbacks */
/* SPDX-License-Identifier: MIT */

/*
 * What runs in the data thread for each cycle of a guarded node (see
 * node-guard.c for where it is called from and why there): no allocation,
 * no locks, no syscalls, only atomic loads of what the main loop set up.
 * A follower's cycle is published after its process(); a driver's in our
 * ready() callback, which stands in front of impl-node's.
 */

#include <errno.h>

#include <spa/buffer/buffer.h>
#include <spa/node/io.h>
#include <spa/node/node.h>
#include <spa/utils/defs.h>
#include <spa/utils/hook.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "node-guard-private.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

/* ---- data thread ---- */

/* The level of what the node produced, while we silence it, read from its
 * private buffer (the part before a wrap). */
static void measure_plane(struct pm_guard *guard, const struct port *p,
		const struct pm_shadow_plane *pl)
{
	uint32_t offset, size;

	if (pl->maxsize == 0)
		return;
	offset = pl->priv_chunk->offset % pl->maxsize;
	size = SPA_MIN(pl->priv_chunk->size, pl->maxsize - offset);
	if (size == 0)
		return;
	__atomic_fetch_add(&guard->level_sum,
			pm_level_mean_square(&p->level, pl->priv + offset, size),
			__ATOMIC_RELAXED);
	__atomic_fetch_add(&guard->level_n, 1, __ATOMIC_RELAXED);
}

/* Returns whether the port had a buffer to publish.
 * What consumers read comes from the port's tee (impl-port.c), which only
 * hands on the buffer ids this io carries. PipeWire 1.6's node.reliable /
 * port.reliable selects another tee that passes a buffer on only once a
 * consumer gave the last one back: it moves ids, never data, and a shadow
 * and its real buffer share an id, so what is published here is all any
 * consumer can get. */
static bool publish_port(struct pm_guard *guard, struct port *p, bool muted, uint32_t engage,
		bool measure)
{
	struct spa_io_buffers *io = __atomic_load_n(&p->io, __ATOMIC_ACQUIRE);
	struct pm_shadow_set *set = __atomic_load_n(&p->set, __ATOMIC_ACQUIRE);
	const struct pm_shadow *s;
	uint32_t i, id;

	if (io == NULL || set == NULL)
		return false;

	if (muted && SPA_UNLIKELY(p->cleared != engage)) {
		/* first muted cycle: no unmuted audio stays in any buffer */
		for (i = 0; i < set->n_buffers; i++)
			pm_shadow_clear_real(&set->shadows[i], &p->silence);
		p->cleared = engage;
	}

	id = io->buffer_id;
	if (id >= set->n_buffers)
		return false;
	s = &set->shadows[id];
	if (muted && measure && s->n_planes > 0 && p->level.kind != PM_LEVEL_NONE)
		measure_plane(guard, p, &s->planes[0]);
	pm_shadow_publish(s, muted ? &p->silence : NULL);
	return true;
}

void pm_guard_publish_outputs(struct pm_guard *guard)
{
	uint32_t i, n_ports, engage;
	bool muted, measure = true;

	muted = __atomic_load_n(&guard->mute->muted, __ATOMIC_ACQUIRE);
	engage = __atomic_load_n(&guard->mute->engage, __ATOMIC_ACQUIRE);
	n_ports = __atomic_load_n(&guard->n_ports, __ATOMIC_ACQUIRE);
	for (i = 0; i < n_ports; i++)
		if (publish_port(guard, &guard->ports[i], muted, engage, measure))
			measure = false;
}

/* impl-node's callbacks: one static table in libpipewire for all nodes,
 * learned from a node of our own (learn_impl_callbacks); the data of each
 * node's callbacks is its pw_impl_node. */
static const struct spa_node_callbacks *impl_callbacks;

/* the callbacks to forward to for the node of guard (NULL: not ours) */
static inline const struct spa_node_callbacks *forward_of(struct pm_guard *guard)
{
	return guard ? __atomic_load_n(&guard->fwd, __ATOMIC_ACQUIRE) :
		__atomic_load_n(&impl_callbacks, __ATOMIC_ACQUIRE);
}

static inline const struct spa_node_callbacks *forward_to(void *data)
{
	return forward_of(pm_guard_find_by_node(data));
}

static int guard_ready(void *data, int status)
{
	/* one lookup per cycle: the guard both publishes and forwards */
	struct pm_guard *guard = pm_guard_find_by_node(data);
	const struct spa_node_callbacks *cb;

	/* a driver produced its cycle: publish it before impl-node runs the
	 * output mix and wakes the consumers */
	if (SPA_LIKELY(guard != NULL) && status >= 0 && (status & SPA_STATUS_HAVE_DATA))
		pm_guard_publish_outputs(guard);
	cb = forward_of(guard);
	return cb && cb->ready ? cb->ready(data, status) : 0;
}

static int guard_cb_reuse_buffer(void *data, uint32_t port_id, uint32_t buffer_id)
{
	const struct spa_node_callbacks *cb = forward_to(data);
	return cb && cb->reuse_buffer ? cb->reuse_buffer(data, port_id, buffer_id) : 0;
}

static int guard_xrun(void *data, uint64_t trigger, uint64_t delay, struct spa_pod *info)
{
	const struct spa_node_callbacks *cb = forward_to(data);
	return cb && cb->xrun ? cb->xrun(data, trigger, delay, info) : 0;
}

const struct spa_node_callbacks pm_guard_callbacks = {
	SPA_VERSION_NODE_CALLBACKS,
	.ready = guard_ready,
	.reuse_buffer = guard_cb_reuse_buffer,
	.xrun = guard_xrun,
};

/* ---- main thread ---- */

/* impl-node installs its spa_node_callbacks in
 * pw_impl_node_set_implementation(), before any guard exists, and offers
 * no way to read them. Let it install them on a node of our own, never
 * registered, whose set_callbacks keeps what it is given. */
struct probe {
	struct spa_node node;
	struct spa_hook_list hooks;
	const struct spa_node_callbacks *callbacks;
	void *data;
};

static int probe_add_listener(void *object, struct spa_hook *listener,
		const struct spa_node_events *events, void *data)
{
	struct probe *p = object;
	spa_hook_list_append(&p->hooks, listener, events, data);
	return 0;
}

static int probe_set_callbacks(void *object, const struct spa_node_callbacks *callbacks,
		void *data)
{
	struct probe *p = object;
	if (callbacks != NULL) {
		p->callbacks = callbacks;
		p->data = data;
	}
	return 0;
}

/* destroying the node suspends it */
static int probe_send_command(void *object, const struct spa_command *command)
{
	return 0;
}

static const struct spa_node_methods probe_methods = {
	SPA_VERSION_NODE_METHODS,
	.add_listener = probe_add_listener,
	.set_callbacks = probe_set_callbacks,
	.send_command = probe_send_command,
};

static const struct spa_node_callbacks *learn_impl_callbacks(struct pw_context *context)
{
	struct pw_impl_node *node;
	struct probe p;
	bool ok;

	spa_zero(p);
	spa_hook_list_init(&p.hooks);
	p.node.iface = SPA_INTERFACE_INIT(SPA_TYPE_INTERFACE_Node, SPA_VERSION_NODE,
			&probe_methods, &p);
	node = pw_context_create_node(context,
			pw_properties_new(PW_KEY_NODE_NAME, "privacy-mute.probe", NULL), 0);
	if (node == NULL)
		return NULL;
	pw_impl_node_set_implementation(node, &p.node);
	ok = p.data == (void *)node && p.callbacks != NULL && p.callbacks->ready != NULL;
	pw_impl_node_destroy(node);
	return ok ? p.callbacks : NULL;
}

const struct spa_node_callbacks *pm_guard_impl_callbacks(struct pw_context *context)
{
	const struct spa_node_callbacks *cb = __atomic_load_n(&impl_callbacks, __ATOMIC_ACQUIRE);

	if (cb == NULL && (cb = learn_impl_callbacks(context)) != NULL)
		__atomic_store_n(&impl_callbacks, cb, __ATOMIC_RELEASE);
	return cb;
}

uint32_t pm_guard_take_level(struct pm_guard *guard, double *mean_square)
{
	uint32_t n = __atomic_exchange_n(&guard->level_n, 0, __ATOMIC_RELAXED);
	uint64_t sum = __atomic_exchange_n(&guard->level_sum, 0, __ATOMIC_RELAXED);

	/* the two are taken apart: a cycle may fall in between, which
	 * moves one measure to the next interval at most */
	*mean_square = n ? (double)sum / n / PM_LEVEL_Q32_ONE : 0.0;
	return n;
}
