/* privacy-mute: what the command lines of the service and the CLI share */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli-util.h"

int pm_bad_usage(const char *prog, void (*usage)(FILE *f), const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (usage) {
		fputs("\n\n", stderr);
		usage(stderr);
	} else {
		fputs(" (see --help)\n", stderr);
	}
	return PM_EXIT_USAGE;
}

bool pm_parse_ms(const char *s, long max, int *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max)
		return false;
	*ms = v;
	return true;
}

DBusConnection *pm_connect_bus(const char *prog, bool system)
{
	DBusConnection *conn;
	DBusError error;

	dbus_error_init(&error);
	conn = dbus_bus_get_private(system ? DBUS_BUS_SYSTEM : DBUS_BUS_SESSION, &error);
	if (conn == NULL) {
		fprintf(stderr, "%s: cannot connect to the %s bus: %s\n", prog,
				system ? "system" : "session", error.message);
		dbus_error_free(&error);
		return NULL;
	}
	dbus_connection_set_exit_on_disconnect(conn, FALSE);
	return conn;
}
