/* privacy-mute: the org.privacymute.Policy1 methods of enforcers and of users */
/* SPDX-License-Identifier: MIT */

#include "service-internal.h"

/* ---- org.privacymute.Policy1 ---- */

void handle_set_muted(struct pm_service *s, DBusMessage *m)
{
	bool muted;

	if (!pm_args_parse_set_muted(m, &muted)) {
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "SetMuted expects (b)");
		return;
	}
	set_muted(s, m, muted, false);
}

void handle_toggle(struct pm_service *s, DBusMessage *m)
{
	set_muted(s, m, !s->core.muted, true);
}

void handle_register(struct pm_service *s, DBusMessage *m)
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

void handle_acknowledge(struct pm_service *s, DBusMessage *m)
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

void handle_report_sources(struct pm_service *s, DBusMessage *m)
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
void handle_source_mute_changed(struct pm_service *s, DBusMessage *m)
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

int drop_enforcer(struct pm_service *s, const char *name, const char *how)
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

void handle_unregister(struct pm_service *s, DBusMessage *m)
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
