/* privacy-mute: interposition on the spa_node of a capture source */
/* SPDX-License-Identifier: MIT */

/*
 * Every caller of a spa_node goes through spa_interface_call*, which reads
 * iface.cb.funcs on each call. A guard replaces only that one pointer with
 * its own method table; cb.data stays the node's own object, so a data
 * thread that reads the two fields while we swap never pairs the node's
 * functions with our data or the other way round. Our methods find their
 * guard from the node's object through a small lock-free table.
 *
 * The enforcement boundary: a link's buffers are shared memory that every
 * consumer maps read-write, so the node never gets them. port_use_buffers
 * on an output port hands the node private shadows (shadow.c) and keeps
 * the real buffers; the node's output is published into them at the
 * node's own boundary, before any output mix or consumer runs:
 *  - after process() returns HAVE_DATA (the node is a follower), and
 *  - in our ready() callback (the node drives: it produced its data in
 *    its own timer path and tells impl-node through ready()).
 * Publishing (guard-cycle.c) copies the range of the private chunk, or
 * writes silence of that size while muted. Nothing is read back from shared memory, so a
 * client spinning on the buffers, or writing their chunks, sees only what
 * we published.
 *
 * PipeWire 1.6: with node.reliable / port.reliable the output mix swaps
 * buffer ids with its consumers (tee_process_reliable), so io->buffer_id
 * names the produced buffer only until the mix ran; we publish before it,
 * and a shadow and its real buffer share their id, so a swap keeps them
 * paired. Since 1.2.2 the mix also runs before the rt start event: that
 * event is too late, which is why a driver is published in ready().
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spa/node/node.h>
#include <spa/node/io.h>
#include <spa/buffer/buffer.h>
#include <spa/utils/result.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "level.h"
#include "node-guard.h"
#include "node-guard-private.h"
#include "shadow.h"
#include "silence.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

#define MAX_GUARDS	256

/* Node object -> guard, shared by all module instances in the process. */
static struct {
	void *object;			/* the spa_node's own object */
	void *node;			/* the pw_impl_node: our callbacks' data */
	struct pm_guard *guard;
} slots[MAX_GUARDS];

/* Slots in use are all below this (atomic; it only grows): the data thread
 * looks up its guard on every call, so it scans no more than it must. */
static uint32_t slots_end;

