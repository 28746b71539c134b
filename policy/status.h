/* privacy-mute: the policy's properties as a client sees them, and printed */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_STATUS_H
#define PRIVACY_MUTE_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <dbus/dbus.h>

#include "json-string.h"

struct pm_status_enforcer {
	char *name;		/* unique bus name */
	char *process;
	char *host;
	uint32_t pid;
	uint32_t sources;
	bool acknowledged;	/* acknowledged the current generation */
};

/* An entry of Unguarded (a capture source no enforcer guards) or Exempt. */
struct pm_status_source {
	uint32_t id;
	char *name;
	char *media_class;
};

/* LastChangedBy: who made the last change of the state. */
struct pm_status_change {
	uint64_t generation;	/* 0: no change since the policy started */
	char *caller;		/* unique bus name */
	uint32_t pid;		/* 0: not known (yet) */
	char *executable;
	char *how;
};

/* Who owns the policy's name, as the client checked it (owner-check.h):
 * not a property, filled in by the CLI. */
struct pm_status_owner {
	bool checked;		/* the fields below are set */
	bool verified;
	char *name;		/* unique bus name */
	uint32_t pid;
	char *executable;	/* "" not read (system bus) */
	char *why;		/* not verified: the reason */
};

struct pm_status {
	bool muted;
	bool enforced;
	bool follow_source_mute;
	bool locked;
	bool speech_detection;
	bool notify_speech;
	bool notify_capture;
	bool daemon_enforcer;	/* DaemonEnforcer */
	uint64_t generation;
	struct pm_status_enforcer *enforcers;
	uint32_t n_enforcers;
	struct pm_status_source *unguarded;
	uint32_t n_unguarded;
	struct pm_status_source *exempt;	/* Exempt: left alone by exempt.nodes */
	uint32_t n_exempt;
	struct pm_status_change last_change;
	struct pm_status_owner owner;
	uint32_t have;		/* PM_CHANGED_* of the properties seen so far */
};

/* Set st->owner (copies); -ENOMEM. */
int pm_status_set_owner(struct pm_status *st, bool verified, const char *name, uint32_t pid,
		const char *executable, const char *why);

void pm_status_clear(struct pm_status *st);

/* Apply the a{sv} at it (a GetAll reply or the changed dict of a
 * PropertiesChanged). Unknown keys are ignored. Returns 0, -EINVAL when
 * it is not an a{sv} or a known property has the wrong type, or -ENOMEM;
 * st is unchanged on error. */
int pm_status_update(struct pm_status *st, DBusMessageIter *it);

/* Enforcers that acknowledged the current generation. */
uint32_t pm_status_acknowledged(const struct pm_status *st);

/* Several lines of text for people. An owner that was checked and is not
 * verified: only who it is and why it is not believed; its properties
 * are not shown (they are whatever it chose to say). */
void pm_status_print_text(FILE *f, const struct pm_status *st);

/* One JSON object on one line, with a newline: "verified" and "policy"
 * when the owner was checked; not verified: only those. */
void pm_status_print_json(FILE *f, const struct pm_status *st);

/* One JSON object on one line for status bars (waybar's custom module with
 * return-type json): text, alt, tooltip, class, plus muted and enforced.
 * st NULL: the policy service is not running. */
void pm_status_print_bar(FILE *f, const struct pm_status *st);

/* s for a terminal: control characters as '?', NULL or "" as "?" */
void pm_text_print_string(FILE *f, const char *s);

#endif /* PRIVACY_MUTE_STATUS_H */
