/* privacy-mute: what an enforcer tells the policy besides acknowledgements: reports, events */
/* SPDX-License-Identifier: MIT */

/*
 * Nothing here waits for an answer: a report lost while the policy is away
 * is sent again on the next change (the policy asks for one after each
 * registration), an event lost is history, not state. The acknowledgement
 * of a state is part of following the policy (policy-client.c).
 */

#include <string.h>

#include <dbus/dbus.h>

#include <pipewire/pipewire.h>

#include "pm-limits.h"
#include "policy-client-private.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

/* Names come from other processes: one that is too long for the policy or
 * not UTF-8 (which libdbus refuses to send) is cut, and anything but
 * ASCII becomes '?', rather than dropping the event. */
static const char *clip(const char *s, char *buf, size_t size)
{
	size_t i;

	if (s == NULL || (strlen(s) < size && dbus_validate_utf8(s, NULL)))
		return s;
	for (i = 0; i + 1 < size && s[i] != '\0'; i++)
		buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

void pm_policy_client_report_sources(struct pm_policy_client *client,
		const struct pm_source_report *sources, uint32_t n_sources)
{
	DBusMessage *m;
	DBusMessageIter it, arr, st;
	uint32_t i;

	if (!pm_policy_client_registered(client))
		return;
	m = dbus_message_new_method_call(client->owner, PM_POLICY_PATH,
			PM_POLICY_INTERFACE, "ReportSources");
	if (m == NULL)
		goto oom;
	/* nothing to wait for: a lost report is sent again on the next change */
	dbus_message_set_no_reply(m, TRUE);
	dbus_message_iter_init_append(m, &it);
	if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(ussbb)", &arr))
		goto oom_msg;
	for (i = 0; i < n_sources; i++) {
		dbus_uint32_t id = sources[i].id;
		char b1[PM_STRING_MAX + 1], b2[PM_STRING_MAX + 1];
		const char *name = clip(sources[i].name ? sources[i].name : "", b1, sizeof(b1));
		const char *cls = clip(sources[i].media_class ? sources[i].media_class : "",
				b2, sizeof(b2));
		dbus_bool_t guarded = sources[i].guarded, exempt = sources[i].exempt;

		if (!dbus_message_iter_open_container(&arr, DBUS_TYPE_STRUCT, NULL, &st) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT32, &id) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &name) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &cls) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_BOOLEAN, &guarded) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_BOOLEAN, &exempt) ||
		    !dbus_message_iter_close_container(&arr, &st)) {
			dbus_message_iter_abandon_container_if_open(&arr, &st);
			dbus_message_iter_abandon_container_if_open(&it, &arr);
			goto oom_msg;
		}
	}
	if (!dbus_message_iter_close_container(&it, &arr) ||
	    !dbus_connection_send(client->conn, m, NULL))
		goto oom_msg;
	dbus_message_unref(m);
	return;
oom_msg:
	dbus_message_unref(m);
oom:
	pw_log_error("out of memory reporting sources to the policy");
}

/* Events for the policy: nothing to wait for, and one lost while the
 * policy is away is history, not state, so it is not sent again. */
static DBusMessage *new_event(struct pm_policy_client *client, const char *member)
{
	DBusMessage *m;

	if (!pm_policy_client_registered(client))
		return NULL;
	m = dbus_message_new_method_call(client->owner, PM_POLICY_PATH, PM_POLICY_INTERFACE,
			member);
	if (m == NULL)
		pw_log_error("out of memory telling the policy %s", member);
	else
		dbus_message_set_no_reply(m, TRUE);
	return m;
}

static void send_event(struct pm_policy_client *client, DBusMessage *m, bool ok)
{
	if (!ok || !dbus_connection_send(client->conn, m, NULL))
		pw_log_error("out of memory telling the policy %s", dbus_message_get_member(m));
	dbus_message_unref(m);
}

void pm_policy_client_source_mute(struct pm_policy_client *client, const char *source, bool muted)
{
	DBusMessage *m = new_event(client, "SourceMuteChanged");
	dbus_bool_t mu = muted;
	char buf[PM_STRING_MAX + 1];

	source = clip(source ? source : "", buf, sizeof(buf));
	if (m != NULL)
		send_event(client, m, dbus_message_append_args(m, DBUS_TYPE_STRING, &source,
					DBUS_TYPE_BOOLEAN, &mu, DBUS_TYPE_INVALID));
}

void pm_policy_client_speech(struct pm_policy_client *client, const char *source)
{
	DBusMessage *m = new_event(client, "SpeechWhileMuted");
	char buf[PM_STRING_MAX + 1];

	source = clip(source ? source : "", buf, sizeof(buf));
	if (m != NULL)
		send_event(client, m, dbus_message_append_args(m, DBUS_TYPE_STRING, &source,
					DBUS_TYPE_INVALID));
}

/* a string that is not known is left out */
static bool dict_string(DBusMessageIter *dict, const char *key, const char *value)
{
	return value == NULL || pm_dict_append(dict, key, DBUS_TYPE_STRING, &value);
}

void pm_policy_client_capture_started(struct pm_policy_client *client, uint32_t id,
		const char *source, const char *application, uint32_t pid, const char *binary)
{
	DBusMessage *m = new_event(client, "CaptureStarted");
	DBusMessageIter it, dict;
	dbus_uint32_t i = id, p = pid;
	char b1[PM_STRING_MAX + 1], b2[PM_STRING_MAX + 1], b3[PM_STRING_MAX + 1];
	bool ok;

	if (m == NULL)
		return;
	dbus_message_iter_init_append(m, &it);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &i) &&
		dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict) &&
		dict_string(&dict, "source", clip(source, b1, sizeof(b1))) &&
		dict_string(&dict, "application", clip(application, b2, sizeof(b2))) &&
		(pid == 0 || pm_dict_append(&dict, "pid", DBUS_TYPE_UINT32, &p)) &&
		dict_string(&dict, "binary", clip(binary, b3, sizeof(b3))) &&
		dbus_message_iter_close_container(&it, &dict);
	send_event(client, m, ok);
}

void pm_policy_client_capture_stopped(struct pm_policy_client *client, uint32_t id)
{
	DBusMessage *m = new_event(client, "CaptureStopped");
	dbus_uint32_t i = id;

	if (m != NULL)
		send_event(client, m, dbus_message_append_args(m, DBUS_TYPE_UINT32, &i,
					DBUS_TYPE_INVALID));
}
