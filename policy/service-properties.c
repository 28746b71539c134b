/* privacy-mute: org.freedesktop.DBus.Properties of the policy object */
/* SPDX-License-Identifier: MIT */

#include "service-internal.h"

/* ---- org.freedesktop.DBus.Properties ---- */

/* Reads (ss...) and answers unknown interfaces; false when answered. */
static bool property_args(struct pm_service *s, DBusMessage *m, const char **iface,
		const char **name)
{
	char buf[128];

	switch (pm_args_parse_property(m, iface, name)) {
	case PM_PROPERTY_OK:
		return true;
	case PM_PROPERTY_INVALID_ARGS:
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "expected (ss)");
		return false;
	case PM_PROPERTY_UNKNOWN_INTERFACE:
		reply_error(s, m, PM_ERROR_UNKNOWN_INTERFACE, "no interface '%s' on " PM_POLICY_PATH,
				pm_printable(*iface, buf, sizeof(buf)));
		return false;
	default:
		reply_error(s, m, PM_ERROR_UNKNOWN_PROPERTY, "no property '%s' in %s",
				pm_printable(*name, buf, sizeof(buf)),
				pm_args_is_our_interface(*iface) ? PM_POLICY_INTERFACE : *iface);
		return false;
	}
}

void handle_get(struct pm_service *s, DBusMessage *m)
{
	const char *iface, *name;
	DBusMessageIter it;
	DBusMessage *r;

	if (!property_args(s, m, &iface, &name))
		return;
	if ((r = dbus_message_new_method_return(m)) == NULL)
		goto oom;
	dbus_message_iter_init_append(r, &it);
	if (pm_args_append_property(&it, &s->core, name) < 0) {
		dbus_message_unref(r);
		goto oom;
	}
	reply(s, m, r);
	return;
oom:
	reply_error(s, m, PM_ERROR_FAILED, "out of memory");
}

void handle_get_all(struct pm_service *s, DBusMessage *m)
{
	const char *iface;
	DBusMessageIter it;
	DBusMessage *r;
	char buf[128];

	switch (pm_args_parse_get_all(m, &iface)) {
	case PM_PROPERTY_OK:
		break;
	case PM_PROPERTY_INVALID_ARGS:
		reply_error(s, m, PM_ERROR_INVALID_ARGS, "expected (s)");
		return;
	default:
		reply_error(s, m, PM_ERROR_UNKNOWN_INTERFACE, "no interface '%s' on " PM_POLICY_PATH,
				pm_printable(iface, buf, sizeof(buf)));
		return;
	}
	if ((r = dbus_message_new_method_return(m)) == NULL)
		goto oom;
	dbus_message_iter_init_append(r, &it);
	/* the standard interfaces have no properties: an empty dict */
	if (!pm_args_append_properties(&it, &s->core,
				pm_args_is_our_interface(iface) ? ~0u : 0)) {
		dbus_message_unref(r);
		goto oom;
	}
	reply(s, m, r);
	return;
oom:
	reply_error(s, m, PM_ERROR_FAILED, "out of memory");
}

void handle_set(struct pm_service *s, DBusMessage *m)
{
	const char *iface, *name;

	if (!property_args(s, m, &iface, &name))
		return;
	reply_error(s, m, PM_ERROR_READ_ONLY, "property %s is read-only; "
			"use SetMuted or Toggle to change the mute", name);
}
