/* privacy-mute: what the command lines of the service and the CLI share */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_CLI_UTIL_H
#define PRIVACY_MUTE_CLI_UTIL_H

#include <stdbool.h>
#include <stdio.h>

#include <dbus/dbus.h>

#define PM_EXIT_USAGE	2

/* "PROG: MESSAGE" on stderr, then, with usage, an empty line and the
 * usage; without, " (see --help)". Returns PM_EXIT_USAGE. */
int __attribute__((format(printf, 3, 4))) pm_bad_usage(const char *prog,
		void (*usage)(FILE *f), const char *fmt, ...);

/* s as a number of milliseconds from 1 to max (strtol's decimal). */
bool pm_parse_ms(const char *s, long max, int *ms);

/* A private connection to the system or session bus that does not exit
 * the process when the bus goes. NULL with "PROG: cannot connect ..." on
 * stderr. */
DBusConnection *pm_connect_bus(const char *prog, bool system);

#endif /* PRIVACY_MUTE_CLI_UTIL_H */
