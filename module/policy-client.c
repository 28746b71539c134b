/* privacy-mute: the enforcer's side of the policy D-Bus contract */
/* SPDX-License-Identifier: MIT */

/*
 * GetNameOwner -> the unique name behind org.privacymute.Policy1;
 * GetConnectionCredentials of it -> uid and pid, and /proc/PID/exe: only
 * an owner of our uid (root on the system bus) running the policy's
 * executable (session bus) is followed. Anyone may own a name nobody
 * holds, and an impostor that says "unmuted" must not unmute anyone.
 * Then RegisterEnforcer, sent to that unique name (it is never reused, so
 * what was checked is what answers) -> (muted, generation); then
 * PropertiesChanged from that unique name brings new states; each applied
 * state is answered with Acknowledge. Signals from any other sender are
 * ignored: anyone on the bus can emit a signal with our path.
 *
 * When the policy leaves the bus, its name changes hands, or the bus goes
 * away, nothing changes here (fail-closed: the last state stays, muted
 * until a checked policy answered); a new owner is checked before it is
 * followed, and we reconnect to a restarted bus.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbus/dbus.h>

#include <spa/support/dbus.h>
#include <spa/utils/result.h>

#include <pipewire/pipewire.h>

#include "owner-check.h"
#include "policy-client.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

#define RETRY_SEC	2
#define CALL_TIMEOUT_MS	5000

struct pm_policy_client {
	struct pw_context *context;
	struct pw_loop *loop;
	enum pm_bus bus;
	const struct pm_policy_client_events *events;
	void *events_data;

	struct spa_dbus *dbus;
	struct spa_dbus_connection *dbus_connection;
	struct spa_hook connection_listener;
	DBusConnection *conn;
	bool filter_added;

	struct spa_source *retry_timer;
	DBusPendingCall *owner_call;	/* GetNameOwner */
	DBusPendingCall *creds_call;	/* GetConnectionCredentials of candidate */
	DBusPendingCall *register_call;
	DBusPendingCall *ack_call;	/* only the latest acknowledgement matters */

	char *executable;	/* the policy's executable (session bus) */
	uint32_t uid;		/* the policy's user (session bus) */
	char *candidate;	/* unique name being checked, then registered with */
	bool owner_changed;	/* the name changed hands: log the verdict louder */
	char *owner;		/* unique name of the checked policy we registered with */
	bool registered;
	uint32_t sources;
};

static void connect_bus(struct pm_policy_client *c);
static void register_enforcer(struct pm_policy_client *c);
static void find_policy(struct pm_policy_client *c);

static const char *bus_name(struct pm_policy_client *c)
{
	return c->bus == PM_BUS_SYSTEM ? "system" : "session";
}

static void schedule_retry(struct pm_policy_client *c)
{
	struct timespec value = { .tv_sec = RETRY_SEC }, interval = { 0 };
	pw_loop_update_timer(c->loop, c->retry_timer, &value, &interval, false);
}

static void set_name(char **dst, const char *name)
{
	free(*dst);
	*dst = (name && *name) ? strdup(name) : NULL;
}

static void set_owner(struct pm_policy_client *c, const char *owner)
{
	set_name(&c->owner, owner);
}

static void cancel_call(DBusPendingCall **call)
{
	if (*call) {
		dbus_pending_call_cancel(*call);
		dbus_pending_call_unref(*call);
		*call = NULL;
	}
}

static void cancel_register(struct pm_policy_client *c)
{
	cancel_call(&c->register_call);
}

/* Forget the policy we follow and any check or registration in flight:
 * the name is gone or has a new owner. The state stays as it is. */
static void forget_policy(struct pm_policy_client *c)
{
	cancel_call(&c->owner_call);
	cancel_call(&c->creds_call);
	cancel_register(c);
	set_name(&c->candidate, NULL);
	set_owner(c, NULL);
	c->registered = false;
}

