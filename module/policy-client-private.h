/* privacy-mute: the policy client's state, shared by policy-client.c and policy-reports.c */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_POLICY_CLIENT_PRIVATE_H
#define PRIVACY_MUTE_POLICY_CLIENT_PRIVATE_H

#include <dbus/dbus.h>

#include <spa/support/dbus.h>

#include <pipewire/pipewire.h>

#include "policy-client.h"

struct pm_policy_client {
	struct pw_loop *loop;
	bool daemon;		/* we run in the daemon: RegisterEnforcer says so */
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

/* One entry of an a{sv} dict: key, and value (a pointer to it) of the
 * basic D-Bus type. */
static inline bool pm_dict_append(DBusMessageIter *dict, const char *key, int type,
		const void *value)
{
	const char signature[2] = { (char)type, '\0' };
	DBusMessageIter entry, var;

	return dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) &&
		dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) &&
		dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, signature, &var) &&
		dbus_message_iter_append_basic(&var, type, value) &&
		dbus_message_iter_close_container(&entry, &var) &&
		dbus_message_iter_close_container(dict, &entry);
}

/* Registered with a checked policy, whose unique name is owner: what we
 * send goes there, never to whoever owns the well-known name. */
static inline bool pm_policy_client_registered(const struct pm_policy_client *client)
{
	return client->conn != NULL && client->registered && client->owner != NULL;
}

#endif
