/* privacy-mute: the org.privacymute.Policy1 object on the bus */
/* SPDX-License-Identifier: MIT */

/*
 * Owns the policy state (struct pm_core), persists every change of Muted
 * before announcing it, and answers SetMuted/Toggle only once the verdict
 * of pm_core_wait_verdict() is known: every enforcer acknowledged, or the
 * ack timeout passed, or the request was superseded. Bad input from a
 * caller gets a D-Bus error, never an exit.
 *
 * Calls the service makes itself (desktop notifications, asking the bus
 * who a caller of SetLocked is, and who made a change: pid and executable
 * for the log and LastChangedBy) are pending calls answered in the loop:
 * nothing here waits for another peer.
 *
 * Nothing derived from audio is published: speech while muted reaches the
 * user as a desktop notification only, never as a signal or a property.
 */

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

static int64_t unix_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- sending ---- */

static void send_message(struct pm_service *s, DBusMessage *msg)
{
	if (msg == NULL || !dbus_connection_send(s->conn, msg, NULL))
		pm_log("out of memory: a message was not sent");
	if (msg)
		dbus_message_unref(msg);
}

static void reply(struct pm_service *s, DBusMessage *call, DBusMessage *msg)
{
	/* the bus would reject a reply nobody asked for */
	if (dbus_message_get_no_reply(call)) {
		if (msg)
			dbus_message_unref(msg);
		return;
	}
	send_message(s, msg);
}

static void __attribute__((format(printf, 4, 5)))
reply_error(struct pm_service *s, DBusMessage *call, const char *name, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	reply(s, call, dbus_message_new_error(call, name, text));
}

static void reply_empty(struct pm_service *s, DBusMessage *call)
{
	reply(s, call, dbus_message_new_method_return(call));
}

static void reply_state(struct pm_service *s, DBusMessage *call, bool toggle,
		bool muted, bool enforced)
{
	DBusMessage *msg = dbus_message_new_method_return(call);
	dbus_bool_t m = muted, e = enforced;
	bool ok;

	if (msg == NULL)
		goto oom;
	if (toggle)
		ok = dbus_message_append_args(msg, DBUS_TYPE_BOOLEAN, &m,
				DBUS_TYPE_BOOLEAN, &e, DBUS_TYPE_INVALID);
	else
		ok = dbus_message_append_args(msg, DBUS_TYPE_BOOLEAN, &e, DBUS_TYPE_INVALID);
	if (!ok) {
		dbus_message_unref(msg);
		goto oom;
	}
	reply(s, call, msg);
	return;
oom:
	pm_log("out of memory: a reply was not sent");
}

static uint32_t count_current(const struct pm_core *core)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < core->n_enforcers; i++)
		n += pm_core_is_current(core, &core->enforcers[i]);
	return n;
}

static void emit_changed(struct pm_service *s, uint32_t changed)
{
	const char *iface = PM_POLICY_INTERFACE;
	DBusMessageIter it, arr;
	DBusMessage *sig;

	if (changed == 0)
		return;
	if ((changed & PM_CHANGED_ENFORCED) && s->core.enforced)
		pm_log("%s enforced by %u enforcer%s (generation %" PRIu64 ")",
				s->core.muted ? "muted" : "unmuted", s->core.n_enforcers,
				s->core.n_enforcers == 1 ? "" : "s", s->core.generation);

	sig = dbus_message_new_signal(PM_POLICY_PATH, DBUS_INTERFACE_PROPERTIES,
			"PropertiesChanged");
	if (sig == NULL)
		goto oom;
	dbus_message_iter_init_append(sig, &it);
	if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &iface) ||
	    !pm_args_append_properties(&it, &s->core, changed) ||
	    !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s", &arr) ||
	    !dbus_message_iter_close_container(&it, &arr)) {
		dbus_message_unref(sig);
		goto oom;
	}
	send_message(s, sig);
	return;
oom:
	pm_log("out of memory: PropertiesChanged was not sent");
}

/* ---- waiting calls ---- */

static void log_unconfirmed(struct pm_service *s)
{
	if (s->timeout_logged == s->core.generation)
		return;
	s->timeout_logged = s->core.generation;
	pm_log("%s (generation %" PRIu64 ") not confirmed within %d ms: "
			"%u of %u enforcers acknowledged",
			s->core.muted ? "muted" : "unmuted", s->core.generation,
			s->ack_timeout_ms, count_current(&s->core), s->core.n_enforcers);
}

static void check_pending(struct pm_service *s, int64_t now)
{
	struct pending **pp = &s->pending, *p;

	while ((p = *pp) != NULL) {
		bool expired = now >= p->deadline;
		enum pm_wait verdict = pm_core_wait_verdict(&s->core, p->generation, expired);

		if (verdict == PM_WAIT_PENDING) {
			pp = &p->next;
			continue;
		}
		if (verdict == PM_WAIT_NOT_ENFORCED && expired &&
		    p->generation == s->core.generation)
			log_unconfirmed(s);
		*pp = p->next;
		s->n_pending--;
		reply_state(s, p->call, p->toggle, p->muted, verdict == PM_WAIT_ENFORCED);
		dbus_message_unref(p->call);
		free(p);
	}
}

static bool add_pending(struct pm_service *s, DBusMessage *call, bool toggle)
{
	struct pending *p, **pp;

	if (s->n_pending >= MAX_PENDING) {
		/* once per flood, not once per call */
		if (!s->pending_full_logged)
			pm_log("%u calls already wait for enforcers; answering "
					"more at once", s->n_pending);
		s->pending_full_logged = true;
		return false;
	}
	s->pending_full_logged = false;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		pm_log("out of memory: answering at once");
		return false;
	}
	*p = (struct pending) {
		.call = dbus_message_ref(call),
		.generation = s->core.generation,
		.deadline = pm_now_ms() + s->ack_timeout_ms,
		.toggle = toggle,
		.muted = s->core.muted,
	};
	for (pp = &s->pending; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	s->n_pending++;
	return true;
}

