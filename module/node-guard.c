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
 * The methods forward to the original and, on the way, record for each
 * output port its buffers io, its buffers and the silence of its format.
 * While muted, silence is written into the output buffer of each port:
 *  - after process() returns HAVE_DATA (the node is a follower), and
 *  - in the rt start event of the node (it is the driver: its data was
 *    produced in its ready() path, before peers are triggered).
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
#include "silence.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

/* Enough for 64 channels in dsp mode plus as many monitor ports. An output
 * port beyond this cannot be silenced, so it is refused buffers. */
#define MAX_PORTS	128
#define MAX_GUARDS	256
/* More than audioconvert (32) accepts on a port. */
#define MAX_BUFFERS	64

struct port {
	struct spa_io_buffers *io;	/* atomic: NULL while not usable */
	/* Our own copy: the array a caller passes to port_use_buffers is
	 * only valid during the call (remote-node frees it), the buffers
	 * themselves stay until the next port_use_buffers. */
	struct spa_buffer *buffers[MAX_BUFFERS];
	uint32_t n_buffers;		/* atomic: 0 while not usable */
	uint32_t cleared;		/* data thread: engage count of the last full clear */
	struct pm_silence silence;
	struct pm_level_format level;
};

struct pm_guard {
	struct pw_impl_node *node;
	struct spa_node *spa_node;
	const struct spa_node_methods *orig_methods;
	void *orig_data;
	struct pm_mute *mute;

	const struct pm_guard_events *events;
	void *events_data;

	struct spa_hook node_listener;
	struct spa_hook rt_listener;

	/* data thread adds, main loop takes: the level of what we silenced,
	 * for the voice-activity decision (one port measured per cycle) */
	uint64_t level_sum;		/* atomic: sum of Q32 mean squares */
	uint32_t level_n;		/* atomic: cycles measured */

	uint32_t n_ports;		/* atomic: highest used port id + 1 */
	struct port ports[MAX_PORTS];
};