/* Send m (consumed) with a reply handler; false when out of memory. */
static bool send_pending(struct pm_policy_client *c, DBusMessage *m, DBusPendingCall **call,
		DBusPendingCallNotifyFunction done)
{
	bool ok = m != NULL &&
		dbus_connection_send_with_reply(c->conn, m, call, CALL_TIMEOUT_MS) &&
		*call != NULL;

	if (ok && !dbus_pending_call_set_notify(*call, done, c, NULL)) {
		cancel_call(call);
		ok = false;
	}
	if (m)
		dbus_message_unref(m);
	return ok;
}

static void cancel_ack(struct pm_policy_client *c)
{
	if (c->ack_call) {
		dbus_pending_call_cancel(c->ack_call);
		dbus_pending_call_unref(c->ack_call);
		c->ack_call = NULL;
	}
}

static void emit_state(struct pm_policy_client *c, bool muted, uint64_t generation)
{
	if (c->events && c->events->state)
		c->events->state(c->events_data, muted, generation);
}

static void register_reply(DBusPendingCall *pending, void *data)
{
	struct pm_policy_client *c = data;
	DBusMessage *reply;
	DBusError error;
	dbus_bool_t muted;
	dbus_uint64_t generation;

	reply = dbus_pending_call_steal_reply(pending);
	dbus_pending_call_unref(c->register_call);
	c->register_call = NULL;
	if (reply == NULL)
		return;

	dbus_error_init(&error);
	if (dbus_set_error_from_message(&error, reply)) {
		/* no policy yet: NameOwnerChanged or the retry brings us back */
		pw_log_info("policy not available on the %s bus (%s: %s); keeping the "
				"current state", bus_name(c), error.name, error.message);
		dbus_error_free(&error);
		schedule_retry(c);
		goto done;
	}
	if (!dbus_message_get_args(reply, &error,
				DBUS_TYPE_BOOLEAN, &muted,
				DBUS_TYPE_UINT64, &generation,
				DBUS_TYPE_INVALID)) {
		pw_log_error("bad RegisterEnforcer reply: %s", error.message);
		dbus_error_free(&error);
		schedule_retry(c);
		goto done;
	}
	/* sent to the checked unique name: the bus sends its reply only */
	set_owner(c, c->candidate);
	c->registered = true;
	pw_log_info("registered with policy %s: muted:%d generation:%" PRIu64,
			c->owner, muted, (uint64_t)generation);
	emit_state(c, muted, generation);
done:
	dbus_message_unref(reply);
}

static bool append_info(DBusMessageIter *it, struct pm_policy_client *c)
{
	DBusMessageIter dict, entry, var;
	char host[256] = "";
	/* argv[0]: pipewire-pulse is the pipewire binary under another name */
	const char *process = program_invocation_short_name;
	const char *hostp = host;
	dbus_uint32_t pid = (dbus_uint32_t)getpid();
	dbus_uint32_t sources = c->sources;
	/* the policy expects one enforcer in the daemon, and says so */
	dbus_bool_t daemon = spa_atob(pw_properties_get(pw_context_get_properties(c->context),
				PW_KEY_CORE_DAEMON));

	if (process == NULL || *process == '\0')
		process = pw_get_prgname();
	if (process == NULL)
		process = "";
	gethostname(host, sizeof(host) - 1);

#define ADD(key, sig, type, val)						\
	if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) || \
	    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &(const char *){key}) || \
	    !dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, sig, &var) || \
	    !dbus_message_iter_append_basic(&var, type, val) ||		\
	    !dbus_message_iter_close_container(&entry, &var) ||		\
	    !dbus_message_iter_close_container(&dict, &entry))		\
		return false;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sv}", &dict))
		return false;
	ADD("process", "s", DBUS_TYPE_STRING, &process);
	ADD("host", "s", DBUS_TYPE_STRING, &hostp);
	ADD("pid", "u", DBUS_TYPE_UINT32, &pid);
	ADD("sources", "u", DBUS_TYPE_UINT32, &sources);
	ADD("daemon", "b", DBUS_TYPE_BOOLEAN, &daemon);
#undef ADD
	return dbus_message_iter_close_container(it, &dict);
}

