/* privacy-mute: interposition on the spa_node of a capture source */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_NODE_GUARD_H
#define PRIVACY_MUTE_NODE_GUARD_H

#include <stdint.h>

#include <pipewire/impl.h>

/* The mute state one module instance enforces. Written on the main loop,
 * read in data threads with atomic loads only. */
struct pm_mute {
	int muted;
	/* Bumped each time the mute engages, so that every data thread zeroes
	 * all buffers of a port once (no stale audio left in shared memory). */
	uint32_t engage;
};

struct pm_guard;

struct pm_guard_events {
	/* The node went away; the guard is freed after this returns. */
	void (*destroyed) (void *data, struct pm_guard *guard);
};

/* Start guarding node: from now on, while mute->muted, every buffer the
 * node outputs is silence. Returns NULL with errno set on failure
 * (EEXIST: already guarded, ENOTSUP: no implementation). */
struct pm_guard *pm_guard_new(struct pw_impl_node *node, struct pm_mute *mute,
		const struct pm_guard_events *events, void *data);

/* Restore the node's own methods and free the guard. */
void pm_guard_destroy(struct pm_guard *guard);
/* Whether the node still runs on private buffers: after pm_guard_destroy()
 * its consumers would get nothing new until it renegotiates. */
bool pm_guard_is_shadowing(struct pm_guard *guard);

/* Return once the data loop that runs the node has finished any cycle that
 * started before this call: later cycles see the current mute state. */
void pm_guard_sync(struct pm_guard *guard);

struct pw_impl_node *pm_guard_get_node(struct pm_guard *guard);

/* The mean square (full scale 1.0) of the signal silenced since the last
 * call, one port per cycle; returns the number of cycles measured. Only
 * muted cycles are measured. Main thread. */
uint32_t pm_guard_take_level(struct pm_guard *guard, double *mean_square);

#endif