/* Node object -> guard, shared by all module instances in the process. */
static struct {
	void *object;
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

static int slot_add(void *object, struct pm_guard *g)
{
	uint32_t i;
	for (i = 0; i < MAX_GUARDS; i++) {
		if (slots[i].object != NULL)
			continue;
		__atomic_store_n(&slots[i].guard, g, __ATOMIC_RELAXED);
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

static void silence_data(const struct pm_silence *s, struct spa_data *d)
{
	uint32_t maxsize = d->maxsize, offset, size;
	uint8_t *mem = d->data;

	if (mem == NULL || maxsize == 0 || d->chunk == NULL)
		return;
	offset = d->chunk->offset % maxsize;
	size = SPA_MIN(d->chunk->size, maxsize);
	if (offset + size <= maxsize) {
		pm_silence_fill(s, mem + offset, size);
	} else {
		/* a ring buffer chunk that wraps */
		pm_silence_fill(s, mem + offset, maxsize - offset);
		pm_silence_fill(s, mem, size - (maxsize - offset));
	}
}

/* The level of the chunk we are about to silence (the part before a wrap). */
static void measure_data(struct pm_guard *g, const struct port *p, const struct spa_data *d)
{
	uint32_t maxsize = d->maxsize, offset, size;

	if (d->data == NULL || maxsize == 0 || d->chunk == NULL)
		return;
	offset = d->chunk->offset % maxsize;
	size = SPA_MIN(d->chunk->size, maxsize - offset);
	if (size == 0)
		return;
	__atomic_fetch_add(&g->level_sum,
			pm_level_mean_square(&p->level, (uint8_t *)d->data + offset, size),
			__ATOMIC_RELAXED);
	__atomic_fetch_add(&g->level_n, 1, __ATOMIC_RELAXED);
}

/* Returns whether the port had a buffer to silence.
 * What consumers read comes from the port's tee (impl-port.c), which only
 * hands on the buffer ids this io carries. PipeWire 1.6's node.reliable /
 * port.reliable selects another tee, which passes a buffer on only once a
 * consumer gave the last one back and recycles only consumed ones, and
 * lets a reliable driver's links use plain instead of async io: it still
 * moves ids, never data, so what is zeroed here (every buffer on the
 * first muted cycle, then each one as it is filled) is all any consumer
 * can get. */
static bool silence_port(struct pm_guard *g, struct port *p, uint32_t engage, bool measure)
{
	struct spa_io_buffers *io = __atomic_load_n(&p->io, __ATOMIC_ACQUIRE);
	uint32_t n_buffers = __atomic_load_n(&p->n_buffers, __ATOMIC_ACQUIRE);
	struct spa_buffer *b;
	uint32_t i, j, id;

	if (io == NULL || n_buffers == 0)
		return false;

	if (SPA_UNLIKELY(p->cleared != engage)) {
		/* first muted cycle: no unmuted audio stays in any buffer */
		for (i = 0; i < n_buffers; i++) {
			b = p->buffers[i];
			for (j = 0; j < b->n_datas; j++) {
				if (b->datas[j].data != NULL)
					pm_silence_fill(&p->silence, b->datas[j].data,
							b->datas[j].maxsize);
			}
		}
		p->cleared = engage;
	}

	id = io->buffer_id;
	if (id >= n_buffers)
		return false;
	b = p->buffers[id];
	if (measure && b->n_datas > 0 && p->level.kind != PM_LEVEL_NONE)
		measure_data(g, p, &b->datas[0]);
	for (j = 0; j < b->n_datas; j++)
		silence_data(&p->silence, &b->datas[j]);
	return true;
}

static inline void silence_outputs(struct pm_guard *g)
{
	uint32_t i, n_ports, engage;
	bool measure = true;

	if (!__atomic_load_n(&g->mute->muted, __ATOMIC_ACQUIRE))
		return;
	engage = __atomic_load_n(&g->mute->engage, __ATOMIC_ACQUIRE);
	n_ports = __atomic_load_n(&g->n_ports, __ATOMIC_ACQUIRE);
	for (i = 0; i < n_ports; i++)
		if (silence_port(g, &g->ports[i], engage, measure))
			measure = false;
}

static void rt_start(void *data)
{
	silence_outputs(data);
}

static const struct pw_impl_node_rt_events rt_events = {
	PW_VERSION_IMPL_NODE_RT_EVENTS,
	.start = rt_start,
};

#define CALL(g,method,...)						\
	((g)->orig_methods->method ?					\
	 (g)->orig_methods->method((g)->orig_data, ##__VA_ARGS__) :	\
	 -ENOTSUP)

#define GUARD_OR_RETURN(g,object)					\
	struct pm_guard *g = lookup(object);				\
	if (SPA_UNLIKELY(g == NULL))					\
		return -EIO;

static int guard_process(void *object)
{
	GUARD_OR_RETURN(g, object);
	int res = CALL(g, process);
	if (res >= 0 && (res & SPA_STATUS_HAVE_DATA))
		silence_outputs(g);
	return res;
}

static int guard_port_reuse_buffer(void *object, uint32_t port_id, uint32_t buffer_id)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, port_reuse_buffer, port_id, buffer_id);
}

/* ---- main thread ---- */

static struct port *output_port(struct pm_guard *g, enum spa_direction direction,
		uint32_t port_id)
{
	if (direction != SPA_DIRECTION_OUTPUT || port_id >= MAX_PORTS)
		return NULL;
	return &g->ports[port_id];
}

static void port_touch(struct pm_guard *g, uint32_t port_id)
{
	if (port_id + 1 > g->n_ports)
		__atomic_store_n(&g->n_ports, port_id + 1, __ATOMIC_RELEASE);
}

static void port_clear(struct port *p)
{
	__atomic_store_n(&p->io, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&p->n_buffers, 0, __ATOMIC_RELEASE);
}

static int guard_add_listener(void *object, struct spa_hook *listener,
		const struct spa_node_events *events, void *data)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, add_listener, listener, events, data);
}

static int guard_set_callbacks(void *object, const struct spa_node_callbacks *callbacks,
		void *data)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, set_callbacks, callbacks, data);
}