/* Register with the checked candidate, by its unique name. */
static void register_enforcer(struct pm_policy_client *c)
{
	DBusMessage *m;
	DBusMessageIter it;

	if (c->conn == NULL || c->register_call != NULL || c->candidate == NULL)
		return;

	m = dbus_message_new_method_call(c->candidate, PM_POLICY_PATH,
			PM_POLICY_INTERFACE, "RegisterEnforcer");
	if (m == NULL)
		goto oom;
	dbus_message_iter_init_append(m, &it);
	if (!append_info(&it, c))
		goto oom_msg;
	if (!dbus_connection_send_with_reply(c->conn, m, &c->register_call, CALL_TIMEOUT_MS) ||
	    c->register_call == NULL)
		goto oom_msg;
	if (!dbus_pending_call_set_notify(c->register_call, register_reply, c, NULL)) {
		cancel_register(c);
		goto oom_msg;
	}
	dbus_message_unref(m);
	return;
oom_msg:
	dbus_message_unref(m);
oom:
	pw_log_error("out of memory registering with the policy");
	schedule_retry(c);
}

/* The bus told who owns the candidate name: follow it only if it is the
 * policy (owner-check.c). */
static void creds_reply(DBusPendingCall *pending, void *data)
{
	struct pm_policy_client *c = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	struct pm_owner_creds creds;
	char exe[PM_OWNER_EXE_MAX], why[PM_OWNER_EXE_MAX * 2 + 128];
	bool changed = c->owner_changed;

	dbus_pending_call_unref(c->creds_call);
	c->creds_call = NULL;
	if (reply == NULL)
		return;
	if (pm_owner_parse_credentials(reply, &creds) < 0) {
		/* gone already: NameOwnerChanged follows; else try again */
		pw_log_info("cannot ask the bus who owns " PM_POLICY_NAME " (%s: %s); keeping "
				"the current state", c->candidate,
				dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR ?
				dbus_message_get_error_name(reply) : "bad reply");
		set_name(&c->candidate, NULL);
		schedule_retry(c);
		goto done;
	}
	c->owner_changed = false;
	if (!pm_owner_check(&creds, c->bus == PM_BUS_SYSTEM, c->uid,
				c->executable, exe, sizeof(exe), why, sizeof(why))) {
		/* no retry: nothing changes until the name changes hands */
		pw_log_warn("the owner of " PM_POLICY_NAME " on the %s bus, %s (pid %u, %s), "
				"is not the policy: %s; not following it, keeping the "
				"current state", bus_name(c), c->candidate, creds.pid,
				exe[0] ? exe : "executable not checked", why);
		set_name(&c->candidate, NULL);
		goto done;
	}
	if (changed)
		pw_log_warn("the owner of " PM_POLICY_NAME " is now %s (pid %u, %s), checked: "
				"registering", c->candidate, creds.pid,
				exe[0] ? exe : "uid 0");
	else
		pw_log_info("policy %s (pid %u, %s) checked: registering", c->candidate,
				creds.pid, exe[0] ? exe : "uid 0");
	register_enforcer(c);
done:
	dbus_message_unref(reply);
}

static void check_owner(struct pm_policy_client *c, const char *owner)
{
	cancel_call(&c->creds_call);
	cancel_register(c);
	set_name(&c->candidate, owner);
	if (c->candidate == NULL ||
	    !send_pending(c, pm_owner_credentials_call(owner), &c->creds_call, creds_reply)) {
		pw_log_error("out of memory checking the policy");
		set_name(&c->candidate, NULL);
		schedule_retry(c);
	}
}

static void name_owner_reply(DBusPendingCall *pending, void *data)
{
	struct pm_policy_client *c = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending), *m;
	const char *owner, *name = PM_POLICY_NAME;
	dbus_uint32_t flags = 0;

	dbus_pending_call_unref(c->owner_call);
	c->owner_call = NULL;
	if (reply == NULL)
		return;
	/* (an error's first argument is a string too: its message) */
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID)) {
		check_owner(c, owner);
		goto done;
	}
	pw_log_info("no policy on the %s bus (%s); keeping the current state", bus_name(c),
			dbus_message_get_error_name(reply) ? dbus_message_get_error_name(reply) :
			"bad reply");
	/* D-Bus-activate it, without waiting: its NameOwnerChanged brings
	 * it to the check; the retry covers an activation that fails */
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "StartServiceByName");
	if (m != NULL) {
		dbus_message_set_no_reply(m, TRUE);
		if (dbus_message_append_args(m, DBUS_TYPE_STRING, &name,
					DBUS_TYPE_UINT32, &flags, DBUS_TYPE_INVALID))
			dbus_connection_send(c->conn, m, NULL);
		dbus_message_unref(m);
	}
	schedule_retry(c);
