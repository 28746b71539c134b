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

#include "match-rules.h"
#include "owner-check.h"
#include "policy-client.h"
#include "policy-client-private.h"

PW_LOG_TOPIC_EXTERN(pm_log_topic);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

#define RETRY_SEC	2
#define CALL_TIMEOUT_MS	5000


static void connect_bus(struct pm_policy_client *client);
static void register_enforcer(struct pm_policy_client *client);
static void find_policy(struct pm_policy_client *client);

static const char *bus_name(struct pm_policy_client *client)
{
	return client->bus == PM_BUS_SYSTEM ? "system" : "session";
}

static void schedule_retry(struct pm_policy_client *client)
{
	struct timespec value = { .tv_sec = RETRY_SEC }, interval = { 0 };
	pw_loop_update_timer(client->loop, client->retry_timer, &value, &interval, false);
}

static void set_name(char **dst, const char *name)
{
	free(*dst);
	*dst = (name && *name) ? strdup(name) : NULL;
}

static void set_owner(struct pm_policy_client *client, const char *owner)
{
	set_name(&client->owner, owner);
}

static void cancel_call(DBusPendingCall **call)
{
	if (*call) {
		dbus_pending_call_cancel(*call);
		dbus_pending_call_unref(*call);
		*call = NULL;
	}
}

/* Forget the policy we follow and any check or registration in flight:
 * the name is gone or has a new owner. The state stays as it is. */
static void forget_policy(struct pm_policy_client *client)
{
	cancel_call(&client->owner_call);
	cancel_call(&client->creds_call);
	cancel_call(&client->register_call);
	set_name(&client->candidate, NULL);
	set_owner(client, NULL);
	client->registered = false;
}

/* Send m (consumed; NULL: out of memory already) with a reply handler;
 * false when out of memory. */
static bool send_with_reply(struct pm_policy_client *client, DBusMessage *m,
		DBusPendingCall **call, DBusPendingCallNotifyFunction done)
{
	bool ok = m != NULL &&
		dbus_connection_send_with_reply(client->conn, m, call, CALL_TIMEOUT_MS) &&
		*call != NULL;

	if (ok && !dbus_pending_call_set_notify(*call, done, client, NULL)) {
		cancel_call(call);
		ok = false;
	}
	if (m)
		dbus_message_unref(m);
	return ok;
}

/* The reply of the call in *slot, which is done. NULL: none (cancelled). */
static DBusMessage *take_reply(DBusPendingCall *call, DBusPendingCall **slot)
{
	DBusMessage *reply = dbus_pending_call_steal_reply(call);

	dbus_pending_call_unref(*slot);
	*slot = NULL;
	return reply;
}

static void emit_state(struct pm_policy_client *client, bool muted, uint64_t generation)
{
	if (client->events && client->events->state)
		client->events->state(client->events_data, muted, generation);
}

static void register_reply(DBusPendingCall *call, void *data)
{
	struct pm_policy_client *client = data;
	DBusMessage *reply;
	DBusError error;
	dbus_bool_t muted;
	dbus_uint64_t generation;

	reply = take_reply(call, &client->register_call);
	if (reply == NULL)
		return;

	dbus_error_init(&error);
	if (dbus_set_error_from_message(&error, reply)) {
		/* no policy yet: NameOwnerChanged or the retry brings us back */
		pw_log_info("policy not available on the %s bus (%s: %s); keeping the "
				"current state", bus_name(client), error.name, error.message);
		dbus_error_free(&error);
		schedule_retry(client);
		goto done;
	}
	if (!dbus_message_get_args(reply, &error,
				DBUS_TYPE_BOOLEAN, &muted,
				DBUS_TYPE_UINT64, &generation,
				DBUS_TYPE_INVALID)) {
		pw_log_error("bad RegisterEnforcer reply: %s", error.message);
		dbus_error_free(&error);
		schedule_retry(client);
		goto done;
	}
	/* sent to the checked unique name: the bus sends its reply only */
	set_owner(client, client->candidate);
	client->registered = true;
	pw_log_info("registered with policy %s: muted:%d generation:%" PRIu64,
			client->owner, muted, (uint64_t)generation);
	emit_state(client, muted, generation);
done:
	dbus_message_unref(reply);
}

