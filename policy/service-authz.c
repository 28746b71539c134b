/* privacy-mute: who a caller is (pid and executable of who made a change);
 * the lock, for uid 0 only */
/* SPDX-License-Identifier: MIT */

#include "service-internal.h"

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
void lookup_caller(struct pm_service *s, const char *caller, bool muted)
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

void handle_set_locked(struct pm_service *s, DBusMessage *m)
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
