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

#include "service-internal.h"


int64_t unix_now_us(void)
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

void reply(struct pm_service *s, DBusMessage *call, DBusMessage *msg)
{
	/* the bus would reject a reply nobody asked for */
	if (dbus_message_get_no_reply(call)) {
		if (msg)
			dbus_message_unref(msg);
		return;
	}
	send_message(s, msg);
}

void __attribute__((format(printf, 4, 5)))
reply_error(struct pm_service *s, DBusMessage *call, const char *name, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	reply(s, call, dbus_message_new_error(call, name, text));
}

void reply_empty(struct pm_service *s, DBusMessage *call)
{
	reply(s, call, dbus_message_new_method_return(call));
}

void reply_state(struct pm_service *s, DBusMessage *call, bool toggle,
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

uint32_t count_current(const struct pm_core *core)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < core->n_enforcers; i++)
		n += pm_core_is_current(core, &core->enforcers[i]);
	return n;
}

void emit_changed(struct pm_service *s, uint32_t changed)
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

/* ---- state ---- */

/* A state that cannot be saved still applies (a mute must mute, and the
 * user asked for an unmute): the call succeeds, the log says why it is
 * not on disk. */
void save_state(struct pm_service *s)
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

/* caller: unique name of who asked (NULL: nobody on the bus); how: the
 * method, or what the policy followed; by: both in the log line */
void change_muted(struct pm_service *s, bool muted, const char *caller,
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

void set_muted(struct pm_service *s, DBusMessage *call, bool muted, bool toggle)
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
void log_daemon_enforcer(struct pm_service *s)
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
void log_unguarded(struct pm_service *s)
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