/* Answer now if the verdict on the current state is known, else wait. */
static void answer_or_wait(struct pm_service *s, DBusMessage *call, bool toggle)
{
	enum pm_wait verdict = pm_core_wait_verdict(&s->core, s->core.generation, false);

	if (verdict == PM_WAIT_PENDING) {
		/* the state is applied already; nobody listens for the verdict */
		if (dbus_message_get_no_reply(call))
			return;
		if (add_pending(s, call, toggle))
			return;
		verdict = PM_WAIT_NOT_ENFORCED;
	}
	reply_state(s, call, toggle, s->core.muted, verdict == PM_WAIT_ENFORCED);
}

/* ---- state ---- */

/* A state that cannot be saved still applies (a mute must mute, and the
 * user asked for an unmute): the call succeeds, the log says why it is
 * not on disk. */
static void save_state(struct pm_service *s)
{
	struct pm_state st = { .muted = s->core.muted, .generation = s->core.generation,
		.locked = s->core.locked };
	int res, res2;

	if ((res = pm_state_save(s->state_dir, &st)) == 0)
		return;
	if ((res2 = pm_state_save_in_place(s->state_dir, &st)) == 0)
		pm_log("cannot replace %s/" PM_STATE_FILE " atomically (%s); "
				"rewrote it in place", s->state_dir, strerror(-res));
	else
		pm_log("cannot save the state to %s/" PM_STATE_FILE " (%s; in place: %s); "
				"the change applies in memory only, a restart restores "
				"the state last saved", s->state_dir, strerror(-res),
				strerror(-res2));
}

/* ---- the capture log ---- */

static void save_log(struct pm_service *s, int64_t now)
{
	int res;

	s->log_dirty = false;
	s->log_save_at = 0;
	s->log_saved_at = now;
	if ((res = pm_capture_log_save(s->state_dir, &s->log)) < 0)
		pm_log("cannot save the capture log to %s/" PM_CAPTURE_LOG_FILE " (%s); "
				"it is kept in memory", s->state_dir, strerror(-res));
}

/* Saved at once, or, right after a save, a second later: a burst of
 * captures costs one write, not one per call. */
static void log_changed(struct pm_service *s)
{
	int64_t now = pm_now_ms();

	s->log_dirty = true;
	if (s->log_save_at != 0)
		return;
	if (s->log_saved_at == 0 || now - s->log_saved_at >= LOG_SAVE_INTERVAL_MS)
		save_log(s, now);
	else
		s->log_save_at = s->log_saved_at + LOG_SAVE_INTERVAL_MS;
}

/* ---- calls the service makes: notifications, caller checks ---- */

static void async_remove(struct pm_service *s, struct async *a)
{
	for (struct async **pp = &s->asyncs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp != a)
			continue;
		*pp = a->next;
		break;
	}
	switch (a->kind) {
	case ASYNC_UID_CHECK:
		s->n_uid_checks--;
		dbus_message_unref(a->call);
		break;
	case ASYNC_NOTIFY:
		s->n_notify_calls--;
		break;
	case ASYNC_CALLER:
		s->n_caller_lookups--;
		free(a->caller);
		break;
	}
	dbus_pending_call_unref(a->pc);
	free(a);
}

/* call: the SetLocked call whose caller's uid m asks for (ASYNC_UID_CHECK),
 * else NULL (kind). */
static struct async *async_start(struct pm_service *s, DBusMessage *m, DBusMessage *call,
		enum async_kind kind, DBusPendingCallNotifyFunction done)
{
	struct async *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->s = s;
	if (!dbus_connection_send_with_reply(s->conn, m, &a->pc, CALL_TIMEOUT_MS) ||
	    a->pc == NULL) {
		/* out of memory, or the connection is gone */
		free(a);
		return NULL;
	}
	if (!dbus_pending_call_set_notify(a->pc, done, a, NULL)) {
		dbus_pending_call_cancel(a->pc);
		dbus_pending_call_unref(a->pc);
		free(a);
		return NULL;
	}
	a->kind = kind;
	switch (kind) {
	case ASYNC_UID_CHECK:
		a->call = dbus_message_ref(call);
		s->n_uid_checks++;
		break;
	case ASYNC_NOTIFY:
		s->n_notify_calls++;
		break;
	case ASYNC_CALLER:
		s->n_caller_lookups++;
		break;
	}
	a->next = s->asyncs;
	s->asyncs = a;
	return a;
}

static void notify_done(DBusPendingCall *pc, void *data)
{
	struct async *a = data;
	DBusMessage *r = dbus_pending_call_steal_reply(pc);

	if (r && dbus_message_get_type(r) == DBUS_MESSAGE_TYPE_ERROR)
		pm_log("the notification server refused a notification: %s",
				dbus_message_get_error_name(r));
	if (r)
		dbus_message_unref(r);
	async_remove(a->s, a);
}

/* Body text of a notification may carry markup: a name shown there must
 * not make links or tags. */
static void markup_escape(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; in && *in && o + 6 < size; in++) {
		const char *rep = *in == '<' ? "&lt;" : *in == '>' ? "&gt;" :
			*in == '&' ? "&amp;" : NULL;

		if (rep) {
			memcpy(out + o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			out[o++] = ((unsigned char)*in < 0x20) ? ' ' : *in;
		}
	}
	out[o] = '\0';
}

/* A desktop notification, sent without waiting; skipped when nobody owns
 * org.freedesktop.Notifications (a system bus has no notification server). */
