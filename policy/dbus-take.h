/* privacy-mute: reading basic D-Bus values off an iterator, for the client's parsers */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_DBUS_TAKE_H
#define PRIVACY_MUTE_DBUS_TAKE_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

/* Read the basic value of type at it and step on. */
static inline bool pm_take(DBusMessageIter *it, int type, void *value)
{
	if (dbus_message_iter_get_arg_type(it) != type)
		return false;
	dbus_message_iter_get_basic(it, value);
	dbus_message_iter_next(it);
	return true;
}

static inline int pm_take_string(DBusMessageIter *it, char **dst)
{
	const char *s;

	if (!pm_take(it, DBUS_TYPE_STRING, &s))
		return -EINVAL;
	return (*dst = strdup(s)) ? 0 : -ENOMEM;
}

#endif /* PRIVACY_MUTE_DBUS_TAKE_H */
