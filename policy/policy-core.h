/* privacy-mute: policy state machine and enforcer registry */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_POLICY_CORE_H
#define PRIVACY_MUTE_POLICY_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pm-limits.h"

/* Bounds on what a caller can make the service keep in memory. */
#define PM_MAX_ENFORCERS	256
#define PM_MAX_INFO_STRING	PM_STRING_MAX
#define PM_MAX_SOURCES		1024	/* entries of one ReportSources */

/* Which D-Bus properties an operation changed. */
enum pm_changed {
	PM_CHANGED_MUTED	= 1 << 0,
	PM_CHANGED_ENFORCED	= 1 << 1,
	PM_CHANGED_GENERATION	= 1 << 2,
	PM_CHANGED_ENFORCERS	= 1 << 3,
	PM_CHANGED_UNGUARDED	= 1 << 4,
	PM_CHANGED_FOLLOW	= 1 << 5,
	PM_CHANGED_LOCKED	= 1 << 6,
	PM_CHANGED_SPEECH	= 1 << 7,	/* SpeechDetection */
	PM_CHANGED_NOTIFY_SPEECH = 1 << 8,
	PM_CHANGED_NOTIFY_CAPTURE = 1 << 9,
	PM_CHANGED_LAST_CHANGE	= 1 << 10,	/* LastChangedBy */
	PM_CHANGED_EXEMPT	= 1 << 11,
	PM_CHANGED_DAEMON	= 1 << 12,	/* DaemonEnforcer */
};

/* Who made the last change of Muted (LastChangedBy). The caller's pid and
 * executable come later than the change (the bus is asked without
 * waiting): 0 and "" until then, or when the bus could not tell. */
struct pm_change {
	uint64_t generation;	/* the generation it made; 0: none since the start */
	char *caller;		/* unique bus name; NULL: "" */
	uint32_t pid;
	char *executable;	/* NULL: "" */
	char *how;		/* "SetMuted", "Toggle", "SetLocked", ...; NULL: "" */
};

struct pm_enforcer_info {
	const char *process;	/* NULL: "" */
	const char *host;	/* NULL: "" */
	uint32_t pid;
	uint32_t sources;
	bool daemon;		/* it runs in the pipewire daemon */
};

/* A capture source as an enforcer reports it (ReportSources); the strings
 * are borrowed (from the message). */
struct pm_source_info {
	uint32_t id;		/* global id in the PipeWire daemon, 0: unknown */
	const char *name;	/* node name; NULL: "" */
	const char *media_class; /* NULL: "" */
	bool guarded;		/* the reporting enforcer guards it */
	bool exempt;		/* it runs there, exempt by exempt.nodes */
};

/* The same, owned: a stored report, or an entry of the Unguarded list
 * (there guarded is always false). */
struct pm_source {
	uint32_t id;
	char *name;
	char *media_class;
	bool guarded;
	bool exempt;
};

struct pm_enforcer {
	char *name;		/* unique bus name, the key */
	char *process;
	char *host;
	uint32_t pid;
	uint32_t sources;
	bool daemon;
	bool acked;		/* acknowledged anything since it registered */
	uint64_t ack_generation;
	bool ack_muted;
	struct pm_source *report;	/* its last ReportSources, in its order */
	uint32_t n_report;
};

struct pm_core {
	bool muted;
	uint64_t generation;
	bool enforced;
	/* follow the default source's own mute (the desktop's mic-mute key) */
	bool follow_source_mute;
	/* set by the administrator (uid 0): muted, and nobody may unmute */
	bool locked;
	/* service options, published as read-only properties */
	bool speech_detection;
	bool notify_speech;
	bool notify_capture;
	struct pm_enforcer *enforcers;	/* in registration order */
	uint32_t n_enforcers;
	/* pm_core_compute_unguarded() of the reports, as last published */
	struct pm_source *unguarded;
	uint32_t n_unguarded;
	/* the sources an enforcer leaves alone by exempt.nodes */
	struct pm_source *exempt;
	uint32_t n_exempt;
	struct pm_change last_change;
};

/* Outcome of a deferred SetMuted for the state of generation. */
enum pm_wait {
	PM_WAIT_PENDING,	/* keep waiting */
	PM_WAIT_ENFORCED,	/* reply enforced = true */
	PM_WAIT_NOT_ENFORCED,	/* reply enforced = false */
};

void pm_core_init(struct pm_core *core, bool muted, uint64_t generation);
void pm_core_clear(struct pm_core *core);

/* Returns the changed mask; 0 when muted is already the state, or when
 * the lock forbids the change (check pm_core_may_set_muted() first to tell
 * the caller why). */
