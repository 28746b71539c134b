/* privacy-mute: what a node is, from its properties (pure logic) */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_CLASSIFY_H
#define PRIVACY_MUTE_CLASSIFY_H

#include <stdbool.h>

#include "options.h"

/* A node with this media.class captures audio and must be guarded:
 * Audio/Source, Audio/Source/Virtual, Audio/Duplex..., in any case. */
bool pm_media_class_is_capture(const char *media_class);

/* What a node is, from its properties. media_class: media.class, chosen
 * by whoever made the node; spa_factory: factory.name, the SPA factory the
 * adapter or spa-node-factory loaded to run it (what it really is: a
 * client cannot make an ALSA source with another factory.name), NULL for
 * a stream. local: the node runs in this process (pm_node_is_local).
 * A node captures if its class says so, if its SPA factory reads a
 * capture device or generates audio (api.*.source, audiotestsrc) whatever
 * its class, or, fail-closed, if it runs here with a SPA factory we do not
 * know and its class does not say it consumes audio or is not audio. */
bool pm_node_captures(const char *media_class, const char *spa_factory, bool local);

/* Guard such a node with these options: capture nodes, and sinks (their
 * monitor outputs) when monitor.sinks is on. */
bool pm_node_is_guarded(const struct pm_options *opts, const char *media_class,
		const char *spa_factory, bool local);

/* Exemptions are for nodes the configuration or a module made: a client
 * picks its node's name, so a client-made node is never exempt. A client
 * node carries client.id, unless its maker asked for object.linger (then
 * the factory leaves client.id out): both count as client-made. */
bool pm_node_may_be_exempt(bool has_client_id, bool linger);

/* The node's data is produced in this process. Nodes made by the adapter
 * or spa-node-factory factories are (those factories set factory.id
 * themselves); a client-node's properties come from its client, whose
 * factory.id names a factory of the client's own context, so anything
 * else that has a client.id is hosted elsewhere and guarded there.
 * factory_name: the name of the factory factory.id names here, or NULL. */
bool pm_node_is_local(const char *factory_name, bool has_factory_id, bool has_client_id);

#endif
