/* privacy-mute: a bounded per-key rate limiter */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_RATELIMIT_H
#define PRIVACY_MUTE_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "pm-limits.h"

#define PM_RATELIMIT_KEYS	64
#define PM_RATELIMIT_KEY_MAX	PM_STRING_MAX	/* longer keys are compared by this prefix */

struct pm_ratelimit_entry {
	char key[PM_RATELIMIT_KEY_MAX + 1];
	int64_t last;		/* time of the last allowed event */
	bool used;
};

/* At most one event per key per interval. The table is bounded: when it is
 * full, the key allowed longest ago makes room (so a flood of distinct
 * keys can only make an old key pass early, never block a new one). */
struct pm_ratelimit {
	int64_t interval;
	struct pm_ratelimit_entry entries[PM_RATELIMIT_KEYS];
};

void pm_ratelimit_init(struct pm_ratelimit *rl, int64_t interval);

/* True (and the event is recorded at now) when no event of key was
 * allowed within the interval before now. Times are in any monotonic unit,
 * the interval's. A clock that went back counts as "within". */
bool pm_ratelimit_allow(struct pm_ratelimit *rl, const char *key, int64_t now);

#endif /* PRIVACY_MUTE_RATELIMIT_H */
