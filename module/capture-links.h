/* privacy-mute: who captures from a microphone while it is muted */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_CAPTURE_LINKS_H
#define PRIVACY_MUTE_CAPTURE_LINKS_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/impl.h>

#include "capture-info.h"

/*
 * In the daemon, every link of the graph is an object of our context. This
 * keeps the links whose output is a capture source (wherever that source
 * is hosted) and, while muted, reports each one as a capture that started
 * (links already there when the mute engages too) and as stopped when the
 * link goes or the mute is released, with what the consumer says it is.
 */
struct pm_capture_links_events {
	void (*started)(void *data, uint32_t id, const struct pm_capture_info *info);
	void (*stopped)(void *data, uint32_t id);
};

struct pm_capture_links;

struct pm_capture_links *pm_capture_links_new(struct pw_context *context,
		const struct pm_capture_links_events *events, void *data);
void pm_capture_links_set_muted(struct pm_capture_links *captures, bool muted);
/* links from node's outputs to anything */
uint32_t pm_capture_links_count(struct pm_capture_links *captures, struct pw_impl_node *node);
void pm_capture_links_destroy(struct pm_capture_links *captures);

#endif