static struct pm_guard *lookup(void *object)
{
	uint32_t i, end = __atomic_load_n(&slots_end, __ATOMIC_ACQUIRE);
	for (i = 0; i < end; i++) {
		if (__atomic_load_n(&slots[i].object, __ATOMIC_ACQUIRE) == object)
			return __atomic_load_n(&slots[i].guard, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* The guard whose node calls our callbacks with data. */
struct pm_guard *pm_guard_find_by_node(void *data)
{
	uint32_t i, end = __atomic_load_n(&slots_end, __ATOMIC_ACQUIRE);
	for (i = 0; i < end; i++) {
		if (__atomic_load_n(&slots[i].object, __ATOMIC_ACQUIRE) != NULL &&
		    __atomic_load_n(&slots[i].node, __ATOMIC_RELAXED) == data)
			return __atomic_load_n(&slots[i].guard, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int slot_add(void *object, struct pm_guard *guard)
{
	uint32_t i;
	for (i = 0; i < MAX_GUARDS; i++) {
		if (slots[i].object != NULL)
			continue;
		__atomic_store_n(&slots[i].guard, guard, __ATOMIC_RELAXED);
		__atomic_store_n(&slots[i].node, (void *)guard->node, __ATOMIC_RELAXED);
		__atomic_store_n(&slots[i].object, object, __ATOMIC_RELEASE);
		if (i + 1 > slots_end)
			__atomic_store_n(&slots_end, i + 1, __ATOMIC_RELEASE);
		return 0;
	}
	return -ENOSPC;
}

static void slot_remove(void *object)
{
	uint32_t i;
	for (i = 0; i < slots_end; i++) {
		if (slots[i].object != object)
			continue;
		__atomic_store_n(&slots[i].object, NULL, __ATOMIC_RELEASE);
		__atomic_store_n(&slots[i].guard, NULL, __ATOMIC_RELAXED);
	}
}

/* ---- data thread ---- */

#define CALL(guard,method,...)							\
	((guard)->orig_methods->method ?					\
	 (guard)->orig_methods->method((guard)->orig_data, ##__VA_ARGS__) :	\
	 -ENOTSUP)

static int guard_process(void *object)
{
	struct pm_guard *guard = lookup(object);
	int res;

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	res = CALL(guard, process);
	if (res >= 0 && (res & SPA_STATUS_HAVE_DATA))
		pm_guard_publish_outputs(guard);
	return res;
}

static int guard_port_reuse_buffer(void *object, uint32_t port_id, uint32_t buffer_id)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, port_reuse_buffer, port_id, buffer_id);
}

/* ---- main thread ---- */

static struct port *output_port(struct pm_guard *guard, enum spa_direction direction,
		uint32_t port_id)
{
	if (direction != SPA_DIRECTION_OUTPUT || port_id >= MAX_PORTS)
		return NULL;
	return &guard->ports[port_id];
}

static void port_touch(struct pm_guard *guard, uint32_t port_id)
{
	if (port_id + 1 > guard->n_ports)
		__atomic_store_n(&guard->n_ports, port_id + 1, __ATOMIC_RELEASE);
}

static void retire(struct pm_guard *guard, struct pm_shadow_set *set)
{
	if (set == NULL)
		return;
	set->next = guard->retired;
	guard->retired = set;
}

static void free_list(struct pm_shadow_set *set)
{
	while (set != NULL) {
		struct pm_shadow_set *next = set->next;
		pm_shadow_set_free(set);
		set = next;
	}
}

/* Stop publishing on the port. Its shadows are kept: the node may still
 * write into them. */
static void port_clear(struct pm_guard *guard, struct port *p)
{
	struct pm_shadow_set *set;

	__atomic_store_n(&p->io, NULL, __ATOMIC_RELEASE);
	set = __atomic_exchange_n(&p->set, NULL, __ATOMIC_ACQ_REL);
	/* the data thread may be publishing from it */
	pm_guard_sync(guard);
	retire(guard, set);
}

static int guard_add_listener(void *object, struct spa_hook *listener,
		const struct spa_node_events *events, void *data)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, add_listener, listener, events, data);
}

/* impl-node sets its callbacks once, before we guard the node, and clears
 * them when the node goes; should it set them again, ours stay in front. */
static int guard_set_callbacks(void *object, const struct spa_node_callbacks *callbacks,
		void *data)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	if (callbacks == NULL || data != (void *)guard->node) {
		guard->callbacks_ours = false;
		__atomic_store_n(&guard->fwd, NULL, __ATOMIC_RELEASE);
		return CALL(guard, set_callbacks, callbacks, data);
	}
	__atomic_store_n(&guard->fwd, callbacks, __ATOMIC_RELEASE);
	guard->callbacks_ours = true;
	return CALL(guard, set_callbacks, &pm_guard_callbacks, data);
}

static int guard_sync(void *object, int seq)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, sync, seq);
}

static int guard_enum_params(void *object, int seq, uint32_t id, uint32_t start,
		uint32_t max, const struct spa_pod *filter)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, enum_params, seq, id, start, max, filter);
}

static int guard_set_param(void *object, uint32_t id, uint32_t flags,
		const struct spa_pod *param)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, set_param, id, flags, param);
}

static int guard_set_io(void *object, uint32_t id, void *data, size_t size)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, set_io, id, data, size);
}

static int guard_send_command(void *object, const struct spa_command *command)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, send_command, command);
}

static int guard_add_port(void *object, enum spa_direction direction, uint32_t port_id,
		const struct spa_dict *props)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, add_port, direction, port_id, props);
}

static int guard_remove_port(void *object, enum spa_direction direction, uint32_t port_id)
{
	struct pm_guard *guard = lookup(object);
	struct port *p;

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	if ((p = output_port(guard, direction, port_id)) != NULL)
		port_clear(guard, p);
	return CALL(guard, remove_port, direction, port_id);
}