static void notify(struct pm_service *s, const char *summary, const char *body)
{
	const char *app = "privacy-mute", *icon = "microphone-sensitivity-muted";
	dbus_uint32_t replaces = 0;
	dbus_int32_t expire = -1;
	DBusMessageIter it, arr, dict, entry, var;
	DBusMessage *m;
	unsigned char urgency = 1;
	const char *key = "urgency";
	bool ok;

	if (!s->notify_owner) {
		pm_log("no notification server (" NOTIFY_NAME " has no owner): "
				"notification not shown");
		return;
	}
	if (s->n_notify_calls >= MAX_NOTIFY_CALLS) {
		pm_log("%u notifications still wait for the notification server: "
				"notification not shown", s->n_notify_calls);
		return;
	}
	m = dbus_message_new_method_call(NOTIFY_NAME, NOTIFY_PATH, NOTIFY_NAME, "Notify");
	if (m == NULL)
		goto oom;
	/* only a server that runs: never start one */
	dbus_message_set_auto_start(m, FALSE);
	dbus_message_iter_init_append(m, &it);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &app) &&
		dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &replaces) &&
		dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &icon) &&
		dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &summary) &&
		dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &body) &&
		dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s", &arr) &&
		dbus_message_iter_close_container(&it, &arr) &&
		dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict) &&
		dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
		dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) &&
		dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "y", &var) &&
		dbus_message_iter_append_basic(&var, DBUS_TYPE_BYTE, &urgency) &&
		dbus_message_iter_close_container(&entry, &var) &&
		dbus_message_iter_close_container(&dict, &entry) &&
		dbus_message_iter_close_container(&it, &dict) &&
		dbus_message_iter_append_basic(&it, DBUS_TYPE_INT32, &expire);
	if (!ok || async_start(s, m, NULL, ASYNC_NOTIFY, notify_done) == NULL) {
		dbus_message_unref(m);
		goto oom;
	}
	dbus_message_unref(m);
	return;
oom:
	pm_log("out of memory: a notification was not sent");
}

/* The bus told who the caller of a change is: complete its log line and
 * LastChangedBy (if no later change replaced the record). */
static void caller_done(DBusPendingCall *pc, void *data)
{
	struct async *a = data;
	struct pm_service *s = a->s;
	DBusMessage *r = dbus_pending_call_steal_reply(pc);
	struct pm_owner_creds creds = { 0 };
	char exe[PM_OWNER_EXE_MAX] = "";
	int res = -ESRCH;

	if (r && pm_owner_parse_credentials(r, &creds) == 0 && creds.have_pid &&
	    (res = pm_owner_executable(creds.pid, exe, sizeof(exe))) < 0)
		snprintf(exe, sizeof(exe), "executable unknown: %s", strerror(-res));
	if (creds.have_pid) {
		pm_log("%s by pid %" PRIu32 " (%s) (%s, generation %" PRIu64 ")",
				a->muted ? "muted" : "unmuted", creds.pid, exe,
				a->caller ? a->caller : "?", a->generation);
		emit_changed(s, pm_core_complete_last_change(&s->core, a->generation,
					creds.pid, res == 0 ? exe : ""));
	} else {
		/* gone already, or the bus would not say */
		pm_log("%s by %s (generation %" PRIu64 "): the bus does not tell its "
				"process (%s)", a->muted ? "muted" : "unmuted",
				a->caller ? a->caller : "?", a->generation, r && dbus_message_get_error_name(r) ?
				dbus_message_get_error_name(r) : "no process id");
	}
	if (r)
		dbus_message_unref(r);
	async_remove(s, a);
}

/* Ask the bus who caller is, without waiting: the change applies now,
 * its record is completed when the answer comes. */
static void lookup_caller(struct pm_service *s, const char *caller, bool muted)
{
	DBusMessage *q;
	struct async *a;

	if (caller == NULL || caller[0] != ':')
		return;
	if (s->n_caller_lookups >= MAX_CALLER_LOOKUPS) {
		/* once per flood of changes, not once per change */
		if (!s->caller_lookups_full_logged)
			pm_log("%u callers are still being looked up: the pids of the "
					"callers of further changes are not asked for",
					s->n_caller_lookups);
		s->caller_lookups_full_logged = true;
		return;
	}
	s->caller_lookups_full_logged = false;
	if ((q = pm_owner_credentials_call(caller)) == NULL ||
	    (a = async_start(s, q, NULL, ASYNC_CALLER, caller_done)) == NULL) {
		if (q)
			dbus_message_unref(q);
		pm_log("out of memory: the pid of %s is not asked for", caller);
		return;
	}
	dbus_message_unref(q);
	a->generation = s->core.generation;
	a->muted = muted;
	/* a failed copy only makes the log line say "?" */
	a->caller = strdup(caller);
}

/* caller: unique name of who asked (NULL: nobody on the bus); how: the
 * method, or what the policy followed; by: both in the log line */
static void change_muted(struct pm_service *s, bool muted, const char *caller,
		const char *how, const char *by)
{
	uint32_t changed = pm_core_set_muted(&s->core, muted);

	if (!changed)
		return;
	changed |= pm_core_set_last_change(&s->core, caller, how);
	pm_log("%s by %s (generation %" PRIu64 ", %u enforcer%s)",
			muted ? "muted" : "unmuted", by, s->core.generation,
			s->core.n_enforcers, s->core.n_enforcers == 1 ? "" : "s");
	lookup_caller(s, caller, muted);
	/* persisted before anyone hears of it; a failed save still
	 * applies the change: a mute must mute */
	save_state(s);
	emit_changed(s, changed);
	/* calls for the previous state are superseded */
	check_pending(s, pm_now_ms());
	/* the log is of captures while muted: those end with the mute, even
	 * if an enforcer's CaptureStopped is late or never comes */
	if (!muted && pm_capture_log_close(&s->log, NULL, unix_now_us()) > 0)
		log_changed(s);
}

static void set_muted(struct pm_service *s, DBusMessage *call, bool muted, bool toggle)
{
	const char *sender = dbus_message_get_sender(call);

	if (pm_core_may_set_muted(&s->core, muted) < 0) {
		pm_log("%s by %s refused: locked", toggle ? "toggle" : "unmute",
				sender ? sender : "?");
		reply_error(s, call, PM_ERROR_LOCKED, PM_LOCKED_MESSAGE);
		return;
	}
	change_muted(s, muted, sender, toggle ? "Toggle" : "SetMuted", sender ? sender : "?");
	answer_or_wait(s, call, toggle);
}

/* The daemon hosts the ALSA and virtual sources: an enforcer there is
 * expected, and its absence said (once per change) rather than hidden
 * behind the others' acknowledgements. */