static int guard_sync(void *object, int seq)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, sync, seq);
}

static int guard_enum_params(void *object, int seq, uint32_t id, uint32_t start,
		uint32_t max, const struct spa_pod *filter)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, enum_params, seq, id, start, max, filter);
}

static int guard_set_param(void *object, uint32_t id, uint32_t flags,
		const struct spa_pod *param)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, set_param, id, flags, param);
}

static int guard_set_io(void *object, uint32_t id, void *data, size_t size)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, set_io, id, data, size);
}

static int guard_send_command(void *object, const struct spa_command *command)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, send_command, command);
}

static int guard_add_port(void *object, enum spa_direction direction, uint32_t port_id,
		const struct spa_dict *props)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, add_port, direction, port_id, props);
}

static int guard_remove_port(void *object, enum spa_direction direction, uint32_t port_id)
{
	GUARD_OR_RETURN(g, object);
	struct port *p = output_port(g, direction, port_id);
	if (p != NULL)
		port_clear(p);
	return CALL(g, remove_port, direction, port_id);
}

static int guard_port_enum_params(void *object, int seq, enum spa_direction direction,
		uint32_t port_id, uint32_t id, uint32_t start, uint32_t max,
		const struct spa_pod *filter)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, port_enum_params, seq, direction, port_id, id, start, max, filter);
}

static int guard_port_set_param(void *object, enum spa_direction direction, uint32_t port_id,
		uint32_t id, uint32_t flags, const struct spa_pod *param)
{
	GUARD_OR_RETURN(g, object);
	struct port *p = output_port(g, direction, port_id);
	int res = CALL(g, port_set_param, direction, port_id, id, flags, param);

	if (p != NULL && id == SPA_PARAM_Format && res >= 0) {
		struct pm_silence s;
		struct pm_level_format l;
		pm_silence_for_format_pod(param, &s);
		pm_level_for_format_pod(param, &l);
		p->silence = s;
		p->level = l;
		pw_log_debug("%p: port %u format set, silence stride:%u zero:%u",
				g, port_id, s.stride, s.zero);
	}
	return res;
}

static int guard_port_use_buffers(void *object, enum spa_direction direction,
		uint32_t port_id, uint32_t flags, struct spa_buffer **buffers,
		uint32_t n_buffers)
{
	GUARD_OR_RETURN(g, object);
	struct port *p = output_port(g, direction, port_id);
	int res;

	if (direction == SPA_DIRECTION_OUTPUT && n_buffers > 0 &&
	    (p == NULL || n_buffers > MAX_BUFFERS)) {
		/* what we cannot silence must not carry audio */
		pw_log_error("%p: output port %u with %u buffers is beyond what privacy-mute "
				"can silence (%u ports, %u buffers): refusing its buffers",
				g, port_id, n_buffers, MAX_PORTS, MAX_BUFFERS);
		return -ENOSPC;
	}
	if (p != NULL && __atomic_exchange_n(&p->n_buffers, 0, __ATOMIC_ACQ_REL) > 0) {
		/* the data thread may be reading the old array: let it finish */
		pm_guard_sync(g);
	}

	res = CALL(g, port_use_buffers, direction, port_id, flags, buffers, n_buffers);

	if (p != NULL && res >= 0 && n_buffers > 0) {
		memcpy(p->buffers, buffers, n_buffers * sizeof(buffers[0]));
		p->cleared = 0;
		__atomic_store_n(&p->n_buffers, n_buffers, __ATOMIC_RELEASE);
		port_touch(g, port_id);
	}
	return res;
}