static int guard_port_enum_params(void *object, int seq, enum spa_direction direction,
		uint32_t port_id, uint32_t id, uint32_t start, uint32_t max,
		const struct spa_pod *filter)
{
	struct pm_guard *guard = lookup(object);

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	return CALL(guard, port_enum_params, seq, direction, port_id, id, start, max, filter);
}

static int guard_port_set_param(void *object, enum spa_direction direction, uint32_t port_id,
		uint32_t id, uint32_t flags, const struct spa_pod *param)
{
	struct pm_guard *guard = lookup(object);
	struct port *p;
	int res;

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	p = output_port(guard, direction, port_id);
	res = CALL(guard, port_set_param, direction, port_id, id, flags, param);

	if (p != NULL && id == SPA_PARAM_Format && res >= 0) {
		struct pm_silence s;
		struct pm_level_format l;
		pm_silence_for_format_pod(param, &s);
		pm_level_for_format_pod(param, &l);
		p->silence = s;
		p->level = l;
		pw_log_debug("%p: port %u format set, silence stride:%u zero:%u",
				guard, port_id, s.stride, s.zero);
	}
	return res;
}

static int guard_port_use_buffers(void *object, enum spa_direction direction,
		uint32_t port_id, uint32_t flags, struct spa_buffer **buffers,
		uint32_t n_buffers)
{
	struct pm_guard *guard = lookup(object);
	struct pm_shadow_set *set = NULL, *old;
	struct port *p;
	int res;

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	p = output_port(guard, direction, port_id);

	if (direction == SPA_DIRECTION_OUTPUT && n_buffers > 0) {
		/* what we cannot shadow must not carry audio */
		if (p == NULL || n_buffers > MAX_BUFFERS) {
			pw_log_error("%p: output port %u with %u buffers is beyond what "
					"privacy-mute can guard (%u ports, %u buffers): "
					"refusing its buffers",
					guard, port_id, n_buffers, MAX_PORTS, MAX_BUFFERS);
			return -ENOSPC;
		}
		/* The node would allocate the shared memory itself and write
		 * into it. No audio source in PipeWire 1.4 or 1.6 offers this
		 * (only video nodes and pw_streams with ALLOC_BUFFERS do); a
		 * guard would have to allocate that memory on its behalf. */
		if (flags & SPA_NODE_BUFFERS_FLAG_ALLOC) {
			pw_log_error("%p: output port %u wants to allocate its own buffers, "
					"which privacy-mute cannot shadow: refusing them",
					guard, port_id);
			return -ENOTSUP;
		}
		/* main thread: the data thread only copies */
		if ((set = pm_shadow_set_new(buffers, n_buffers)) == NULL) {
			res = -errno;
			pw_log_error("%p: cannot shadow the %u buffers of output port %u "
					"(unmapped memory or %u+ planes): %s", guard, n_buffers,
					port_id, PM_SHADOW_MAX_DATAS, spa_strerror(res));
			return res;
		}
	}
	old = p ? __atomic_exchange_n(&p->set, NULL, __ATOMIC_ACQ_REL) : NULL;
	if (old != NULL) {
		/* the data thread may be publishing from the old set */
		pm_guard_sync(guard);
	}

	res = CALL(guard, port_use_buffers, direction, port_id, flags,
			set ? set->buffers : buffers, n_buffers);

	if (p == NULL)
		return res;
	if (res < 0) {
		/* the node may still hold what it had, not what it refused */
		pm_shadow_set_free(set);
		retire(guard, old);
		return res;
	}
	/* the node has let go of the old shadows of this port */
	pm_shadow_set_free(old);
	if (set != NULL) {
		p->cleared = 0;
		__atomic_store_n(&p->set, set, __ATOMIC_RELEASE);
		port_touch(guard, port_id);
	}
	return res;
}

