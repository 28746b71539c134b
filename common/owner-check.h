/* privacy-mute: is the owner of the policy's bus name the real policy? */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_OWNER_CHECK_H
#define PRIVACY_MUTE_OWNER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dbus/dbus.h>

/*
 * Anyone on a session bus can own a name nobody holds, and the name says
 * nothing about who holds it. The bus does know who is behind a unique
 * name (GetConnectionCredentials: uid and pid, as the kernel told it), and
 * /proc tells which executable runs as that pid. Shared by the enforcer
 * (on the PipeWire main loop, with a pending call) and the CLI.
 */

/* Room for an executable path as /proc shows it, with " (deleted)". */
#define PM_OWNER_EXE_MAX	1100

/* What the bus says about a connection. */
struct pm_owner_creds {
	bool have_uid;
	bool have_pid;
	uint32_t uid;
	uint32_t pid;
};

/* org.freedesktop.DBus.GetConnectionCredentials(name), for the bus. NULL
 * when out of memory. */
DBusMessage *pm_owner_credentials_call(const char *name);

/* Read a GetConnectionCredentials reply (a{sv}; UnixUserID u, ProcessID u,
 * other keys ignored). Returns 0, or -EINVAL (an error reply, or not that
 * signature). */
int pm_owner_parse_credentials(DBusMessage *reply, struct pm_owner_creds *creds);

/* The executable of process pid (readlink /proc/PID/exe) into buf.
 * Returns 0 or a negative errno (-ENAMETOOLONG when it does not fit). */
int pm_owner_executable(uint32_t pid, char *buf, size_t size);

/* An executable path that is the expected one: the same, or the same
 * followed by " (deleted)" (the installed file was replaced by an upgrade
 * while it runs; only who may write the install directory can do that). */
bool pm_owner_executable_matches(const char *expected, const char *actual);

/* Whether the owner with creds is a policy to follow: its uid is own_uid
 * on the session bus, 0 on the system bus; on the session bus its
 * executable is expected_exe (on the system bus a user cannot read a root
 * process's executable, and the bus policy lets only root own the name).
 * exe gets the executable read ("" when not read), why a reason when the
 * answer is false. */
bool pm_owner_check(const struct pm_owner_creds *creds, bool system_bus, uint32_t own_uid,
		const char *expected_exe, char *exe, size_t exe_size,
		char *why, size_t why_size);

#endif /* PRIVACY_MUTE_OWNER_CHECK_H */
