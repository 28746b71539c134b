/* privacy-mute: what the CLI's commands share */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_CLI_H
#define PRIVACY_MUTE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <dbus/dbus.h>

#include "cli-util.h"
#include "owner-check.h"
#include "status.h"

#define EXIT_NOT_ENFORCED	1	/* also: refused (locked, not root), not verified */
#define EXIT_TROUBLE		PM_EXIT_USAGE	/* also: cannot reach the policy */

struct command;

struct cli {
	DBusConnection *conn;
	int timeout_ms;
	bool system;
	bool json;
	const char *policy_executable;
	uint32_t policy_uid;
	const struct command *command;
};

enum call_flags {
	CALL_START = 1 << 0,	/* D-Bus-activate the service if it is not running */
	CALL_QUIET = 1 << 1,	/* failures are not said on stderr */
};

/* Who owns the policy's name, as checked. */
struct owner {
	char *name;		/* unique bus name */
	bool verified;
	uint32_t pid;
	char exe[PM_OWNER_EXE_MAX];
	char why[PM_OWNER_EXE_MAX * 2 + 128];
};

/* GetAll from dest into st. Returns 0 or an exit status. */
int cli_get_all(struct cli *c, const char *dest, struct pm_status *st, enum call_flags flags);

/* Check who owns the name (o->name set): o->verified, and why not.
 * Returns 0 or an exit status. */
int cli_check_owner(struct cli *c, struct owner *o, enum call_flags flags);

/* privacy-mute watch (cli-watch.c) */
int cli_watch(struct cli *c);

#endif /* PRIVACY_MUTE_CLI_H */