static int guard_port_set_io(void *object, enum spa_direction direction, uint32_t port_id,
		uint32_t id, void *data, size_t size)
{
	struct pm_guard *guard = lookup(object);
	struct port *p;
	int res;

	if (SPA_UNLIKELY(guard == NULL))
		return -EIO;
	p = id == SPA_IO_Buffers ? output_port(guard, direction, port_id) : NULL;

	if (id == SPA_IO_Buffers && direction == SPA_DIRECTION_OUTPUT &&
	    p == NULL && data != NULL) {
		pw_log_error("%p: output port %u is beyond the %u ports privacy-mute can "
				"silence: refusing its io", guard, port_id, MAX_PORTS);
		return -ENOSPC;
	}
	if (p != NULL)
		__atomic_store_n(&p->io, NULL, __ATOMIC_RELEASE);

	res = CALL(guard, port_set_io, direction, port_id, id, data, size);

	if (p != NULL && res >= 0 && data != NULL && size >= sizeof(struct spa_io_buffers)) {
		__atomic_store_n(&p->io, (struct spa_io_buffers *)data, __ATOMIC_RELEASE);
		port_touch(guard, port_id);
	}
	return res;
}

static const struct spa_node_methods guard_methods = {
	SPA_VERSION_NODE_METHODS,
	.add_listener = guard_add_listener,
	.set_callbacks = guard_set_callbacks,
	.sync = guard_sync,
	.enum_params = guard_enum_params,
	.set_param = guard_set_param,
	.set_io = guard_set_io,
	.send_command = guard_send_command,
	.add_port = guard_add_port,
	.remove_port = guard_remove_port,
	.port_enum_params = guard_port_enum_params,
	.port_set_param = guard_port_set_param,
	.port_use_buffers = guard_port_use_buffers,
	.port_set_io = guard_port_set_io,
	.port_reuse_buffer = guard_port_reuse_buffer,
	.process = guard_process,
};

static void node_destroy(void *data)
{
	struct pm_guard *guard = data;
	guard->node_gone = true;
	if (guard->events && guard->events->destroyed)
		guard->events->destroyed(guard->events_data, guard);
	pm_guard_destroy(guard);
}

static void node_port_removed(void *data, struct pw_impl_port *port)
{
	struct pm_guard *guard = data;
	struct port *p = output_port(guard, (enum spa_direction)pw_impl_port_get_direction(port),
			pw_impl_port_get_id(port));
	if (p == NULL)
		return;
	/* the port's io and buffers are freed after this event */
	port_clear(guard, p);
}

static const struct pw_impl_node_events node_events = {
	PW_VERSION_IMPL_NODE_EVENTS,
	.destroy = node_destroy,
	.port_removed = node_port_removed,
};

static const struct pw_impl_node_rt_events barrier_events = {
	PW_VERSION_IMPL_NODE_RT_EVENTS,
};

void pm_guard_sync(struct pm_guard *guard)
{
	struct spa_hook barrier;

	/* A barrier: when this returns, the node's data loop has run past
	 * any cycle that was under way.
	 * PipeWire < 1.5.81: adding an rt listener is queued on the data
	 * loop; removing it is a blocking invoke there, which runs only
	 * between dispatches.
	 * PipeWire >= 1.5.81 (1.6): both run here, under pw_loop_locked()
	 * (impl-node.c). The data loop thread holds that (recursive) lock
	 * from pw_loop_enter() on and lets go of it only while it waits in
	 * poll (spa/plugins/support/loop.c loop_iterate), so taking it also
	 * waits for the cycle being dispatched, and the guarantee holds.
	 * Called from the data thread itself, both versions run at once,
	 * which is no barrier, and this is never called there. */
	spa_zero(barrier);
	pw_impl_node_add_rt_listener(guard->node, &barrier, &barrier_events, NULL);
	pw_impl_node_remove_rt_listener(guard->node, &barrier);
}

