/* privacy-mute: D-Bus arguments of the policy service, parsed and built */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_POLICY_ARGS_H
#define PRIVACY_MUTE_POLICY_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include <dbus/dbus.h>

#include "capture-log.h"
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

/* The ReportSources argument: a(ussbb), each entry (id, node name, media
 * class, guarded, exempt; exempt only counts when not guarded), at most PM_MAX_SOURCES entries with strings of at most
 * PM_MAX_INFO_STRING bytes. On success *sources is an array of *n entries
 * (NULL when 0) to free() whose strings point into m. Returns 0, -ENOMEM,
 * or -EINVAL with *why set to a static message for the caller. */
int pm_args_parse_sources(DBusMessage *m, struct pm_source_info **sources, uint32_t *n,
		const char **why);

/* The CaptureStarted arguments: u id, a{sv} info with optional keys
 * "source" s, "application" s, "binary" s (each at most
 * PM_CAPTURE_STRING_MAX bytes) and "pid" u; other keys are ignored. The
 * strings in info point into m. Returns 0, or -EINVAL with *why set. */
int pm_args_parse_capture_started(DBusMessage *m, uint32_t *id,
		struct pm_capture_info *info, const char **why);

/* The SpeechWhileMuted argument: s source of at most PM_MAX_INFO_STRING
 * bytes. Returns 0, or -EINVAL with *why set. */
int pm_args_parse_speech(DBusMessage *m, const char **source, const char **why);

/* Append the capture log as a(ssusxx): application, binary, pid, source,
 * start and stop in unix microseconds (stop 0: still open). false when
 * out of memory. */
bool pm_args_append_capture_log(DBusMessageIter *it, const struct pm_capture_log *log);

/* The methods of the object, for the dispatcher of the service. */
enum pm_method {
	PM_METHOD_SET_MUTED,
	PM_METHOD_TOGGLE,
	PM_METHOD_REGISTER_ENFORCER,
	PM_METHOD_ACKNOWLEDGE,
	PM_METHOD_UNREGISTER_ENFORCER,
	PM_METHOD_REPORT_SOURCES,
	PM_METHOD_SOURCE_MUTE_CHANGED,
	PM_METHOD_SPEECH_WHILE_MUTED,
	PM_METHOD_CAPTURE_STARTED,
	PM_METHOD_CAPTURE_STOPPED,
	PM_METHOD_GET_CAPTURE_LOG,
	PM_METHOD_SET_LOCKED,
	PM_METHOD_GET,
	PM_METHOD_GET_ALL,
	PM_METHOD_SET,
	PM_METHOD_INTROSPECT,
	PM_N_METHODS,
};

struct pm_method_info {
	const char *iface;
	const char *member;
	const char *signature;
	enum pm_method id;
};

enum pm_lookup {
	PM_LOOKUP_OK,			/* *method is the one to call */
	PM_LOOKUP_BAD_SIGNATURE,	/* *method exists, the arguments do not match */
	PM_LOOKUP_UNKNOWN_METHOD,
	PM_LOOKUP_UNKNOWN_INTERFACE,
	PM_LOOKUP_NOT_A_CALL,		/* not a method call, or no member */
};

/* Which method the call m is for. A call without an interface field
 * matches any interface; org.freedesktop.DBus.Peer is known (libdbus
 * answers it), its unknown members are UNKNOWN_METHOD. *method is set for
 * OK and BAD_SIGNATURE. */
enum pm_lookup pm_args_lookup_method(DBusMessage *m, const struct pm_method_info **method);

/* SetMuted (b). false: not that signature. */
bool pm_args_parse_set_muted(DBusMessage *m, bool *muted);

/* Acknowledge (tbu). false: not that signature. */
bool pm_args_parse_acknowledge(DBusMessage *m, uint64_t *generation, bool *muted,
		uint32_t *sources);

/* An interface name that means ours ("" means whichever has it). */
bool pm_args_is_our_interface(const char *iface);

/* Interfaces the object implements besides ours. */
bool pm_args_is_standard_interface(const char *iface);

enum pm_property_check {
	PM_PROPERTY_OK,
	PM_PROPERTY_INVALID_ARGS,	/* not (ss...) */
	PM_PROPERTY_UNKNOWN_INTERFACE,	/* neither ours nor a standard one */
	PM_PROPERTY_UNKNOWN_PROPERTY,	/* not ours, or a standard interface */
};

/* Properties.Get (ss) and Set (ssv): *iface and *name point into m; they
 * are set for every result but INVALID_ARGS. */
enum pm_property_check pm_args_parse_property(DBusMessage *m, const char **iface,
		const char **name);

/* Properties.GetAll (s): OK, INVALID_ARGS or UNKNOWN_INTERFACE; *iface is
 * set unless INVALID_ARGS. */
enum pm_property_check pm_args_parse_get_all(DBusMessage *m, const char **iface);

/* A NameOwnerChanged signal saying the unique name *name left the bus (a
 * unique name is never reused). The caller checks that the bus sent it. */
bool pm_args_name_gone(DBusMessage *m, const char **name);

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
