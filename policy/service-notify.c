/* privacy-mute: desktop notifications the service raises, as calls it
 * waits for in the loop */
/* SPDX-License-Identifier: MIT */

#include "service-internal.h"

/* ---- the calls the service makes and waits for; notifications ---- */

void async_remove(struct pm_service *s, struct async *a)
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
struct async *async_start(struct pm_service *s, DBusMessage *m, DBusMessage *call,
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
void markup_escape(const char *in, char *out, size_t size)
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
void notify(struct pm_service *s, const char *summary, const char *body)
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
