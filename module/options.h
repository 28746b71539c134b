/* privacy-mute: module options (pure logic) */
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

/* node.name matches one of the exempt.nodes patterns (fnmatch). */
bool pm_options_is_exempt(const struct pm_options *opts, const char *node_name);

#endif