done:
	dbus_message_unref(reply);
}

/* Who owns the policy's name now? Then check it, then register. */
static void find_policy(struct pm_policy_client *c)
{
	const char *name = PM_POLICY_NAME;
	DBusMessage *m;

	if (c->conn == NULL || c->owner_call || c->creds_call || c->register_call)
		return;
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "GetNameOwner");
	if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if (!send_pending(c, m, &c->owner_call, name_owner_reply)) {
		pw_log_error("out of memory looking for the policy");
		schedule_retry(c);
	}
}

static void ack_reply(DBusPendingCall *pending, void *data)
{
	struct pm_policy_client *c = data;
	DBusMessage *reply = dbus_pending_call_steal_reply(pending);
	DBusError error;

	dbus_pending_call_unref(c->ack_call);
	c->ack_call = NULL;
	if (reply == NULL)
		return;
	dbus_error_init(&error);
	if (dbus_set_error_from_message(&error, reply)) {
		pw_log_warn("Acknowledge refused (%s: %s); registering again",
				error.name, error.message);
		dbus_error_free(&error);
		/* checked again: the policy may be gone and its name taken */
		forget_policy(c);
		find_policy(c);
	}
	dbus_message_unref(reply);
}

void pm_policy_client_ack(struct pm_policy_client *c, uint64_t generation,
		bool muted, uint32_t sources)
{
	DBusMessage *m;
	dbus_uint64_t gen = generation;
	dbus_bool_t mu = muted;
	dbus_uint32_t src = sources;

	c->sources = sources;
	if (c->conn == NULL || !c->registered || c->owner == NULL)
		return;
	cancel_ack(c);
	/* going away (shutdown, a lost bus): the reconnect registers again */
	if (!dbus_connection_get_is_connected(c->conn))
		return;

	/* to the unique name we registered with, so a new owner of the
	 * well-known name never gets an acknowledgement it did not ask for */
	m = dbus_message_new_method_call(c->owner, PM_POLICY_PATH,
			PM_POLICY_INTERFACE, "Acknowledge");
	if (m == NULL ||
	    !dbus_message_append_args(m, DBUS_TYPE_UINT64, &gen, DBUS_TYPE_BOOLEAN, &mu,
		    DBUS_TYPE_UINT32, &src, DBUS_TYPE_INVALID) ||
	    !dbus_connection_send_with_reply(c->conn, m, &c->ack_call, CALL_TIMEOUT_MS) ||
	    c->ack_call == NULL ||
	    !dbus_pending_call_set_notify(c->ack_call, ack_reply, c, NULL)) {
		pw_log_error("out of memory acknowledging generation %" PRIu64, generation);
		cancel_ack(c);
	}
	if (m)
		dbus_message_unref(m);
}

void pm_policy_client_set_sources(struct pm_policy_client *c, uint32_t sources)
{
	c->sources = sources;
}

static const char *clip(const char *s, char *buf, size_t size);