static void log_daemon_enforcer(struct pm_service *s)
{
	bool has = pm_core_has_daemon_enforcer(&s->core);

	if (has == s->had_daemon_enforcer)
		return;
	s->had_daemon_enforcer = has;
	if (has)
		pm_log("an enforcer runs in the pipewire daemon");
	else
		pm_log("no enforcer in the pipewire daemon: is the module loaded there? "
				"Its microphones are unguarded");
}

/* One line on what the Unguarded list now holds. */
static void log_unguarded(struct pm_service *s)
{
	char line[400], buf[64];
	size_t len = 0;
	uint32_t i;

	if (s->core.n_unguarded == 0) {
		pm_log("no unguarded capture source reported");
		return;
	}
	line[0] = '\0';
	for (i = 0; i < s->core.n_unguarded; i++) {
		const struct pm_source *src = &s->core.unguarded[i];
		int n = snprintf(line + len, sizeof(line) - len, "%s%s (id %" PRIu32 ")",
				i ? ", " : "", pm_printable(src->name, buf, sizeof(buf)),
				src->id);

		if (n < 0 || (size_t)n >= sizeof(line) - len) {
			line[len] = '\0';
			break;
		}
		len += n;
	}
	pm_log("%u capture source%s no enforcer guards: %s%s", s->core.n_unguarded,
			s->core.n_unguarded == 1 ? "" : "s", line,
			i < s->core.n_unguarded ? ", ..." : "");
}

/* ---- org.privacymute.Policy1 ---- */

static void handle_set_muted(struct pm_service *s, DBusMessage *m)
{
	bool muted;

	if (!pm_args_parse_set_muted(m, &muted)) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "SetMuted expects (b)");
		return;
	}
	set_muted(s, m, muted, false);
}

static void handle_toggle(struct pm_service *s, DBusMessage *m)
{
	set_muted(s, m, !s->core.muted, true);
}

static void handle_register(struct pm_service *s, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m), *why;
	struct pm_enforcer_info info;
	char process[64], host[64];
	DBusMessage *r;
	dbus_bool_t muted;
	dbus_uint64_t generation;
	uint32_t changed;
	bool again;
	int res;

	if (pm_args_parse_enforcer_info(m, &info, &why) < 0) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "RegisterEnforcer: %s", why);
		return;
	}
	if (sender == NULL) {
		reply_error(s, m, PM_ERROR_FAILED, "RegisterEnforcer needs a caller with a bus name");
		return;
	}
	again = pm_core_find(&s->core, sender) != NULL;
	res = pm_core_register(&s->core, sender, &info, &changed);
	switch (res) {
	case 0:
		break;
	case -ENOSPC:
		pm_log("enforcer %s refused: already %d enforcers", sender, PM_MAX_ENFORCERS);
		reply_error(s, m, PM_ERROR_FAILED, "too many enforcers (the limit is %d)",
				PM_MAX_ENFORCERS);
		return;
	case -E2BIG:
		reply_error(s, m, PM_ERROR_INVALID_ARGS,
				"RegisterEnforcer: a string is longer than %d bytes",
				PM_MAX_INFO_STRING);
		return;
	default:
		reply_error(s, m, PM_ERROR_FAILED, "out of memory");
		return;
	}
	pm_printable(info.host, host, sizeof(host));
	pm_log("enforcer %s %s: %s pid %" PRIu32 "%s%s, %" PRIu32 " source%s (%u registered)",
			sender, again ? "registered again" : "joined",
			pm_printable(info.process, process, sizeof(process)), info.pid,
			host[0] ? " on " : "", host, info.sources,
			info.sources == 1 ? "" : "s", s->core.n_enforcers);
	log_daemon_enforcer(s);
	if (changed & PM_CHANGED_UNGUARDED)
		log_unguarded(s);

	/* the state to apply at once, and its generation to acknowledge */
	muted = s->core.muted;
	generation = s->core.generation;
	r = dbus_message_new_method_return(m);
	if (r && !dbus_message_append_args(r, DBUS_TYPE_BOOLEAN, &muted,
				DBUS_TYPE_UINT64, &generation, DBUS_TYPE_INVALID)) {
		dbus_message_unref(r);
		r = NULL;
	}
	reply(s, m, r);
	emit_changed(s, changed);
	check_pending(s, pm_now_ms());
}

static void handle_acknowledge(struct pm_service *s, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m);
	uint64_t generation;
	bool muted;
	uint32_t sources, changed;
	int res;

	if (!pm_args_parse_acknowledge(m, &generation, &muted, &sources)) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "Acknowledge expects (tbu)");
		return;
	}
	res = sender ? pm_core_acknowledge(&s->core, sender, generation, muted, sources,
			&changed) : -ENOENT;
	if (res == -ERANGE) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "Acknowledge: generation %" PRIu64
				" was never issued (the current one is %" PRIu64 ")",
				(uint64_t)generation, s->core.generation);
		return;
	}
	if (res < 0) {
		reply_error(s, m, PM_ERROR_NOT_REGISTERED,
				"the caller is not a registered enforcer: call RegisterEnforcer first");
		return;
	}
	reply_empty(s, m);
	emit_changed(s, changed);
	check_pending(s, pm_now_ms());
}

static void handle_report_sources(struct pm_service *s, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m), *why;
	struct pm_source_info *sources;
	uint32_t n, changed;
	int res;

	/* the signature is checked by the dispatcher */
	if (sender == NULL || pm_core_find(&s->core, sender) == NULL) {
		reply_error(s, m, PM_ERROR_NOT_REGISTERED,
				"the caller is not a registered enforcer: call RegisterEnforcer first");
		return;
	}
	if ((res = pm_args_parse_sources(m, &sources, &n, &why)) < 0) {
		if (res == -EINVAL)
			reply_error(s, m, PM_ERROR_INVALID_ARGS, "ReportSources: %s; "
					"the previous report is kept", why);
		else
			reply_error(s, m, PM_ERROR_FAILED, "out of memory");
		return;
	}
	res = pm_core_report(&s->core, sender, sources, n, &changed);
	free(sources);
	switch (res) {
	case 0:
		break;
	case -ENOSPC:	/* checked by pm_args_parse_sources() already */
	case -E2BIG:
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "ReportSources: at most %d sources "
				"with strings of at most %d bytes; the previous report is kept",
				PM_MAX_SOURCES, PM_MAX_INFO_STRING);
		return;
	default:
		reply_error(s, m, PM_ERROR_FAILED, "out of memory; the previous report is kept");
		return;
	}
	reply_empty(s, m);
	if (changed & PM_CHANGED_UNGUARDED)
		log_unguarded(s);
	emit_changed(s, changed);
}

