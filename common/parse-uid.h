/* privacy-mute: a user id as text, for policy.uid and PRIVACY_MUTE_POLICY_UID */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_PARSE_UID_H
#define PRIVACY_MUTE_PARSE_UID_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Decimal digits only, below (uid_t)-1, which means "no user". */
static inline bool pm_parse_uid(const char *s, uint32_t *uid)
{
	char *end;
	unsigned long long u;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	u = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || u >= UINT32_MAX)
		return false;
	*uid = (uint32_t)u;
	return true;
}

#endif