void pm_policy_client_report_sources(struct pm_policy_client *c,
		const struct pm_source_report *sources, uint32_t n_sources)
{
	DBusMessage *m;
	DBusMessageIter it, arr, st;
	uint32_t i;

	if (c->conn == NULL || !c->registered || c->owner == NULL)
		return;
	m = dbus_message_new_method_call(c->owner, PM_POLICY_PATH,
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
		char b1[257], b2[257];
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
	    !dbus_connection_send(c->conn, m, NULL))
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
static DBusMessage *new_event(struct pm_policy_client *c, const char *member)
{
	DBusMessage *m;

	if (c->conn == NULL || !c->registered || c->owner == NULL)
		return NULL;
	m = dbus_message_new_method_call(c->owner, PM_POLICY_PATH, PM_POLICY_INTERFACE, member);
	if (m == NULL)
		pw_log_error("out of memory telling the policy %s", member);
	else
		dbus_message_set_no_reply(m, TRUE);
	return m;
}

static void send_event(struct pm_policy_client *c, DBusMessage *m, bool ok)
{
	if (!ok || !dbus_connection_send(c->conn, m, NULL))
		pw_log_error("out of memory telling the policy %s", dbus_message_get_member(m));
	dbus_message_unref(m);
}

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

void pm_policy_client_source_mute(struct pm_policy_client *c, const char *source, bool muted)
{
	DBusMessage *m = new_event(c, "SourceMuteChanged");
	dbus_bool_t mu = muted;
	char buf[257];

	source = clip(source ? source : "", buf, sizeof(buf));
	if (m != NULL)
		send_event(c, m, dbus_message_append_args(m, DBUS_TYPE_STRING, &source,
					DBUS_TYPE_BOOLEAN, &mu, DBUS_TYPE_INVALID));
}

void pm_policy_client_speech(struct pm_policy_client *c, const char *source)
{
	DBusMessage *m = new_event(c, "SpeechWhileMuted");
	char buf[257];

	source = clip(source ? source : "", buf, sizeof(buf));
	if (m != NULL)
		send_event(c, m, dbus_message_append_args(m, DBUS_TYPE_STRING, &source,
					DBUS_TYPE_INVALID));
}

static bool dict_string(DBusMessageIter *dict, const char *key, const char *value)
{
	DBusMessageIter entry, var;

	if (value == NULL)
		return true;
	return dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
		dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) &&
		dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "s", &var) &&
		dbus_message_iter_append_basic(&var, DBUS_TYPE_STRING, &value) &&
		dbus_message_iter_close_container(&entry, &var) &&
		dbus_message_iter_close_container(dict, &entry);
}

static bool dict_uint32(DBusMessageIter *dict, const char *key, uint32_t value)
{
	DBusMessageIter entry, var;
	dbus_uint32_t v = value;

	return dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
		dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) &&
		dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "u", &var) &&
		dbus_message_iter_append_basic(&var, DBUS_TYPE_UINT32, &v) &&
		dbus_message_iter_close_container(&entry, &var) &&
		dbus_message_iter_close_container(dict, &entry);
}

void pm_policy_client_capture_started(struct pm_policy_client *c, uint32_t id,
		const char *source, const char *application, uint32_t pid, const char *binary)
{
	DBusMessage *m = new_event(c, "CaptureStarted");
	DBusMessageIter it, dict;
	dbus_uint32_t i = id;
	char b1[257], b2[257], b3[257];
	bool ok;

	if (m == NULL)
		return;
	dbus_message_iter_init_append(m, &it);
	ok = dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &i) &&
		dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict) &&
		dict_string(&dict, "source", clip(source, b1, sizeof(b1))) &&
		dict_string(&dict, "application", clip(application, b2, sizeof(b2))) &&
		(pid == 0 || dict_uint32(&dict, "pid", pid)) &&
		dict_string(&dict, "binary", clip(binary, b3, sizeof(b3))) &&
		dbus_message_iter_close_container(&it, &dict);
	send_event(c, m, ok);
}

void pm_policy_client_capture_stopped(struct pm_policy_client *c, uint32_t id)
{
	DBusMessage *m = new_event(c, "CaptureStopped");
	dbus_uint32_t i = id;

	if (m != NULL)
		send_event(c, m, dbus_message_append_args(m, DBUS_TYPE_UINT32, &i,
					DBUS_TYPE_INVALID));
}

