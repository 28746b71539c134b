/* privacy-mute: D-Bus arguments of the policy service, parsed and built */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_POLICY_ARGS_H
#define PRIVACY_MUTE_POLICY_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include <dbus/dbus.h>

#include "policy-core.h"

/*
 * Pure functions over libdbus messages and iterators, no connection needed,
 * so that unit tests and fuzzers can call them on any message.
 */

/* The RegisterEnforcer argument: a{sv} with optional keys "process" s,
 * "host" s, "pid" u, "sources" u; other keys are ignored. The strings in
 * info point into m. Returns 0, or -EINVAL with *why set to a static
 * message for the caller. */
int pm_args_parse_enforcer_info(DBusMessage *m, struct pm_enforcer_info *info,
		const char **why);

/* The ReportSources argument: a(ussb), each entry (id, node name, media
 * class, guarded), at most PM_MAX_SOURCES entries with strings of at most
 * PM_MAX_INFO_STRING bytes. On success *sources is an array of *n entries
 * (NULL when 0) to free() whose strings point into m. Returns 0, -ENOMEM,
 * or -EINVAL with *why set to a static message for the caller. */
int pm_args_parse_sources(DBusMessage *m, struct pm_source_info **sources, uint32_t *n,
		const char **why);

/* PM_CHANGED_* bit of a property name, 0 for none of ours. */
uint32_t pm_args_property_mask(const char *name);

/* Append the value of property name as a variant. Returns 0, -ENOENT for
 * an unknown name or -ENOMEM. */
int pm_args_append_property(DBusMessageIter *it, const struct pm_core *core,
		const char *name);

/* Append an a{sv} of the properties in mask (PM_CHANGED_*). Muted and
 * Generation always go together: an enforcer applies a state only when it
 * has both. Returns false when out of memory. */
bool pm_args_append_properties(DBusMessageIter *it, const struct pm_core *core,
		uint32_t mask);

#endif /* PRIVACY_MUTE_POLICY_ARGS_H */