static bool append_info(DBusMessageIter *it, struct pm_policy_client *client)
{
	DBusMessageIter dict;
	char host[256] = "";
	/* argv[0]: pipewire-pulse is the pipewire binary under another name */
	const char *process = program_invocation_short_name;
	const char *hostp = host;
	dbus_uint32_t pid = (dbus_uint32_t)getpid();
	dbus_uint32_t sources = client->sources;
	/* the policy expects one enforcer in the daemon, and says so */
	dbus_bool_t daemon = client->daemon;

	if (process == NULL || *process == '\0')
		process = pw_get_prgname();
	if (process == NULL)
		process = "";
	gethostname(host, sizeof(host) - 1);

	return dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sv}", &dict) &&
		pm_dict_append(&dict, "process", DBUS_TYPE_STRING, &process) &&
		pm_dict_append(&dict, "host", DBUS_TYPE_STRING, &hostp) &&
		pm_dict_append(&dict, "pid", DBUS_TYPE_UINT32, &pid) &&
		pm_dict_append(&dict, "sources", DBUS_TYPE_UINT32, &sources) &&
		pm_dict_append(&dict, "daemon", DBUS_TYPE_BOOLEAN, &daemon) &&
		dbus_message_iter_close_container(it, &dict);
}

/* Register with the checked candidate, by its unique name. */
static void register_enforcer(struct pm_policy_client *client)
{
	DBusMessage *m;
	DBusMessageIter it;

	if (client->conn == NULL || client->register_call != NULL || client->candidate == NULL)
		return;

	m = dbus_message_new_method_call(client->candidate, PM_POLICY_PATH,
			PM_POLICY_INTERFACE, "RegisterEnforcer");
	if (m != NULL) {
		dbus_message_iter_init_append(m, &it);
		if (!append_info(&it, client)) {
			dbus_message_unref(m);
			m = NULL;
		}
	}
	if (!send_with_reply(client, m, &client->register_call, register_reply)) {
		pw_log_error("out of memory registering with the policy");
		schedule_retry(client);
	}
}

/* The bus told who owns the candidate name: follow it only if it is the
 * policy (owner-check.c). */
static void creds_reply(DBusPendingCall *call, void *data)
{
	struct pm_policy_client *client = data;
	DBusMessage *reply = take_reply(call, &client->creds_call);
	struct pm_owner_creds creds;
	char exe[PM_OWNER_EXE_MAX], why[PM_OWNER_EXE_MAX * 2 + 128];
	bool changed = client->owner_changed;

	if (reply == NULL)
		return;
	if (pm_owner_parse_credentials(reply, &creds) < 0) {
		/* gone already: NameOwnerChanged follows; else try again */
		pw_log_info("cannot ask the bus who owns " PM_POLICY_NAME " (%s: %s); keeping "
				"the current state", client->candidate,
				dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR ?
				dbus_message_get_error_name(reply) : "bad reply");
		set_name(&client->candidate, NULL);
		schedule_retry(client);
		goto done;
	}
	client->owner_changed = false;
	if (!pm_owner_check(&creds, client->bus == PM_BUS_SYSTEM, client->uid,
				client->executable, exe, sizeof(exe), why, sizeof(why))) {
		/* no retry: nothing changes until the name changes hands */
		pw_log_warn("the owner of " PM_POLICY_NAME " on the %s bus, %s (pid %u, %s), "
				"is not the policy: %s; not following it, keeping the "
				"current state", bus_name(client), client->candidate, creds.pid,
				exe[0] ? exe : "executable not checked", why);
		set_name(&client->candidate, NULL);
		goto done;
	}
	if (changed)
		pw_log_warn("the owner of " PM_POLICY_NAME " is now %s (pid %u, %s), checked: "
				"registering", client->candidate, creds.pid,
				exe[0] ? exe : "uid 0");
	else
		pw_log_info("policy %s (pid %u, %s) checked: registering", client->candidate,
				creds.pid, exe[0] ? exe : "uid 0");
	register_enforcer(client);
done:
	dbus_message_unref(reply);
}

static void check_owner(struct pm_policy_client *client, const char *owner)
{
	cancel_call(&client->creds_call);
	cancel_call(&client->register_call);
	set_name(&client->candidate, owner);
	if (client->candidate == NULL ||
	    !send_with_reply(client, pm_owner_credentials_call(owner), &client->creds_call,
			    creds_reply)) {
		pw_log_error("out of memory checking the policy");
		set_name(&client->candidate, NULL);
		schedule_retry(client);
	}
}

static void name_owner_reply(DBusPendingCall *call, void *data)
{
	struct pm_policy_client *client = data;
	DBusMessage *reply = take_reply(call, &client->owner_call), *m;
	const char *owner, *name = PM_POLICY_NAME;
	dbus_uint32_t flags = 0;

	if (reply == NULL)
		return;
	/* (an error's first argument is a string too: its message) */
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN &&
	    dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID)) {
		check_owner(client, owner);
		goto done;
	}
	pw_log_info("no policy on the %s bus (%s); keeping the current state", bus_name(client),
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
			dbus_connection_send(client->conn, m, NULL);
		dbus_message_unref(m);
	}
	schedule_retry(client);
done:
	dbus_message_unref(reply);
}