static void handle_properties_changed(struct pm_policy_client *c, DBusMessage *m)
{
	DBusMessageIter it, dict, entry, var;
	const char *iface, *key;
	dbus_bool_t muted = FALSE;
	dbus_uint64_t generation = 0;
	bool have_muted = false, have_generation = false;

	if (c->owner == NULL || !spa_streq(dbus_message_get_sender(m), c->owner))
		return;
	if (!dbus_message_iter_init(m, &it) ||
	    dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_STRING)
		return;
	dbus_message_iter_get_basic(&it, &iface);
	if (!spa_streq(iface, PM_POLICY_INTERFACE) || !dbus_message_iter_next(&it) ||
	    dbus_message_iter_get_arg_type(&it) != DBUS_TYPE_ARRAY)
		return;

	dbus_message_iter_recurse(&it, &dict);
	while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
		dbus_message_iter_recurse(&dict, &entry);
		dbus_message_iter_get_basic(&entry, &key);
		dbus_message_iter_next(&entry);
		dbus_message_iter_recurse(&entry, &var);
		if (spa_streq(key, "Muted") &&
		    dbus_message_iter_get_arg_type(&var) == DBUS_TYPE_BOOLEAN) {
			dbus_message_iter_get_basic(&var, &muted);
			have_muted = true;
		} else if (spa_streq(key, "Generation") &&
		    dbus_message_iter_get_arg_type(&var) == DBUS_TYPE_UINT64) {
			dbus_message_iter_get_basic(&var, &generation);
			have_generation = true;
		}
		dbus_message_iter_next(&dict);
	}
	if (have_muted && have_generation)
		emit_state(c, muted, generation);
}

static void handle_name_owner_changed(struct pm_policy_client *c, DBusMessage *m)
{
	const char *name, *old_owner, *new_owner;

	if (!dbus_message_get_args(m, NULL,
				DBUS_TYPE_STRING, &name,
				DBUS_TYPE_STRING, &old_owner,
				DBUS_TYPE_STRING, &new_owner,
				DBUS_TYPE_INVALID) ||
	    !spa_streq(name, PM_POLICY_NAME))
		return;

	forget_policy(c);
	if (new_owner == NULL || *new_owner == '\0') {
		pw_log_warn("policy %s left the bus; keeping the current state", old_owner);
		return;
	}
	pw_log_warn("the owner of " PM_POLICY_NAME " changed to %s; keeping the current "
			"state until it is checked", new_owner);
	c->owner_changed = true;
	check_owner(c, new_owner);
}

static DBusHandlerResult filter(DBusConnection *conn, DBusMessage *m, void *data)
{
	struct pm_policy_client *c = data;

	if (dbus_message_is_signal(m, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged") &&
	    spa_streq(dbus_message_get_path(m), PM_POLICY_PATH))
		handle_properties_changed(c, m);
	else if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged") &&
	    spa_streq(dbus_message_get_sender(m), DBUS_SERVICE_DBUS))
		handle_name_owner_changed(c, m);

	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static void add_match(struct pm_policy_client *c, const char *rule)
{
	DBusMessage *m;

	/* dbus_bus_add_match() would block the main loop for a round trip */
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "AddMatch");
	if (m == NULL)
		return;
	dbus_message_set_no_reply(m, TRUE);
	if (dbus_message_append_args(m, DBUS_TYPE_STRING, &rule, DBUS_TYPE_INVALID))
		dbus_connection_send(c->conn, m, NULL);
	dbus_message_unref(m);
}

/* Forget the DBusConnection; the spa_dbus_connection stays and hands out a
 * new one on the next spa_dbus_connection_get(). */
static void drop_connection(struct pm_policy_client *c)
{
	forget_policy(c);
	cancel_ack(c);
	if (c->conn && c->filter_added)
		dbus_connection_remove_filter(c->conn, filter, c);
	c->filter_added = false;
	c->conn = NULL;
}

static void disconnect_bus(struct pm_policy_client *c)
{
	drop_connection(c);
	if (c->dbus_connection) {
		spa_hook_remove(&c->connection_listener);
		spa_dbus_connection_destroy(c->dbus_connection);
		c->dbus_connection = NULL;
	}
}