uint32_t pm_core_set_muted(struct pm_core *core, bool muted);

/* The lock rules: muting always works; unmuting (SetMuted(false), a Toggle
 * of a muted state, a followed source mute) does not while locked.
 * Returns 0 or -EPERM. */
int pm_core_may_set_muted(const struct pm_core *core, bool muted);

/* Lock or unlock. Locking also mutes (a lock is a muted lock); unlocking
 * leaves the state muted. Returns the changed mask. */
uint32_t pm_core_set_locked(struct pm_core *core, bool locked);

/* Add or replace (and reset the acknowledgement of) the enforcer name; a
 * name that registers again loses its report of sources.
 * Returns 0, -ENOSPC (PM_MAX_ENFORCERS reached), -E2BIG (a string longer
 * than PM_MAX_INFO_STRING) or -ENOMEM. */
int pm_core_register(struct pm_core *core, const char *name,
		const struct pm_enforcer_info *info, uint32_t *changed);

/* Record that name applied muted of generation. -ENOENT if not registered,
 * -ERANGE (nothing recorded) for a generation later than the current one. */
int pm_core_acknowledge(struct pm_core *core, const char *name,
		uint64_t generation, bool muted, uint32_t sources, uint32_t *changed);

/* -ENOENT if not registered. Its report of sources goes with it. */
int pm_core_unregister(struct pm_core *core, const char *name, uint32_t *changed);

/* Replace the report of sources of the enforcer name with sources[0..n).
 * Returns 0, -ENOENT (not registered), -ENOSPC (more than PM_MAX_SOURCES
 * entries), -E2BIG (a string longer than PM_MAX_INFO_STRING) or -ENOMEM;
 * on error the previous report is kept. *changed gets PM_CHANGED_UNGUARDED
 * when the Unguarded list changed. */
int pm_core_report(struct pm_core *core, const char *name,
		const struct pm_source_info *sources, uint32_t n, uint32_t *changed);

/* The capture sources no enforcer guards: every (id, name, media class)
 * reported with guarded and exempt false by some enforcer, unless some
 * report guards or exempts the same node: the same daemon id, or for a
 * report that gives id 0 (its enforcer does not know the id yet) the same
 * name. Every enforcer reports all the capture nodes it can see, so a
 * source hosted where no enforcer runs, or by an enforcer that went away,
 * shows up here. One entry per (id, name), sorted by id, then name. *out
 * is NULL when *n_out is 0; free it with pm_sources_free(). Returns 0 or
 * -ENOMEM. While this list is not empty a mute is not Enforced. */
int pm_core_compute_unguarded(const struct pm_core *core, struct pm_source **out,
		uint32_t *n_out);

/* The sources left alone by exempt.nodes, reported exempt by the enforcer
 * they run in and guarded by none; the same form. */
int pm_core_compute_exempt(const struct pm_core *core, struct pm_source **out,
		uint32_t *n_out);
void pm_sources_free(struct pm_source *sources, uint32_t n);

/* Some registered enforcer runs in the pipewire daemon: the process that
 * hosts the ALSA and virtual sources must have one. */
bool pm_core_has_daemon_enforcer(const struct pm_core *core);

struct pm_enforcer *pm_core_find(struct pm_core *core, const char *name);

/* Record that caller (how) made the change to the current generation;
 * pid and executable unknown yet. Returns PM_CHANGED_LAST_CHANGE, or 0
 * when out of memory (the record is then cleared, never half of one). */
uint32_t pm_core_set_last_change(struct pm_core *core, const char *caller, const char *how);

/* The caller of generation turned out to be pid running executable;
 * PM_CHANGED_LAST_CHANGE, or 0 when the record is of another change. */
uint32_t pm_core_complete_last_change(struct pm_core *core, uint64_t generation,
		uint32_t pid, const char *executable);

/* The enforcer acknowledged the current generation with the current state. */
bool pm_core_is_current(const struct pm_core *core, const struct pm_enforcer *e);

/* A SetMuted that made (or found) the state of generation: answer it now
 * or keep waiting. A request superseded by a later change is answered at
 * once with enforced = false: the state it asked for is no longer the one
 * being enforced (or, if set again, not yet confirmed). With no enforcer
 * registered the answer is enforced = false at once: nobody can confirm.
 * expired: its ack timeout has passed. */
enum pm_wait pm_core_wait_verdict(const struct pm_core *core, uint64_t generation,
		bool expired);

#endif /* PRIVACY_MUTE_POLICY_CORE_H */
