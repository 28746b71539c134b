/* privacy-mute: trusted mute awareness: speech while muted, captures,
 * the batched capture log save */
/* SPDX-License-Identifier: MIT */

#include "service-internal.h"

/* ---- the capture log ---- */

void save_log(struct pm_service *s, int64_t now)
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
void log_changed(struct pm_service *s)
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
void handle_speech_while_muted(struct pm_service *s, DBusMessage *m)
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

void handle_capture_started(struct pm_service *s, DBusMessage *m)
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

void handle_capture_stopped(struct pm_service *s, DBusMessage *m)
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

void handle_get_capture_log(struct pm_service *s, DBusMessage *m)
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
