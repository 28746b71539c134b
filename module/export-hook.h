/* privacy-mute: see every node this process exports to the daemon */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_EXPORT_HOOK_H
#define PRIVACY_MUTE_EXPORT_HOOK_H

#include <pipewire/context.h>
#include <pipewire/impl.h>

/*
 * A pw_stream builds its node with object.register = false, so a
 * stream-based source (PulseAudio pipe and tunnel sources in
 * pipewire-pulse, RTP/ROC receivers) never reaches the context's
 * global_added. Every such node is handed to pw_core_export() before it
 * is linked, and that goes through the context's export type for
 * PW_TYPE_INTERFACE_Node: the hook sits in front of it and shows us the
 * node first.
 */
struct pm_export_hook;

struct pm_export_hook *pm_export_hook_new(struct pw_context *context,
		void (*exported) (void *data, struct pw_impl_node *node), void *data);

void pm_export_hook_destroy(struct pm_export_hook *hook);

#endif
