/* privacy-mute: the guard's state, shared by node-guard.c (interposition) and guard-cycle.c (each cycle) */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_NODE_GUARD_PRIVATE_H
#define PRIVACY_MUTE_NODE_GUARD_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <spa/node/io.h>
#include <spa/node/node.h>

#include "level.h"
#include "node-guard.h"
#include "shadow.h"
#include "silence.h"

/* Enough for 64 channels in dsp mode plus as many monitor ports. An output
 * port beyond this cannot be silenced, so it is refused buffers. */
#define MAX_PORTS	128
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

/* Data thread (node-guard.c): the guard whose node calls our callbacks with
 * data, its pw_impl_node; NULL when not guarded. Lock-free. */
struct pm_guard *pm_guard_find_by_node(void *data);

/* Data thread (guard-cycle.c): publish what the node produced this cycle
 * into the real buffers of its output ports, or silence while muted. */
void pm_guard_publish_outputs(struct pm_guard *guard);

/* Our callbacks, installed in front of impl-node's (guard-cycle.c). */
extern const struct spa_node_callbacks pm_guard_callbacks;

/* Main thread: impl-node's callbacks, learned once; NULL if they cannot be. */
const struct spa_node_callbacks *pm_guard_impl_callbacks(struct pw_context *context);

#endif