/* Who owns the policy's name now? Then check it, then register. */
static void find_policy(struct pm_policy_client *client)
{
	const char *name = PM_POLICY_NAME;
	DBusMessage *m;

	if (client->conn == NULL || client->owner_call || client->creds_call ||
	    client->register_call)
		return;
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "GetNameOwner");
	if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if (!send_with_reply(client, m, &client->owner_call, name_owner_reply)) {
		pw_log_error("out of memory looking for the policy");
		schedule_retry(client);
	}
}

static void ack_reply(DBusPendingCall *call, void *data)
{
	struct pm_policy_client *client = data;
	DBusMessage *reply = take_reply(call, &client->ack_call);
	DBusError error;

	if (reply == NULL)
		return;
	dbus_error_init(&error);
	if (dbus_set_error_from_message(&error, reply)) {
		pw_log_warn("Acknowledge refused (%s: %s); registering again",
				error.name, error.message);
		dbus_error_free(&error);
		/* checked again: the policy may be gone and its name taken */
		forget_policy(client);
		find_policy(client);
	}
	dbus_message_unref(reply);
}

void pm_policy_client_ack(struct pm_policy_client *client, uint64_t generation,
		bool muted, uint32_t sources)
{
	DBusMessage *m;
	dbus_uint64_t gen = generation;
	dbus_bool_t mu = muted;
	dbus_uint32_t src = sources;

	client->sources = sources;
	if (!pm_policy_client_registered(client))
		return;
	cancel_call(&client->ack_call);
	/* going away (shutdown, a lost bus): the reconnect registers again */
	if (!dbus_connection_get_is_connected(client->conn))
		return;

	/* to the unique name we registered with, so a new owner of the
	 * well-known name never gets an acknowledgement it did not ask for */
	m = dbus_message_new_method_call(client->owner, PM_POLICY_PATH,
			PM_POLICY_INTERFACE, "Acknowledge");
	if (m && !dbus_message_append_args(m, DBUS_TYPE_UINT64, &gen, DBUS_TYPE_BOOLEAN, &mu,
				DBUS_TYPE_UINT32, &src, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if (!send_with_reply(client, m, &client->ack_call, ack_reply)) {
		pw_log_error("out of memory acknowledging generation %" PRIu64, generation);
		cancel_call(&client->ack_call);
	}
}

void pm_policy_client_set_sources(struct pm_policy_client *client, uint32_t sources)
{
	client->sources = sources;
}


static void handle_properties_changed(struct pm_policy_client *client, DBusMessage *m)
{
	DBusMessageIter it, dict, entry, var;
	const char *iface, *key;
	dbus_bool_t muted = FALSE;
	dbus_uint64_t generation = 0;
	bool have_muted = false, have_generation = false;

	if (client->owner == NULL || !spa_streq(dbus_message_get_sender(m), client->owner))
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
		emit_state(client, muted, generation);
}

static void handle_name_owner_changed(struct pm_policy_client *client, DBusMessage *m)
{
	const char *name, *old_owner, *new_owner;

	if (!dbus_message_get_args(m, NULL,
				DBUS_TYPE_STRING, &name,
				DBUS_TYPE_STRING, &old_owner,
				DBUS_TYPE_STRING, &new_owner,
				DBUS_TYPE_INVALID) ||
	    !spa_streq(name, PM_POLICY_NAME))
		return;

	forget_policy(client);
	if (new_owner == NULL || *new_owner == '\0') {
		pw_log_warn("policy %s left the bus; keeping the current state", old_owner);
		return;
	}
	pw_log_warn("the owner of " PM_POLICY_NAME " changed to %s; keeping the current "
			"state until it is checked", new_owner);
	client->owner_changed = true;
	check_owner(client, new_owner);
}

static DBusHandlerResult filter(DBusConnection *conn, DBusMessage *m, void *data)
{
	struct pm_policy_client *client = data;

	if (dbus_message_is_signal(m, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged") &&
	    spa_streq(dbus_message_get_path(m), PM_POLICY_PATH))
		handle_properties_changed(client, m);
	else if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged") &&
	    spa_streq(dbus_message_get_sender(m), DBUS_SERVICE_DBUS))
		handle_name_owner_changed(client, m);

	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static void add_match(struct pm_policy_client *client, const char *rule)
{
	DBusMessage *m;

	/* dbus_bus_add_match() would block the main loop for a round trip */
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "AddMatch");
	if (m == NULL)
		return;
	dbus_message_set_no_reply(m, TRUE);
	if (dbus_message_append_args(m, DBUS_TYPE_STRING, &rule, DBUS_TYPE_INVALID))
		dbus_connection_send(client->conn, m, NULL);
	dbus_message_unref(m);
}

/* Forget the DBusConnection; the spa_dbus_connection stays and hands out a
 * new one on the next spa_dbus_connection_get(). */
static void drop_connection(struct pm_policy_client *client)
{
	forget_policy(client);
	cancel_call(&client->ack_call);
	if (client->conn && client->filter_added)
		dbus_connection_remove_filter(client->conn, filter, client);
	client->filter_added = false;
	client->conn = NULL;
}

static void disconnect_bus(struct pm_policy_client *client)
{
	drop_connection(client);
	if (client->dbus_connection) {
		spa_hook_remove(&client->connection_listener);
		spa_dbus_connection_destroy(client->dbus_connection);
		client->dbus_connection = NULL;
	}
}

static void on_disconnected(void *data)
{
	struct pm_policy_client *client = data;
	pw_log_warn("lost the %s bus; keeping the current state and reconnecting",
			bus_name(client));
	/* spa's filter already closed the connection; the filter we added
	 * went with it */
	client->filter_added = false;
	drop_connection(client);
	schedule_retry(client);
}

static void on_connection_destroy(void *data)
{
	struct pm_policy_client *client = data;
	spa_hook_remove(&client->connection_listener);
	client->dbus_connection = NULL;
	client->conn = NULL;
	client->filter_added = false;
}

static const struct spa_dbus_connection_events connection_events = {
	SPA_VERSION_DBUS_CONNECTION_EVENTS,
	.destroy = on_connection_destroy,
	.disconnected = on_disconnected,
};

static void connect_bus(struct pm_policy_client *client)
{
	if (client->dbus_connection == NULL) {
		client->dbus_connection = spa_dbus_get_connection(client->dbus,
				client->bus == PM_BUS_SYSTEM ? SPA_DBUS_TYPE_SYSTEM :
				SPA_DBUS_TYPE_SESSION);
		if (client->dbus_connection == NULL)
			goto retry;
		spa_dbus_connection_add_listener(client->dbus_connection,
				&client->connection_listener,
				&connection_events, client);
	}
	/* connects on first use (a short blocking Hello, as every
	 * PipeWire module that uses D-Bus does) */
	client->conn = spa_dbus_connection_get(client->dbus_connection);
	if (client->conn == NULL)
		goto retry;
	if (!dbus_connection_add_filter(client->conn, filter, client, NULL)) {
		drop_connection(client);
		goto retry;
	}
	client->filter_added = true;
	add_match(client, PM_MATCH_POLICY_OWNER_CHANGED);
	add_match(client, PM_MATCH_POLICY_PROPERTIES_CHANGED);
	find_policy(client);
	return;
retry:
	pw_log_warn("cannot connect to the %s bus; keeping the current state, retrying in %ds",
			bus_name(client), RETRY_SEC);
	schedule_retry(client);
}

static void on_retry(void *data, uint64_t expirations)
{
	struct pm_policy_client *client = data;
	if (client->conn == NULL)
		connect_bus(client);
	else if (!client->registered)
		find_policy(client);
}

struct pm_policy_client *pm_policy_client_new(struct pw_context *context, enum pm_bus bus,
		const char *policy_executable, uint32_t policy_uid,
		const struct pm_policy_client_events *events, void *data)
{
	struct pm_policy_client *client;
	const struct spa_support *support;
	uint32_t n_support;
	int res;

	if ((client = calloc(1, sizeof(*client))) == NULL)
		return NULL;
	client->daemon = spa_atob(pw_properties_get(pw_context_get_properties(context),
				PW_KEY_CORE_DAEMON));
	client->loop = pw_context_get_main_loop(context);
	client->bus = bus;
	client->events = events;
	client->events_data = data;
	client->uid = policy_uid;
	if ((client->executable = strdup(policy_executable)) == NULL)
		goto error;

	support = pw_context_get_support(context, &n_support);
	client->dbus = spa_support_find(support, n_support, SPA_TYPE_INTERFACE_DBus);
	if (client->dbus == NULL) {
		errno = ENOTSUP;
		goto error;
	}
	client->retry_timer = pw_loop_add_timer(client->loop, on_retry, client);
	if (client->retry_timer == NULL)
		goto error;
	connect_bus(client);
	return client;

error:
	res = errno;
	free(client->executable);
	free(client);
	errno = res;
	return NULL;
}

void pm_policy_client_destroy(struct pm_policy_client *client)
{
	if (pm_policy_client_registered(client)) {
		DBusMessage *m = dbus_message_new_method_call(client->owner, PM_POLICY_PATH,
				PM_POLICY_INTERFACE, "UnregisterEnforcer");
		if (m) {
			dbus_message_set_no_reply(m, TRUE);
			dbus_connection_send(client->conn, m, NULL);
			dbus_connection_flush(client->conn);
			dbus_message_unref(m);
		}
	}
	disconnect_bus(client);
	pw_loop_destroy_source(client->loop, client->retry_timer);
	free(client->owner);
	free(client->candidate);
	free(client->executable);
	free(client);
}
