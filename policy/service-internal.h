/* privacy-mute: what the parts of the policy service share (internal) */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_SERVICE_INTERNAL_H
#define PRIVACY_MUTE_SERVICE_INTERNAL_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus-loop.h"
#include "capture-log.h"
#include "introspect.h"
#include "log.h"
#include "owner-check.h"
#include "policy-args.h"
#include "policy-core.h"
#include "match-rules.h"
#include "policy-names.h"
#include "policy-service.h"
#include "ratelimit.h"


/* Calls waiting for enforcers; beyond this they are answered at once. */
#define MAX_PENDING	1024

#define NOTIFY_NAME	"org.freedesktop.Notifications"
#define NOTIFY_PATH	"/org/freedesktop/Notifications"
/* notifications and caller checks in flight; more are skipped or refused
 * (each pending call takes a libdbus timeout of the loop) */
#define MAX_NOTIFY_CALLS	8
#define MAX_UID_CHECKS		16
#define MAX_CALLER_LOOKUPS	16
#define CALL_TIMEOUT_MS		5000

#define SPEECH_INTERVAL_MS	30000	/* per source */
#define CAPTURE_NOTIFY_INTERVAL_MS 60000	/* per application */
#define LOG_SAVE_INTERVAL_MS	1000	/* at most one capture log save per second */

/* A call the service made and waits for, in the loop. */
enum async_kind {
	ASYNC_NOTIFY,		/* a desktop notification */
	ASYNC_UID_CHECK,	/* the uid of a SetLocked caller */
	ASYNC_CALLER,		/* pid and executable of who made a change */
};

struct async {
	struct async *next;
	struct pm_service *s;
	DBusPendingCall *pc;
	enum async_kind kind;
	DBusMessage *call;	/* UID_CHECK: the call to answer */
	bool locked;		/* UID_CHECK: what it asked for */
	/* CALLER: the change it is for */
	uint64_t generation;
	bool muted;
	char *caller;
};

struct pending {
	struct pending *next;
	DBusMessage *call;
	uint64_t generation;
	int64_t deadline;
	bool toggle;		/* reply (muted, enforced) instead of (enforced) */
	bool muted;		/* the state the call asked for */
};

struct pm_service {
	DBusConnection *conn;
	char *state_dir;
	int ack_timeout_ms;
	struct pm_core core;

	struct pending *pending;	/* in arrival order */
	uint32_t n_pending;
	bool pending_full_logged;
	uint64_t timeout_logged;	/* generation last logged as unconfirmed */

	bool path_registered;
	/* for log_daemon_enforcer; starts true so that the first enforcer
	 * elsewhere says it */
	bool had_daemon_enforcer;
	bool filter_added;
	int exit_status;

	struct pm_capture_log log;
	bool log_dirty;
	int64_t log_save_at;	/* monotonic ms; 0: no save due */
	int64_t log_saved_at;
	struct pm_ratelimit speech_rl;
	struct pm_ratelimit capture_rl;

	bool notify_owner;	/* org.freedesktop.Notifications has an owner */
	struct async *asyncs;
	uint32_t n_notify_calls;
	uint32_t n_uid_checks;
	uint32_t n_caller_lookups;
	bool caller_lookups_full_logged;
};

/* policy-service.c: sending, the state, changes of Muted, dispatch */
int64_t unix_now_us(void);
void reply(struct pm_service *s, DBusMessage *call, DBusMessage *msg);
void __attribute__((format(printf, 4, 5)))
reply_error(struct pm_service *s, DBusMessage *call, const char *name, const char *fmt, ...);
void reply_empty(struct pm_service *s, DBusMessage *call);
void reply_state(struct pm_service *s, DBusMessage *call, bool toggle,
		bool muted, bool enforced);
uint32_t count_current(const struct pm_core *core);
void emit_changed(struct pm_service *s, uint32_t changed);
void save_state(struct pm_service *s);
void change_muted(struct pm_service *s, bool muted, const char *caller,
		const char *how, const char *by);
void set_muted(struct pm_service *s, DBusMessage *call, bool muted, bool toggle);
void log_daemon_enforcer(struct pm_service *s);
void log_unguarded(struct pm_service *s);

/* service-waiting.c: calls waiting for the enforcers */
void check_pending(struct pm_service *s, int64_t now);
void answer_or_wait(struct pm_service *s, DBusMessage *call, bool toggle);

/* service-notify.c: desktop notifications */
void async_remove(struct pm_service *s, struct async *a);
struct async *async_start(struct pm_service *s, DBusMessage *m, DBusMessage *call,
		enum async_kind kind, DBusPendingCallNotifyFunction done);
void markup_escape(const char *in, char *out, size_t size);
void notify(struct pm_service *s, const char *summary, const char *body);

/* service-authz.c: who a caller is, the lock */
void lookup_caller(struct pm_service *s, const char *caller, bool muted);
void handle_set_locked(struct pm_service *s, DBusMessage *m);

/* service-methods.c: the Policy1 methods */
void handle_set_muted(struct pm_service *s, DBusMessage *m);
void handle_toggle(struct pm_service *s, DBusMessage *m);
void handle_register(struct pm_service *s, DBusMessage *m);
void handle_acknowledge(struct pm_service *s, DBusMessage *m);
void handle_report_sources(struct pm_service *s, DBusMessage *m);
void handle_source_mute_changed(struct pm_service *s, DBusMessage *m);
int drop_enforcer(struct pm_service *s, const char *name, const char *how);
void handle_unregister(struct pm_service *s, DBusMessage *m);

/* service-awareness.c: speech and captures while muted, the capture log */
void save_log(struct pm_service *s, int64_t now);
void log_changed(struct pm_service *s);
void handle_speech_while_muted(struct pm_service *s, DBusMessage *m);
void handle_capture_started(struct pm_service *s, DBusMessage *m);
void handle_capture_stopped(struct pm_service *s, DBusMessage *m);
void handle_get_capture_log(struct pm_service *s, DBusMessage *m);

/* service-properties.c: org.freedesktop.DBus.Properties */
void handle_get(struct pm_service *s, DBusMessage *m);
void handle_get_all(struct pm_service *s, DBusMessage *m);
void handle_set(struct pm_service *s, DBusMessage *m);

#endif
