/* privacy-mute: have the daemon suspend a node, so that it renegotiates */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_SUSPENDER_H
#define PRIVACY_MUTE_SUSPENDER_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/context.h>

/*
 * A source that already streams when the module is loaded keeps buffers we
 * never saw. The way a session manager makes a node drop its buffers is the
 * Suspend command on the node in the daemon: the daemon clears its format
 * and buffers and, as it is still linked, sets it up again, this time
 * through the guard. We send it over a connection of our own (to our own
 * context in the daemon, to the daemon elsewhere), by node name.
 */
struct pm_suspender;

struct pm_suspender *pm_suspender_new(struct pw_context *context, bool self);
void pm_suspender_request(struct pm_suspender *suspender, const char *node_name);
/* The module is being unloaded: these nodes (global ids) still run on our
 * private buffers and would give their consumers nothing new until they
 * renegotiate. Ask for that on a connection left behind for it. */
void pm_suspender_farewell(struct pm_suspender *suspender, const uint32_t *ids, uint32_t n_ids);
void pm_suspender_destroy(struct pm_suspender *suspender);

#endif
