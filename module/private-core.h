/* privacy-mute: a private connection to the daemon, with its registry */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_PRIVATE_CORE_H
#define PRIVACY_MUTE_PRIVATE_CORE_H

#include <stdbool.h>

#include <pipewire/pipewire.h>

/*
 * Some parts of the module see the graph as the daemon lists it, not as
 * our own context holds it: they connect on their own, and listen to the
 * registry of that connection. pw_context_destroy() disconnects (and
 * frees) every core before it destroys the modules, so the connection is
 * let go of when the context goes, before the module is destroyed: else
 * destroying the module would touch freed hooks (a use-after-free ASan
 * found on every daemon exit).
 */
struct pm_private_core_events {
	/* The connection is about to go (pm_private_core_disconnect(), or the
	 * context is destroyed): destroy what was bound through it. */
	void (*disconnecting)(void *data);
};

struct pm_private_core {
	struct pw_context *context;
	struct spa_hook context_listener;
	bool context_gone;
	const char *purpose;	/* "lost the connection that <purpose>", NULL: silent */
	const struct pm_private_core_events *events;
	void *data;

	struct pw_core *core;		/* NULL while not connected */
	struct spa_hook core_listener;
	struct pw_registry *registry;
	struct spa_hook registry_listener;
};

/* Follow context (not connected yet); events may be NULL. */
void pm_private_core_init(struct pm_private_core *pc, struct pw_context *context,
		const char *purpose, const struct pm_private_core_events *events, void *data);

/* (Re)connect, with props (taken, may be NULL), over the context's own
 * socket when self is false, else inside the process
 * (pw_context_connect_self), and listen to the registry with
 * registry_events and the data of pm_private_core_init(). Returns 0 or a
 * negative errno; not connected on failure. */
int pm_private_core_connect(struct pm_private_core *pc, struct pw_properties *props, bool self,
		const struct pw_registry_events *registry_events);

void pm_private_core_disconnect(struct pm_private_core *pc);

/* Disconnect and stop following the context. */
void pm_private_core_clear(struct pm_private_core *pc);

#endif