struct pm_guard *pm_guard_new(struct pw_impl_node *node, struct pm_mute *mute,
		const struct pm_guard_events *events, void *data)
{
	struct spa_node *spa_node = pw_impl_node_get_implementation(node);
	const struct spa_node_callbacks *cb;
	struct pm_guard *guard;
	uint32_t i;
	int res;

	if (spa_node == NULL) {
		errno = ENOTSUP;
		return NULL;
	}
	if (spa_node->iface.cb.funcs == &guard_methods || lookup(spa_node->iface.cb.data)) {
		errno = EEXIST;
		return NULL;
	}
	if ((cb = pm_guard_impl_callbacks(pw_impl_node_get_context(node))) == NULL) {
		pw_log_error("cannot learn impl-node's node callbacks");
		errno = ENOTSUP;
		return NULL;
	}
	if ((guard = calloc(1, sizeof(*guard))) == NULL)
		return NULL;

	guard->node = node;
	guard->spa_node = spa_node;
	guard->orig_methods = spa_node->iface.cb.funcs;
	guard->orig_data = spa_node->iface.cb.data;
	guard->mute = mute;
	guard->events = events;
	guard->events_data = data;
	guard->fwd = cb;
	for (i = 0; i < MAX_PORTS; i++)
		guard->ports[i].silence = PM_SILENCE_ZERO;

	if ((res = slot_add(guard->orig_data, guard)) < 0) {
		free(guard);
		errno = -res;
		return NULL;
	}
	pw_impl_node_add_listener(node, &guard->node_listener, &node_events, guard);

	/* one aligned pointer store: callers see either table, both work */
	__atomic_store_n(&spa_node->iface.cb.funcs, (const void *)&guard_methods,
			__ATOMIC_RELEASE);

	/* Our callbacks in front of impl-node's. Guards are made before the
	 * node is linked, so no cycle runs; a node guarded while it runs
	 * (a module loaded at run time) is safe too: the callbacks' data
	 * stays the pw_impl_node, and a ready() that reads the old table
	 * goes to impl-node directly, with nothing to publish yet (the node
	 * gets shadows only from its next port_use_buffers). */
	if (guard->orig_methods->set_callbacks != NULL &&
	    guard->orig_methods->set_callbacks(guard->orig_data, &pm_guard_callbacks, node) >= 0)
		guard->callbacks_ours = true;
	else
		pw_log_warn("%p: cannot install callbacks: a driver's output "
				"stays unpublished", guard);
	pm_guard_sync(guard);
	return guard;
}

/* A node that keeps running without its guard still writes into the
 * shadows it was given, until its next port_use_buffers: they are kept
 * (and reachable) rather than freed under it. Its consumers see the last
 * published buffers, silence if it was muted, until it renegotiates. */
static struct pm_shadow_set *orphans;

static void orphan(struct pm_shadow_set *set)
{
	while (set != NULL) {
		struct pm_shadow_set *next = set->next;
		set->next = orphans;
		orphans = set;
		set = next;
	}
}

void pm_guard_destroy(struct pm_guard *guard)
{
	uint32_t i;

	if (guard->callbacks_ours) {
		const struct spa_node_callbacks *fwd = __atomic_load_n(&guard->fwd, __ATOMIC_ACQUIRE);
		guard->orig_methods->set_callbacks(guard->orig_data, fwd, fwd ? (void *)guard->node : NULL);
	}
	if (guard->spa_node->iface.cb.funcs == &guard_methods)
		__atomic_store_n(&guard->spa_node->iface.cb.funcs, (const void *)guard->orig_methods,
				__ATOMIC_RELEASE);
	else
		pw_log_warn("%p: node methods were replaced by someone else, "
				"leaving them as they are", guard);

	spa_hook_remove(&guard->node_listener);
	/* blocking on the node's data loop: no thread is in our code after */
	pm_guard_sync(guard);
	slot_remove(guard->orig_data);

	for (i = 0; i < MAX_PORTS; i++) {
		struct pm_shadow_set *set = guard->ports[i].set;
		if (set == NULL)
			continue;
		if (!guard->node_gone)
			pw_log_warn("%p: port %u keeps its private buffers until it "
					"renegotiates: its consumers get no new data", guard, i);
		retire(guard, set);
	}
	/* a destroyed node was suspended and stopped before: it runs no more */
	if (guard->node_gone)
		free_list(guard->retired);
	else
		orphan(guard->retired);
	free(guard);
}

bool pm_guard_is_shadowing(struct pm_guard *guard)
{
	uint32_t i;

	if (guard->node_gone)
		return false;
	for (i = 0; i < MAX_PORTS; i++)
		if (guard->ports[i].set != NULL)
			return true;
	return false;
}

struct pw_impl_node *pm_guard_get_node(struct pm_guard *guard)
{
	return guard->node;
}