/* The enforcer name is gone (unregistered or off the bus). */
/* The daemon's enforcer saw the user mute or unmute the default source
 * with its own control (the desktop's mic-mute key). Followed only when
 * the service was started to: anyone who may set that flag then sets the
 * privacy mute too. */
static void handle_source_mute_changed(struct pm_service *s, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m), *source;
	dbus_bool_t muted;
	char buf[64], by[128];

	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &source,
				DBUS_TYPE_BOOLEAN, &muted, DBUS_TYPE_INVALID) ||
	    strlen(source) > PM_MAX_INFO_STRING) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "SourceMuteChanged expects (sb), "
				"a source name of at most %d bytes", PM_MAX_INFO_STRING);
		return;
	}
	if (sender == NULL || pm_core_find(&s->core, sender) == NULL) {
		reply_error(s, m, PM_ERROR_NOT_REGISTERED,
				"SourceMuteChanged is for registered enforcers");
		return;
	}
	reply_empty(s, m);
	if (!s->core.follow_source_mute)
		return;
	snprintf(by, sizeof(by), "the default source's own mute (%s)",
			pm_printable(source, buf, sizeof(buf)));
	if (pm_core_may_set_muted(&s->core, muted) < 0) {
		pm_log("unmute by %s ignored: locked", by);
		return;
	}
	change_muted(s, muted, sender, by, by);
}

static int drop_enforcer(struct pm_service *s, const char *name, const char *how)
{
	struct pm_enforcer *e = pm_core_find(&s->core, name);
	char process[64];
	uint32_t pid, changed;

	if (e == NULL)
		return -ENOENT;
	pm_printable(e->process, process, sizeof(process));
	pid = e->pid;
	pm_core_unregister(&s->core, name, &changed);
	pm_log("enforcer %s left (%s): %s pid %" PRIu32 " (%u registered)",
			name, how, process, pid, s->core.n_enforcers);
	log_daemon_enforcer(s);
	/* its link ids mean nothing any more */
	if (pm_capture_log_close(&s->log, name, unix_now_us()) > 0)
		log_changed(s);
	if (changed & PM_CHANGED_UNGUARDED)
		log_unguarded(s);
	emit_changed(s, changed);
	check_pending(s, pm_now_ms());
	return 0;
}

static void handle_unregister(struct pm_service *s, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m);
	struct pm_enforcer *e = sender ? pm_core_find(&s->core, sender) : NULL;

	if (e == NULL) {
		reply_error(s, m, PM_ERROR_NOT_REGISTERED,
				"the caller is not a registered enforcer");
		return;
	}
	reply_empty(s, m);
	drop_enforcer(s, sender, "unregistered");
}

/* ---- trusted mute awareness: speech while muted, the capture log ---- */

static bool from_enforcer(struct pm_service *s, DBusMessage *m, const char *method)
{
	const char *sender = dbus_message_get_sender(m);

	if (sender != NULL && pm_core_find(&s->core, sender) != NULL)
		return true;
	reply_error(s, m, PM_ERROR_NOT_REGISTERED,
			"%s is for registered enforcers: call RegisterEnforcer first", method);
	return false;
}

/* An enforcer heard speech on source while muted (it sends a level
 * decision, never audio). At most once per source per 30 s, here too.
 * Only the user hears of it, through the notification: no signal, no
 * property, no capture log entry (any client of the bus could read those
 * and learn when the user speaks). */
static void handle_speech_while_muted(struct pm_service *s, DBusMessage *m)
{
	const char *source, *why;
	char buf[PM_MAX_INFO_STRING * 5 + 1], body[PM_MAX_INFO_STRING * 5 + 128], name[64];

	if (pm_args_parse_speech(m, &source, &why) < 0) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "SpeechWhileMuted: %s", why);
		return;
	}
	if (!from_enforcer(s, m, "SpeechWhileMuted"))
		return;
	reply_empty(s, m);
	if (!s->core.speech_detection || !s->core.muted)
		return;
	if (!pm_ratelimit_allow(&s->speech_rl, source, pm_now_ms()))
		return;

	pm_log("speech while muted on %s", pm_printable(source, name, sizeof(name)));

	if (!s->core.notify_speech)
		return;
	markup_escape(source[0] ? source : "the microphone", buf, sizeof(buf));
	snprintf(body, sizeof(body), "You seem to be speaking, but %s is muted: "
			"nobody hears you.", buf);
	notify(s, "You are muted", body);
}

