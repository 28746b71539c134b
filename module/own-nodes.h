/* privacy-mute: the capture nodes this process exported, as the daemon lists them */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_OWN_NODES_H
#define PRIVACY_MUTE_OWN_NODES_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/context.h>

/*
 * A pw_stream source that this process exported before the module was
 * loaded is not registered in our context, so nothing here can reach its
 * buffers. The daemon still lists it, with the id of a client whose pid is
 * ours. This watches the daemon's registry for such capture nodes, so the
 * module can compare them with what it guards and refuse to confirm a mute
 * that one of them would leak through. It also lists every other capture
 * node of the graph, so that this enforcer's report shows the microphones
 * of a process where no enforcer runs (the daemon's, if its module is
 * missing).
 */
struct pm_own_nodes;

struct pm_own_nodes_events {
	/* a node or client of ours came or went */
	void (*changed)(void *data);
};

struct pm_own_nodes *pm_own_nodes_new(struct pw_context *context,
		const struct pm_own_nodes_events *events, void *data);
/* call func for each capture node of the graph (media.class, or the SPA
 * factory that runs it: pm_node_captures), wherever it is hosted */
void pm_own_nodes_for_each_capture(struct pm_own_nodes *own_nodes,
		void (*func)(void *data, uint32_t id, const char *name, const char *media_class),
		void *data);
/* call func for each capture node hosted in this process; returns how
 * many calls returned true */
uint32_t pm_own_nodes_for_each(struct pm_own_nodes *own_nodes,
		bool (*func)(void *data, uint32_t id, const char *name), void *data);
/* the daemon's id of the capture node NAME hosted in this process, or
 * SPA_ID_INVALID */
uint32_t pm_own_nodes_find(struct pm_own_nodes *own_nodes, const char *name);
void pm_own_nodes_destroy(struct pm_own_nodes *own_nodes);

#endif
