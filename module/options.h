/* privacy-mute: module options and node classification (pure logic) */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_OPTIONS_H
#define PRIVACY_MUTE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include <spa/utils/dict.h>

#include "policy-client.h"

#define PM_MAX_EXEMPT		16
#define PM_MAX_PATTERN		128
#define PM_MAX_EXECUTABLE	1024	/* with the NUL */

struct pm_options {
	enum pm_bus bus;	/* policy.bus */
	/* policy.executable: the only program whose owner of the policy's
	 * name is followed on the session bus (default: the installed one) */
	char policy_executable[PM_MAX_EXECUTABLE];
	/* policy.uid: the user the policy runs as on the session bus
	 * (default, -1: the user of this process) */
	int64_t policy_uid;
	bool initial_muted;	/* initial.state */
	bool monitor_sinks;	/* monitor.sinks */
	uint32_t n_exempt;	/* exempt.nodes */
	char exempt[PM_MAX_EXEMPT][PM_MAX_PATTERN];
};

/* Parse and validate the module arguments (a SPA-JSON object already read
 * into a dict). Returns 0, or -EINVAL with a message naming the key in
 * err. Unknown keys are errors: a typo must not silently weaken a privacy
 * setting. */
int pm_options_parse(const struct spa_dict *args, struct pm_options *opts,
		char *err, size_t err_size);

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

/* node.name matches one of the exempt.nodes patterns (fnmatch). */
bool pm_options_is_exempt(const struct pm_options *opts, const char *node_name);

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
