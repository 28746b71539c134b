/* privacy-mute: is the owner of the policy's bus name the real policy? */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "owner-check.h"

#define DELETED_SUFFIX	" (deleted)"

DBusMessage *pm_owner_credentials_call(const char *name)
{
	DBusMessage *m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "GetConnectionCredentials");

	if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	return m;
}

int pm_owner_parse_credentials(DBusMessage *reply, struct pm_owner_creds *creds)
{
	DBusMessageIter it, dict, entry, var;
	const char *key;
	dbus_uint32_t v;

	*creds = (struct pm_owner_creds) { 0 };
	if (dbus_message_get_type(reply) != DBUS_MESSAGE_TYPE_METHOD_RETURN ||
	    !dbus_message_has_signature(reply, "a{sv}") || !dbus_message_iter_init(reply, &it))
		return -EINVAL;
	dbus_message_iter_recurse(&it, &dict);
	while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
		dbus_message_iter_recurse(&dict, &entry);
		dbus_message_iter_get_basic(&entry, &key);
		dbus_message_iter_next(&entry);
		dbus_message_iter_recurse(&entry, &var);
		if (dbus_message_iter_get_arg_type(&var) == DBUS_TYPE_UINT32) {
			dbus_message_iter_get_basic(&var, &v);
			if (strcmp(key, "UnixUserID") == 0) {
				creds->uid = v;
				creds->have_uid = true;
			} else if (strcmp(key, "ProcessID") == 0) {
				creds->pid = v;
				creds->have_pid = true;
			}
		}
		dbus_message_iter_next(&dict);
	}
	return 0;
}

int pm_owner_executable(uint32_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	if (size == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (pid == 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/exe", pid);
	if ((n = readlink(path, buf, size)) < 0)
		return -errno;
	if ((size_t)n >= size) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	buf[n] = '\0';
	return 0;
}

bool pm_owner_executable_matches(const char *expected, const char *actual)
{
	size_t len = strlen(expected);

	if (len == 0 || strncmp(expected, actual, len) != 0)
		return false;
	return actual[len] == '\0' || strcmp(actual + len, DELETED_SUFFIX) == 0;
}

bool pm_owner_check(const struct pm_owner_creds *creds, bool system_bus, uint32_t own_uid,
		const char *expected_exe, char *exe, size_t exe_size,
		char *why, size_t why_size)
{
	uint32_t want_uid = system_bus ? 0 : own_uid;
	int res = 0;

	if (exe_size > 0)
		exe[0] = '\0';
	/* read first: the caller logs it, whatever the verdict */
	if (creds->have_pid && !system_bus &&
	    (res = pm_owner_executable(creds->pid, exe, exe_size)) < 0)
		snprintf(exe, exe_size, "?");
	if (!creds->have_uid) {
		snprintf(why, why_size, "the bus does not tell its user");
		return false;
	}
	if (creds->uid != want_uid) {
		snprintf(why, why_size, "it runs as uid %" PRIu32 ", not %" PRIu32 "%s",
				creds->uid, want_uid, system_bus ? " (root)" : "");
		return false;
	}
	if (system_bus)
		return true;
	if (!creds->have_pid) {
		snprintf(why, why_size, "the bus does not tell its process");
		return false;
	}
	if (res < 0) {
		snprintf(why, why_size, "its executable cannot be read (/proc/%" PRIu32
				"/exe: %s)", creds->pid, strerror(-res));
		return false;
	}
	if (!pm_owner_executable_matches(expected_exe, exe)) {
		snprintf(why, why_size, "its executable is %s, not %s", exe, expected_exe);
		return false;
	}
	return true;
}