static int guard_port_set_io(void *object, enum spa_direction direction, uint32_t port_id,
		uint32_t id, void *data, size_t size)
{
	GUARD_OR_RETURN(g, object);
	struct port *p = id == SPA_IO_Buffers ? output_port(g, direction, port_id) : NULL;
	int res;

	if (id == SPA_IO_Buffers && direction == SPA_DIRECTION_OUTPUT &&
	    p == NULL && data != NULL) {
		pw_log_error("%p: output port %u is beyond the %u ports privacy-mute can "
				"silence: refusing its io", g, port_id, MAX_PORTS);
		return -ENOSPC;
	}
	if (p != NULL)
		__atomic_store_n(&p->io, NULL, __ATOMIC_RELEASE);

	res = CALL(g, port_set_io, direction, port_id, id, data, size);

	if (p != NULL && res >= 0 && data != NULL && size >= sizeof(struct spa_io_buffers)) {
		__atomic_store_n(&p->io, (struct spa_io_buffers *)data, __ATOMIC_RELEASE);
		port_touch(g, port_id);
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
	struct pm_guard *g = data;
	if (g->events && g->events->destroyed)
		g->events->destroyed(g->events_data, g);
	pm_guard_destroy(g);
}

static void node_port_removed(void *data, struct pw_impl_port *port)
{
	struct pm_guard *g = data;
	struct port *p = output_port(g, (enum spa_direction)pw_impl_port_get_direction(port),
			pw_impl_port_get_id(port));
	if (p == NULL)
		return;
	/* the port's io and buffers are freed after this event */
	port_clear(p);
	pm_guard_sync(g);
}

static const struct pw_impl_node_events node_events = {
	PW_VERSION_IMPL_NODE_EVENTS,
	.destroy = node_destroy,
	.port_removed = node_port_removed,
};

static const struct pw_impl_node_rt_events barrier_events = {
	PW_VERSION_IMPL_NODE_RT_EVENTS,
};

void pm_guard_sync(struct pm_guard *g)
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
	pw_impl_node_add_rt_listener(g->node, &barrier, &barrier_events, NULL);
	pw_impl_node_remove_rt_listener(g->node, &barrier);
}

struct pm_guard *pm_guard_new(struct pw_impl_node *node, struct pm_mute *mute,
		const struct pm_guard_events *events, void *data)
{
	struct spa_node *spa_node = pw_impl_node_get_implementation(node);
	struct pm_guard *g;
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
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;

	g->node = node;
	g->spa_node = spa_node;
	g->orig_methods = spa_node->iface.cb.funcs;
	g->orig_data = spa_node->iface.cb.data;
	g->mute = mute;
	g->events = events;
	g->events_data = data;
	for (i = 0; i < MAX_PORTS; i++)
		g->ports[i].silence = PM_SILENCE_ZERO;

	if ((res = slot_add(g->orig_data, g)) < 0) {
		free(g);
		errno = -res;
		return NULL;
	}
	pw_impl_node_add_listener(node, &g->node_listener, &node_events, g);
	pw_impl_node_add_rt_listener(node, &g->rt_listener, &rt_events, g);

	/* one aligned pointer store: callers see either table, both work */
	__atomic_store_n(&spa_node->iface.cb.funcs, (const void *)&guard_methods,
			__ATOMIC_RELEASE);
	pm_guard_sync(g);
	return g;
}

void pm_guard_destroy(struct pm_guard *g)
{
	if (g->spa_node->iface.cb.funcs == &guard_methods)
		__atomic_store_n(&g->spa_node->iface.cb.funcs, (const void *)g->orig_methods,
				__ATOMIC_RELEASE);
	else
		pw_log_warn("%p: node methods were replaced by someone else, "
				"leaving them as they are", g);

	spa_hook_remove(&g->node_listener);
	/* blocking on the node's data loop: no thread is in our code after */
	pw_impl_node_remove_rt_listener(g->node, &g->rt_listener);
	slot_remove(g->orig_data);
	free(g);
}

struct pw_impl_node *pm_guard_get_node(struct pm_guard *g)
{
	return g->node;
}

uint32_t pm_guard_take_level(struct pm_guard *g, double *mean_square)
{
	uint32_t n = __atomic_exchange_n(&g->level_n, 0, __ATOMIC_RELAXED);
	uint64_t sum = __atomic_exchange_n(&g->level_sum, 0, __ATOMIC_RELAXED);

	/* the two are taken apart: a cycle may fall in between, which
	 * moves one measure to the next interval at most */
	*mean_square = n ? (double)sum / n / 4294967296.0 : 0.0;
	return n;
}
