/* privacy-mute: a bounded per-key rate limiter */
/* SPDX-License-Identifier: MIT */

#include <string.h>

#include "ratelimit.h"

void pm_ratelimit_init(struct pm_ratelimit *rl, int64_t interval)
{
	memset(rl, 0, sizeof(*rl));
	rl->interval = interval;
}

bool pm_ratelimit_allow(struct pm_ratelimit *rl, const char *key, int64_t now)
{
	struct pm_ratelimit_entry *e, *slot = NULL;
	char k[PM_RATELIMIT_KEY_MAX + 1];

	/* the key as stored: cut at the limit */
	strncpy(k, key, PM_RATELIMIT_KEY_MAX);
	k[PM_RATELIMIT_KEY_MAX] = '\0';

	for (int i = 0; i < PM_RATELIMIT_KEYS; i++) {
		e = &rl->entries[i];
		if (e->used && strcmp(e->key, k) == 0) {
			/* now < last: the clock went back; not a reason to pass */
			if (now - e->last < rl->interval)
				return false;
			e->last = now;
			return true;
		}
		/* room for a new key: a free entry, else the oldest */
		if (!e->used) {
			if (slot == NULL || slot->used)
				slot = e;
		} else if (slot == NULL || (slot->used && e->last < slot->last)) {
			slot = e;
		}
	}
	memcpy(slot->key, k, sizeof(k));
	slot->last = now;
	slot->used = true;
	return true;
}