static void handle_capture_started(struct pm_service *s, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m), *why, *who;
	struct pm_capture_info info;
	char summary[PM_CAPTURE_STRING_MAX + 128], body[PM_CAPTURE_STRING_MAX * 16 + 128];
	char app[PM_CAPTURE_STRING_MAX * 5 + 1], bin[PM_CAPTURE_STRING_MAX * 5 + 1];
	char src[PM_CAPTURE_STRING_MAX * 5 + 1], l_app[64], l_src[64];
	uint32_t id;
	int res;

	if (pm_args_parse_capture_started(m, &id, &info, &why) < 0) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "CaptureStarted: %s", why);
		return;
	}
	if (!from_enforcer(s, m, "CaptureStarted"))
		return;
	reply_empty(s, m);
	/* the log is of captures while muted */
	if (!s->core.muted)
		return;
	res = pm_capture_log_start(&s->log, sender, id, &info, unix_now_us());
	if (res == -EEXIST)
		return;
	if (res < 0) {
		pm_log("out of memory: a capture was not logged");
		return;
	}
	log_changed(s);
	pm_log("capture while muted: %s pid %" PRIu32 " on %s (%s id %" PRIu32 ")",
			pm_printable(info.application, l_app, sizeof(l_app)), info.pid,
			pm_printable(info.source, l_src, sizeof(l_src)), sender, id);

	if (!s->core.notify_capture)
		return;
	who = info.application && info.application[0] ? info.application :
		info.binary && info.binary[0] ? info.binary : "An application";
	if (!pm_ratelimit_allow(&s->capture_rl, who, pm_now_ms()))
		return;
	/* the summary is plain text by the notification spec */
	snprintf(summary, sizeof(summary), "%s is trying to use the microphone "
			"while it is muted", who);
	markup_escape(info.binary ? info.binary : "", bin, sizeof(bin));
	markup_escape(info.source && info.source[0] ? info.source : "a microphone",
			src, sizeof(src));
	markup_escape(who, app, sizeof(app));
	snprintf(body, sizeof(body), "%s%s%s (pid %" PRIu32 ") records %s and gets "
			"silence.", app, bin[0] && strcmp(bin, app) ? ", " : "",
			bin[0] && strcmp(bin, app) ? bin : "", info.pid, src);
	notify(s, summary, body);
}

static void handle_capture_stopped(struct pm_service *s, DBusMessage *m)
{
	dbus_uint32_t id;

	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID)) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "CaptureStopped expects (u)");
		return;
	}
	if (!from_enforcer(s, m, "CaptureStopped"))
		return;
	reply_empty(s, m);
	if (pm_capture_log_stop(&s->log, dbus_message_get_sender(m), id, unix_now_us()) == 0)
		log_changed(s);
}

static void handle_get_capture_log(struct pm_service *s, DBusMessage *m)
{
	DBusMessageIter it;
	DBusMessage *r = dbus_message_new_method_return(m);

	if (r == NULL)
		goto oom;
	dbus_message_iter_init_append(r, &it);
	if (!pm_args_append_capture_log(&it, &s->log)) {
		dbus_message_unref(r);
		goto oom;
	}
	reply(s, m, r);
	return;
oom:
	reply_error(s, m, PM_ERROR_FAILED, "out of memory");
}

/* ---- the lock: only uid 0, as the bus says ---- */

static void apply_lock(struct pm_service *s, DBusMessage *call, bool locked)
{
	const char *sender = dbus_message_get_sender(call);
	uint32_t changed;
	bool was_muted = s->core.muted;

	changed = pm_core_set_locked(&s->core, locked);
	if (changed) {
		pm_log("%s by %s (uid 0)%s", locked ? "locked" : "unlocked", sender,
				locked && !was_muted ? ": muted" : "");
		/* a lock of an unmuted state is a change of Muted */
		if (changed & PM_CHANGED_MUTED) {
			changed |= pm_core_set_last_change(&s->core, sender, "SetLocked");
			lookup_caller(s, sender, true);
		}
		save_state(s);
		emit_changed(s, changed);
		check_pending(s, pm_now_ms());
	}
	answer_or_wait(s, call, false);
}

static void uid_done(DBusPendingCall *pc, void *data)
{
	struct async *a = data;
	struct pm_service *s = a->s;
	DBusMessage *r = dbus_pending_call_steal_reply(pc);
	dbus_uint32_t uid;

	if (r && dbus_message_get_type(r) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	    dbus_message_get_args(r, NULL, DBUS_TYPE_UINT32, &uid, DBUS_TYPE_INVALID)) {
		if (uid == 0) {
			apply_lock(s, a->call, a->locked);
		} else {
			pm_log("SetLocked by %s (uid %" PRIu32 ") refused: not root",
					dbus_message_get_sender(a->call), (uint32_t)uid);
			reply_error(s, a->call, PM_ERROR_ACCESS_DENIED,
					"only root (uid 0) may lock or unlock the microphone "
					"mute; the caller is uid %" PRIu32, (uint32_t)uid);
		}
	} else {
		reply_error(s, a->call, PM_ERROR_FAILED, "cannot tell who the caller is: "
				"the bus did not answer GetConnectionUnixUser (%s)",
				r ? dbus_message_get_error_name(r) : "no reply");
	}
	if (r)
		dbus_message_unref(r);
	async_remove(s, a);
}

static void handle_set_locked(struct pm_service *s, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m);
	DBusMessage *q;
	dbus_bool_t b;
	struct async *a;

	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID)) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "SetLocked expects (b)");
		return;
	}
	if (sender == NULL) {
		reply_error(s, m, PM_ERROR_ACCESS_DENIED,
				"a caller without a bus name cannot be identified");
		return;
	}
	if (s->n_uid_checks >= MAX_UID_CHECKS) {
		reply_error(s, m, PM_ERROR_FAILED, "too many SetLocked calls at once; "
				"try again");
		return;
	}
	/* the bus knows the uid of every connection; asked without waiting */
	q = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "GetConnectionUnixUser");
	if (q == NULL || !dbus_message_append_args(q, DBUS_TYPE_STRING, &sender,
				DBUS_TYPE_INVALID) ||
	    (a = async_start(s, q, m, ASYNC_UID_CHECK, uid_done)) == NULL) {
		if (q)
			dbus_message_unref(q);
		reply_error(s, m, PM_ERROR_FAILED, "out of memory");
		return;
	}
	a->locked = b;
	dbus_message_unref(q);
}

/* ---- org.freedesktop.DBus.Properties ---- */

