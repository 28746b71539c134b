/* privacy-mute: bounds on the strings that cross the bus, shared by module and policy */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_PM_LIMITS_H
#define PRIVACY_MUTE_PM_LIMITS_H

/* (Not "limits.h": with common/ on the include path it would shadow the
 * C library's <limits.h>.) */

/* The longest string the policy takes from an enforcer, in bytes without
 * the NUL: a source name, a media class, what a capture's consumer says it
 * is, a rate-limit key (a source name). The policy refuses longer ones;
 * the enforcer cuts them to this before it sends them. */
#define PM_STRING_MAX	256

#endif /* PRIVACY_MUTE_PM_LIMITS_H */
