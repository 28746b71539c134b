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
 * Publishing copies the range of the private chunk, or writes silence of
 * that size while muted. Nothing is read back from shared memory, so a
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
#include "shadow.h"
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
	/* The node's private buffers, each with its real one. The array a
	 * caller passes to port_use_buffers is only valid during the call
	 * (remote-node frees it), the buffers themselves stay until the
	 * next port_use_buffers. */
	struct pm_shadow_set *set;	/* atomic: NULL while not usable */
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

	/* Shadows the node may still hold though we no longer publish them:
	 * a port gone from the node's outside can live on inside it (an
	 * adapter keeps its converter's ports across a PortConfig switch).
	 * Freed with the node. */
	struct pm_shadow_set *retired;
	bool node_gone;

	/* impl-node's callbacks, that ours forward to (atomic) */
	const struct spa_node_callbacks *fwd;
	bool callbacks_ours;

	/* data thread adds, main loop takes: the level of what we silenced,
	 * for the voice-activity decision (one port measured per cycle) */
	uint64_t level_sum;		/* atomic: sum of Q32 mean squares */
	uint32_t level_n;		/* atomic: cycles measured */

	uint32_t n_ports;		/* atomic: highest used port id + 1 */
	struct port ports[MAX_PORTS];
};

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
static struct pm_guard *lookup_node(void *data)
{
	uint32_t i, end = __atomic_load_n(&slots_end, __ATOMIC_ACQUIRE);
	for (i = 0; i < end; i++) {
		if (__atomic_load_n(&slots[i].object, __ATOMIC_ACQUIRE) != NULL &&
		    __atomic_load_n(&slots[i].node, __ATOMIC_RELAXED) == data)
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
		__atomic_store_n(&slots[i].node, (void *)g->node, __ATOMIC_RELAXED);
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

/* The level of what the node produced, while we silence it, read from its
 * private buffer (the part before a wrap). */
static void measure_plane(struct pm_guard *g, const struct port *p,
		const struct pm_shadow_plane *pl)
{
	uint32_t offset, size;

	if (pl->maxsize == 0)
		return;
	offset = pl->priv_chunk->offset % pl->maxsize;
	size = SPA_MIN(pl->priv_chunk->size, pl->maxsize - offset);
	if (size == 0)
		return;
	__atomic_fetch_add(&g->level_sum,
			pm_level_mean_square(&p->level, pl->priv + offset, size),
			__ATOMIC_RELAXED);
	__atomic_fetch_add(&g->level_n, 1, __ATOMIC_RELAXED);
}

/* Returns whether the port had a buffer to publish.
 * What consumers read comes from the port's tee (impl-port.c), which only
 * hands on the buffer ids this io carries. PipeWire 1.6's node.reliable /
 * port.reliable selects another tee that passes a buffer on only once a
 * consumer gave the last one back: it moves ids, never data, and a shadow
 * and its real buffer share an id, so what is published here is all any
 * consumer can get. */
static bool publish_port(struct pm_guard *g, struct port *p, bool muted, uint32_t engage,
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
		measure_plane(g, p, &s->planes[0]);
	pm_shadow_publish(s, muted ? &p->silence : NULL);
	return true;
}

static inline void publish_outputs(struct pm_guard *g)
{
	uint32_t i, n_ports, engage;
	bool muted, measure = true;

	muted = __atomic_load_n(&g->mute->muted, __ATOMIC_ACQUIRE);
	engage = __atomic_load_n(&g->mute->engage, __ATOMIC_ACQUIRE);
	n_ports = __atomic_load_n(&g->n_ports, __ATOMIC_ACQUIRE);
	for (i = 0; i < n_ports; i++)
		if (publish_port(g, &g->ports[i], muted, engage, measure))
			measure = false;
}

/* impl-node's callbacks: one static table in libpipewire for all nodes,
 * learned from a node of our own (learn_impl_callbacks); the data of each
 * node's callbacks is its pw_impl_node. */
static const struct spa_node_callbacks *impl_callbacks;

/* the callbacks to forward to for the node of guard g (NULL: not ours) */
static inline const struct spa_node_callbacks *forward_of(struct pm_guard *g)
{
	return g ? __atomic_load_n(&g->fwd, __ATOMIC_ACQUIRE) :
		__atomic_load_n(&impl_callbacks, __ATOMIC_ACQUIRE);
}

static inline const struct spa_node_callbacks *forward_to(void *data)
{
	return forward_of(lookup_node(data));
}

static int guard_ready(void *data, int status)
{
	/* one lookup per cycle: the guard both publishes and forwards */
	struct pm_guard *g = lookup_node(data);
	const struct spa_node_callbacks *cb;

	/* a driver produced its cycle: publish it before impl-node runs the
	 * output mix and wakes the consumers */
	if (SPA_LIKELY(g != NULL) && status >= 0 && (status & SPA_STATUS_HAVE_DATA))
		publish_outputs(g);
	cb = forward_of(g);
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

static const struct spa_node_callbacks guard_callbacks = {
	SPA_VERSION_NODE_CALLBACKS,
	.ready = guard_ready,
	.reuse_buffer = guard_cb_reuse_buffer,
	.xrun = guard_xrun,
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
		publish_outputs(g);
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

static void retire(struct pm_guard *g, struct pm_shadow_set *set)
{
	if (set == NULL)
		return;
	set->next = g->retired;
	g->retired = set;
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
static void port_clear(struct pm_guard *g, struct port *p)
{
	struct pm_shadow_set *set;

	__atomic_store_n(&p->io, NULL, __ATOMIC_RELEASE);
	set = __atomic_exchange_n(&p->set, NULL, __ATOMIC_ACQ_REL);
	/* the data thread may be publishing from it */
	pm_guard_sync(g);
	retire(g, set);
}

static int guard_add_listener(void *object, struct spa_hook *listener,
		const struct spa_node_events *events, void *data)
{
	GUARD_OR_RETURN(g, object);
	return CALL(g, add_listener, listener, events, data);
}

/* impl-node sets its callbacks once, before we guard the node, and clears
 * them when the node goes; should it set them again, ours stay in front. */
static int guard_set_callbacks(void *object, const struct spa_node_callbacks *callbacks,
		void *data)
{
	GUARD_OR_RETURN(g, object);
	if (callbacks == NULL || data != (void *)g->node) {
		g->callbacks_ours = false;
		__atomic_store_n(&g->fwd, NULL, __ATOMIC_RELEASE);
		return CALL(g, set_callbacks, callbacks, data);
	}
	__atomic_store_n(&g->fwd, callbacks, __ATOMIC_RELEASE);
	g->callbacks_ours = true;
	return CALL(g, set_callbacks, &guard_callbacks, data);
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
		port_clear(g, p);
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
	struct pm_shadow_set *set = NULL, *old;
	int res;

	if (direction == SPA_DIRECTION_OUTPUT && n_buffers > 0) {
		/* what we cannot shadow must not carry audio */
		if (p == NULL || n_buffers > MAX_BUFFERS) {
			pw_log_error("%p: output port %u with %u buffers is beyond what "
					"privacy-mute can guard (%u ports, %u buffers): "
					"refusing its buffers",
					g, port_id, n_buffers, MAX_PORTS, MAX_BUFFERS);
			return -ENOSPC;
		}
		/* The node would allocate the shared memory itself and write
		 * into it. No audio source in PipeWire 1.4 or 1.6 offers this
		 * (only video nodes and pw_streams with ALLOC_BUFFERS do); a
		 * guard would have to allocate that memory on its behalf. */
		if (flags & SPA_NODE_BUFFERS_FLAG_ALLOC) {
			pw_log_error("%p: output port %u wants to allocate its own buffers, "
					"which privacy-mute cannot shadow: refusing them",
					g, port_id);
			return -ENOTSUP;
		}
		/* main thread: the data thread only copies */
		if ((set = pm_shadow_set_new(buffers, n_buffers)) == NULL) {
			res = -errno;
			pw_log_error("%p: cannot shadow the %u buffers of output port %u "
					"(unmapped memory or %u+ planes): %s", g, n_buffers,
					port_id, PM_SHADOW_MAX_DATAS, spa_strerror(res));
			return res;
		}
	}
	old = p ? __atomic_exchange_n(&p->set, NULL, __ATOMIC_ACQ_REL) : NULL;
	if (old != NULL) {
		/* the data thread may be publishing from the old set */
		pm_guard_sync(g);
	}

	res = CALL(g, port_use_buffers, direction, port_id, flags,
			set ? set->buffers : buffers, n_buffers);

	if (p == NULL)
		return res;
	if (res < 0) {
		/* the node may still hold what it had, not what it refused */
		pm_shadow_set_free(set);
		retire(g, old);
		return res;
	}
	/* the node has let go of the old shadows of this port */
	pm_shadow_set_free(old);
	if (set != NULL) {
		p->cleared = 0;
		__atomic_store_n(&p->set, set, __ATOMIC_RELEASE);
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
	g->node_gone = true;
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
	port_clear(g, p);
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

struct pm_guard *pm_guard_new(struct pw_impl_node *node, struct pm_mute *mute,
		const struct pm_guard_events *events, void *data)
{
	struct spa_node *spa_node = pw_impl_node_get_implementation(node);
	const struct spa_node_callbacks *cb;
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
	if ((cb = __atomic_load_n(&impl_callbacks, __ATOMIC_ACQUIRE)) == NULL) {
		if ((cb = learn_impl_callbacks(pw_impl_node_get_context(node))) == NULL) {
			pw_log_error("cannot learn impl-node's node callbacks");
			errno = ENOTSUP;
			return NULL;
		}
		__atomic_store_n(&impl_callbacks, cb, __ATOMIC_RELEASE);
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
	g->fwd = cb;
	for (i = 0; i < MAX_PORTS; i++)
		g->ports[i].silence = PM_SILENCE_ZERO;

	if ((res = slot_add(g->orig_data, g)) < 0) {
		free(g);
		errno = -res;
		return NULL;
	}
	pw_impl_node_add_listener(node, &g->node_listener, &node_events, g);

	/* one aligned pointer store: callers see either table, both work */
	__atomic_store_n(&spa_node->iface.cb.funcs, (const void *)&guard_methods,
			__ATOMIC_RELEASE);

	/* Our callbacks in front of impl-node's. Guards are made before the
	 * node is linked, so no cycle runs; a node guarded while it runs
	 * (a module loaded at run time) is safe too: the callbacks' data
	 * stays the pw_impl_node, and a ready() that reads the old table
	 * goes to impl-node directly, with nothing to publish yet (the node
	 * gets shadows only from its next port_use_buffers). */
	if (g->orig_methods->set_callbacks != NULL &&
	    g->orig_methods->set_callbacks(g->orig_data, &guard_callbacks, node) >= 0)
		g->callbacks_ours = true;
	else
		pw_log_warn("%p: cannot install callbacks: a driver's output "
				"stays unpublished", g);
	pm_guard_sync(g);
	return g;
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

void pm_guard_destroy(struct pm_guard *g)
{
	uint32_t i;

	if (g->callbacks_ours) {
		const struct spa_node_callbacks *fwd = __atomic_load_n(&g->fwd, __ATOMIC_ACQUIRE);
		g->orig_methods->set_callbacks(g->orig_data, fwd, fwd ? (void *)g->node : NULL);
	}
	if (g->spa_node->iface.cb.funcs == &guard_methods)
		__atomic_store_n(&g->spa_node->iface.cb.funcs, (const void *)g->orig_methods,
				__ATOMIC_RELEASE);
	else
		pw_log_warn("%p: node methods were replaced by someone else, "
				"leaving them as they are", g);

	spa_hook_remove(&g->node_listener);
	/* blocking on the node's data loop: no thread is in our code after */
	pm_guard_sync(g);
	slot_remove(g->orig_data);

	for (i = 0; i < MAX_PORTS; i++) {
		struct pm_shadow_set *set = g->ports[i].set;
		if (set == NULL)
			continue;
		if (!g->node_gone)
			pw_log_warn("%p: port %u keeps its private buffers until it "
					"renegotiates: its consumers get no new data", g, i);
		retire(g, set);
	}
	/* a destroyed node was suspended and stopped before: it runs no more */
	if (g->node_gone)
		free_list(g->retired);
	else
		orphan(g->retired);
	free(g);
}

bool pm_guard_is_shadowing(struct pm_guard *g)
{
	uint32_t i;

	if (g->node_gone)
		return false;
	for (i = 0; i < MAX_PORTS; i++)
		if (g->ports[i].set != NULL)
			return true;
	return false;
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