/* Reads (ss...) and answers unknown interfaces; false when answered. */
static bool property_args(struct pm_service *s, DBusMessage *m, const char **iface,
		const char **name)
{
	char buf[128];

	switch (pm_args_parse_property(m, iface, name)) {
	case PM_PROPERTY_OK:
		return true;
	case PM_PROPERTY_INVALID_ARGS:
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "expected (ss)");
		return false;
	case PM_PROPERTY_UNKNOWN_INTERFACE:
		reply_error(s, m, PM_ERROR_UNKNOWN_INTERFACE, "no interface '%s' on " PM_POLICY_PATH,
				pm_printable(*iface, buf, sizeof(buf)));
		return false;
	default:
		reply_error(s, m, PM_ERROR_UNKNOWN_PROPERTY, "no property '%s' in %s",
				pm_printable(*name, buf, sizeof(buf)),
				pm_args_is_our_interface(*iface) ? PM_POLICY_INTERFACE : *iface);
		return false;
	}
}

static void handle_get(struct pm_service *s, DBusMessage *m)
{
	const char *iface, *name;
	DBusMessageIter it;
	DBusMessage *r;

	if (!property_args(s, m, &iface, &name))
		return;
	if ((r = dbus_message_new_method_return(m)) == NULL)
		goto oom;
	dbus_message_iter_init_append(r, &it);
	if (pm_args_append_property(&it, &s->core, name) < 0) {
		dbus_message_unref(r);
		goto oom;
	}
	reply(s, m, r);
	return;
oom:
	reply_error(s, m, PM_ERROR_FAILED, "out of memory");
}

static void handle_get_all(struct pm_service *s, DBusMessage *m)
{
	const char *iface;
	DBusMessageIter it;
	DBusMessage *r;
	char buf[128];

	switch (pm_args_parse_get_all(m, &iface)) {
	case PM_PROPERTY_OK:
		break;
	case PM_PROPERTY_INVALID_ARGS:
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "expected (s)");
		return;
	default:
		reply_error(s, m, PM_ERROR_UNKNOWN_INTERFACE, "no interface '%s' on " PM_POLICY_PATH,
				pm_printable(iface, buf, sizeof(buf)));
		return;
	}
	if ((r = dbus_message_new_method_return(m)) == NULL)
		goto oom;
	dbus_message_iter_init_append(r, &it);
	/* the standard interfaces have no properties: an empty dict */
	if (!pm_args_append_properties(&it, &s->core,
				pm_args_is_our_interface(iface) ? ~0u : 0)) {
		dbus_message_unref(r);
		goto oom;
	}
	reply(s, m, r);
	return;
oom:
	reply_error(s, m, PM_ERROR_FAILED, "out of memory");
}

static void handle_set(struct pm_service *s, DBusMessage *m)
{
	const char *iface, *name;

	if (!property_args(s, m, &iface, &name))
		return;
	reply_error(s, m, PM_ERROR_READ_ONLY, "property %s is read-only; "
			"use SetMuted or Toggle to change the mute", name);
}

/* ---- org.freedesktop.DBus.Introspectable ---- */

static void handle_introspect(struct pm_service *s, DBusMessage *m)
{
	const char *xml = PM_INTROSPECT_XML;
	DBusMessage *r = dbus_message_new_method_return(m);

	if (r && !dbus_message_append_args(r, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID)) {
		dbus_message_unref(r);
		r = NULL;
	}
	reply(s, m, r);
}

/* ---- dispatch ---- */

/* indexed by enum pm_method; the table of names is in policy-args.c */
static void (*const handlers[PM_N_METHODS])(struct pm_service *s, DBusMessage *m) = {
	[PM_METHOD_SET_MUTED] = handle_set_muted,
	[PM_METHOD_TOGGLE] = handle_toggle,
	[PM_METHOD_REGISTER_ENFORCER] = handle_register,
	[PM_METHOD_ACKNOWLEDGE] = handle_acknowledge,
	[PM_METHOD_UNREGISTER_ENFORCER] = handle_unregister,
	[PM_METHOD_REPORT_SOURCES] = handle_report_sources,
	[PM_METHOD_SOURCE_MUTE_CHANGED] = handle_source_mute_changed,
	[PM_METHOD_SPEECH_WHILE_MUTED] = handle_speech_while_muted,
	[PM_METHOD_CAPTURE_STARTED] = handle_capture_started,
	[PM_METHOD_CAPTURE_STOPPED] = handle_capture_stopped,
	[PM_METHOD_GET_CAPTURE_LOG] = handle_get_capture_log,
	[PM_METHOD_SET_LOCKED] = handle_set_locked,
	[PM_METHOD_GET] = handle_get,
	[PM_METHOD_GET_ALL] = handle_get_all,
	[PM_METHOD_SET] = handle_set,
	[PM_METHOD_INTROSPECT] = handle_introspect,
};

static DBusHandlerResult object_message(DBusConnection *conn, DBusMessage *m, void *data)
{
	struct pm_service *s = data;
	const char *iface = dbus_message_get_interface(m);
	const char *member = dbus_message_get_member(m);
	const struct pm_method_info *mt;

	switch (pm_args_lookup_method(m, &mt)) {
	case PM_LOOKUP_NOT_A_CALL:
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	case PM_LOOKUP_OK:
		handlers[mt->id](s, m);
		break;
	case PM_LOOKUP_BAD_SIGNATURE:
		reply_error(s, m, PM_ERROR_INVALID_ARGS,
				"%s expects arguments of signature (%s), got (%s)",
				mt->member, mt->signature, dbus_message_get_signature(m));
		break;
	case PM_LOOKUP_UNKNOWN_INTERFACE:
		reply_error(s, m, PM_ERROR_UNKNOWN_INTERFACE, "no interface %s on " PM_POLICY_PATH,
				iface);
		break;
	case PM_LOOKUP_UNKNOWN_METHOD:
		reply_error(s, m, PM_ERROR_UNKNOWN_METHOD, "no method %s%s%s on " PM_POLICY_PATH,
				iface ? iface : "", iface ? "." : "", member);
		break;
	}
	return DBUS_HANDLER_RESULT_HANDLED;
}