static void on_disconnected(void *data)
{
	struct pm_policy_client *c = data;
	pw_log_warn("lost the %s bus; keeping the current state and reconnecting",
			bus_name(c));
	/* spa's filter already closed the connection; the filter we added
	 * went with it */
	c->filter_added = false;
	drop_connection(c);
	schedule_retry(c);
}

static void on_connection_destroy(void *data)
{
	struct pm_policy_client *c = data;
	spa_hook_remove(&c->connection_listener);
	c->dbus_connection = NULL;
	c->conn = NULL;
	c->filter_added = false;
}

static const struct spa_dbus_connection_events connection_events = {
	SPA_VERSION_DBUS_CONNECTION_EVENTS,
	.destroy = on_connection_destroy,
	.disconnected = on_disconnected,
};

static void connect_bus(struct pm_policy_client *c)
{
	if (c->dbus_connection == NULL) {
		c->dbus_connection = spa_dbus_get_connection(c->dbus,
				c->bus == PM_BUS_SYSTEM ? SPA_DBUS_TYPE_SYSTEM : SPA_DBUS_TYPE_SESSION);
		if (c->dbus_connection == NULL)
			goto retry;
		spa_dbus_connection_add_listener(c->dbus_connection, &c->connection_listener,
				&connection_events, c);
	}
	/* connects on first use (a short blocking Hello, as every
	 * PipeWire module that uses D-Bus does) */
	c->conn = spa_dbus_connection_get(c->dbus_connection);
	if (c->conn == NULL)
		goto retry;
	if (!dbus_connection_add_filter(c->conn, filter, c, NULL)) {
		drop_connection(c);
		goto retry;
	}
	c->filter_added = true;
	add_match(c, "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='"
			DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',arg0='"
			PM_POLICY_NAME "'");
	add_match(c, "type='signal',interface='" DBUS_INTERFACE_PROPERTIES
			"',member='PropertiesChanged',path='" PM_POLICY_PATH "',arg0='"
			PM_POLICY_INTERFACE "'");
	find_policy(c);
	return;
retry:
	pw_log_warn("cannot connect to the %s bus; keeping the current state, retrying in %ds",
			bus_name(c), RETRY_SEC);
	schedule_retry(c);
}

static void on_retry(void *data, uint64_t expirations)
{
	struct pm_policy_client *c = data;
	if (c->conn == NULL)
		connect_bus(c);
	else if (!c->registered)
		find_policy(c);
}

struct pm_policy_client *pm_policy_client_new(struct pw_context *context, enum pm_bus bus,
		const char *policy_executable, uint32_t policy_uid,
		const struct pm_policy_client_events *events, void *data)
{
	struct pm_policy_client *c;
	const struct spa_support *support;
	uint32_t n_support;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->context = context;
	c->loop = pw_context_get_main_loop(context);
	c->bus = bus;
	c->events = events;
	c->events_data = data;
	c->uid = policy_uid;
	if ((c->executable = strdup(policy_executable)) == NULL) {
		free(c);
		return NULL;
	}

	support = pw_context_get_support(context, &n_support);
	c->dbus = spa_support_find(support, n_support, SPA_TYPE_INTERFACE_DBus);
	if (c->dbus == NULL) {
		free(c->executable);
		free(c);
		errno = ENOTSUP;
		return NULL;
	}
	c->retry_timer = pw_loop_add_timer(c->loop, on_retry, c);
	if (c->retry_timer == NULL) {
		free(c->executable);
		free(c);
		return NULL;
	}
	connect_bus(c);
	return c;
}

void pm_policy_client_destroy(struct pm_policy_client *c)
{
	if (c->conn && c->registered && c->owner) {
		DBusMessage *m = dbus_message_new_method_call(c->owner, PM_POLICY_PATH,
				PM_POLICY_INTERFACE, "UnregisterEnforcer");
		if (m) {
			dbus_message_set_no_reply(m, TRUE);
			dbus_connection_send(c->conn, m, NULL);
			dbus_connection_flush(c->conn);
			dbus_message_unref(m);
		}
	}
	disconnect_bus(c);
	pw_loop_destroy_source(c->loop, c->retry_timer);
	free(c->owner);
	free(c->candidate);
	free(c->executable);
	free(c);
}