static DBusHandlerResult filter(DBusConnection *conn, DBusMessage *m, void *data)
{
	struct pm_service *s = data;
	const char *name, *old_owner, *new_owner;
	bool from_bus = dbus_message_get_sender(m) != NULL &&
		strcmp(dbus_message_get_sender(m), DBUS_SERVICE_DBUS) == 0;

	if (dbus_message_is_signal(m, DBUS_INTERFACE_LOCAL, "Disconnected")) {
		pm_log("lost the connection to the bus; exiting");
		s->exit_status = 1;
		return DBUS_HANDLER_RESULT_HANDLED;
	}
	if (!from_bus)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

	if (pm_args_name_gone(m, &name)) {
		/* a unique name is never reused: its enforcer is gone */
		drop_enforcer(s, name, "disconnected");
	} else if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged") &&
	    dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &name,
		    DBUS_TYPE_STRING, &old_owner, DBUS_TYPE_STRING, &new_owner,
		    DBUS_TYPE_INVALID) &&
	    strcmp(name, NOTIFY_NAME) == 0) {
		s->notify_owner = new_owner[0] != '\0';
	} else if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameLost") &&
	    dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID) &&
	    strcmp(name, PM_POLICY_NAME) == 0) {
		/* the name is requested without ALLOW_REPLACEMENT: only the
		 * bus itself could take it (it is shutting down) */
		pm_log("lost the name " PM_POLICY_NAME "; exiting");
		s->exit_status = 0;
	}
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

/* ---- lifetime ---- */

static void load_log(struct pm_service *s)
{
	char why[512];
	uint32_t n;

	if (pm_capture_log_load(s->state_dir, &s->log, why, sizeof(why)) < 0) {
		pm_log("%s; starting an empty capture log", why);
		return;
	}
	/* open when the policy stopped without closing them (a crash): the
	 * captures ended for this log when the policy was gone */
	if ((n = pm_capture_log_close(&s->log, NULL, unix_now_us())) > 0) {
		pm_log("closed %u capture%s left open by the previous run", n, n == 1 ? "" : "s");
		s->log_dirty = true;
	}
}

struct pm_service *pm_service_new(DBusConnection *conn,
		const struct pm_service_config *config, const struct pm_state *state)
{
	static const DBusObjectPathVTable vtable = { .message_function = object_message };
	struct pm_service *s;
	DBusError error;

	dbus_error_init(&error);
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->state_dir = strdup(config->state_dir)) == NULL)
		goto oom;
	s->conn = conn;
	s->ack_timeout_ms = config->ack_timeout_ms;
	s->had_daemon_enforcer = true;
	s->exit_status = -1;
	pm_core_init(&s->core, state->muted || state->locked, state->generation);
	s->core.locked = state->locked;
	s->core.follow_source_mute = config->follow_source_mute;
	s->core.speech_detection = config->speech_detection;
	s->core.notify_speech = config->notify_speech;
	s->core.notify_capture = config->notify_capture;
	pm_ratelimit_init(&s->speech_rl, SPEECH_INTERVAL_MS);
	pm_ratelimit_init(&s->capture_rl, CAPTURE_NOTIFY_INTERVAL_MS);
	load_log(s);

	if (!dbus_connection_try_register_object_path(conn, PM_POLICY_PATH, &vtable, s, &error)) {
		pm_log("cannot export " PM_POLICY_PATH ": %s", error.message);
		goto fail;
	}
	s->path_registered = true;
	if (!dbus_connection_add_filter(conn, filter, s, NULL))
		goto oom;
	s->filter_added = true;
	/* every enforcer that leaves the bus must be dropped, and the rule
	 * must be in place before the first one can register */
	dbus_bus_add_match(conn, PM_MATCH_ANY_OWNER_CHANGED, &error);
	if (dbus_error_is_set(&error)) {
		pm_log("cannot watch bus names: %s", error.message);
		goto fail;
	}
	/* after the match: a server that comes later is seen by the filter */
	s->notify_owner = dbus_bus_name_has_owner(conn, NOTIFY_NAME, &error);
	if (dbus_error_is_set(&error)) {
		pm_log("cannot ask the bus for " NOTIFY_NAME ": %s", error.message);
		dbus_error_free(&error);
	}
	return s;
oom:
	pm_log("out of memory");
fail:
	dbus_error_free(&error);
	if (s)
		pm_service_destroy(s);
	return NULL;
}

void pm_service_destroy(struct pm_service *s)
{
	struct pending *p;

	/* nobody waits for a verdict that will never come */
	while ((p = s->pending) != NULL) {
		s->pending = p->next;
		reply_state(s, p->call, p->toggle, p->muted, false);
		dbus_message_unref(p->call);
		free(p);
	}
	while (s->asyncs != NULL) {
		struct async *a = s->asyncs;

		dbus_pending_call_cancel(a->pc);
		if (a->kind == ASYNC_UID_CHECK)
			reply_error(s, a->call, PM_ERROR_FAILED, "the policy service is stopping");
		async_remove(s, a);
	}
	/* the captures end for this log when the policy stops */
	if (pm_capture_log_close(&s->log, NULL, unix_now_us()) > 0)
		s->log_dirty = true;
	if (s->log_dirty)
		save_log(s, pm_now_ms());
	pm_capture_log_clear(&s->log);
	if (s->filter_added)
		dbus_connection_remove_filter(s->conn, filter, s);
	if (s->path_registered)
		dbus_connection_unregister_object_path(s->conn, PM_POLICY_PATH);
	pm_core_clear(&s->core);
	free(s->state_dir);
	free(s);
}

void pm_service_expire(struct pm_service *s, int64_t now)
{
	check_pending(s, now);
	if (s->log_dirty && s->log_save_at != 0 && now >= s->log_save_at)
		save_log(s, now);
}

int pm_service_timeout(struct pm_service *s, int64_t now)
{
	int64_t first = -1;

	for (struct pending *p = s->pending; p != NULL; p = p->next)
		if (first < 0 || p->deadline < first)
			first = p->deadline;
	if (s->log_dirty && s->log_save_at != 0 && (first < 0 || s->log_save_at < first))
		first = s->log_save_at;
	if (first < 0)
		return -1;
	return first <= now ? 0 : (int)(first - now);
}

int pm_service_exit_status(struct pm_service *s)
{
	return s->exit_status;
}
