/* privacy-mute: privacy-mute watch, a line on every change of the policy */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

#include "cli.h"
#include "match-rules.h"
#include "policy-names.h"
#include "status.h"

struct watch {
	struct cli *cli;
	struct pm_status st;
	char *owner;		/* unique name of the policy, NULL while gone */
	bool refresh;		/* a new owner: check it, read everything again */
	bool verified;		/* owner was checked and is the policy */
	char *last;		/* --json: the last line printed */
	int status;		/* >= 0: stop watching, exit with this */
};

/* --json: a line for status bars, only when it differs from the last one
 * (the policy also signals changes a bar does not show) */
static void print_bar(struct watch *w, const struct pm_status *st)
{
	char *line = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&line, &size);

	if (f == NULL)
		return;
	pm_status_print_bar(f, st);
	if (fclose(f) != 0) {
		free(line);
		return;
	}
	if (w->last == NULL || strcmp(w->last, line) != 0) {
		fputs(line, stdout);
		fflush(stdout);
		free(w->last);
		w->last = line;
	} else {
		free(line);
	}
}

static void print_line(struct watch *w, const struct pm_status *st)
{
	if (w->cli->json) {
		print_bar(w, st);
		return;
	}
	printf("%s %s\n", st->muted ? "muted" : "unmuted",
			st->enforced ? "enforced" : "not-enforced");
	fflush(stdout);
}

static void print_note(struct watch *w, const char *note)
{
	if (w->cli->json) {
		print_bar(w, NULL);
		return;
	}
	printf("%s\n", note);
	fflush(stdout);
}

static int set_owner(struct watch *w, const char *owner)
{
	free(w->owner);
	w->owner = NULL;
	w->verified = false;
	if (owner == NULL || *owner == '\0')
		return 0;
	if ((w->owner = strdup(owner)) == NULL)
		return -ENOMEM;
	w->refresh = true;
	return 0;
}

static DBusHandlerResult watch_filter(DBusConnection *conn, DBusMessage *m, void *data)
{
	struct watch *w = data;
	const char *sender = dbus_message_get_sender(m), *name, *old_owner, *new_owner;
	DBusMessageIter it;

	if (w->status >= 0)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	if (dbus_message_is_signal(m, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged")) {
		/* only the checked owner of the name speaks for the policy */
		if (w->owner == NULL || !w->verified || sender == NULL ||
		    strcmp(sender, w->owner) != 0 ||
		    !dbus_message_has_signature(m, "sa{sv}as"))
			return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
		dbus_message_iter_init(m, &it);
		dbus_message_iter_next(&it);
		if (pm_status_update(&w->st, &it) == 0)
			print_line(w, &w->st);
	} else if (dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged") &&
	    sender != NULL && strcmp(sender, DBUS_SERVICE_DBUS) == 0 &&
	    dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, &name,
		    DBUS_TYPE_STRING, &old_owner, DBUS_TYPE_STRING, &new_owner,
		    DBUS_TYPE_INVALID) &&
	    strcmp(name, PM_POLICY_NAME) == 0) {
		if (*new_owner == '\0' && w->owner != NULL)
			print_note(w, "policy service gone; waiting for it to come back");
		if (set_owner(w, new_owner) < 0) {
			/* the loop stops before it waits again */
			fprintf(stderr, "privacy-mute: out of memory\n");
			w->status = EXIT_TROUBLE;
		}
	}
	return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static int add_match(struct cli *c, const char *rule)
{
	DBusError error;

	dbus_error_init(&error);
	dbus_bus_add_match(c->conn, rule, &error);
	if (dbus_error_is_set(&error)) {
		fprintf(stderr, "privacy-mute: cannot watch the bus: %s\n", error.message);
		dbus_error_free(&error);
		return -1;
	}
	return 0;
}

/* The current owner of the policy name, if any. -1 when out of memory. */
static int get_name_owner(struct cli *c, struct watch *w)
{
	const char *name = PM_POLICY_NAME, *owner;
	DBusMessage *m, *r = NULL;
	int res = 0;

	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "GetNameOwner");
	if (m == NULL || !dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID))
		res = -1;
	else	/* NameHasNoOwner: not running, nothing to report */
		r = dbus_connection_send_with_reply_and_block(c->conn, m, c->timeout_ms, NULL);
	if (r && dbus_message_get_args(r, NULL, DBUS_TYPE_STRING, &owner, DBUS_TYPE_INVALID))
		res = set_owner(w, owner);
	if (r)
		dbus_message_unref(r);
	if (m)
		dbus_message_unref(m);
	if (res < 0)
		fprintf(stderr, "privacy-mute: out of memory\n");
	return res;
}

int cli_watch(struct cli *c)
{
	struct watch w = { .cli = c, .status = -1 };
	int res = EXIT_TROUBLE;

	if (!dbus_connection_add_filter(c->conn, watch_filter, &w, NULL)) {
		fprintf(stderr, "privacy-mute: out of memory\n");
		return EXIT_TROUBLE;
	}
	/* subscribe first, then read: no change falls in between */
	if (add_match(c, PM_MATCH_POLICY_OWNER_CHANGED) < 0 ||
	    add_match(c, PM_MATCH_POLICY_PROPERTIES_CHANGED) < 0)
		goto out;

	if (get_name_owner(c, &w) < 0)
		goto out;
	if (w.owner == NULL)
		print_note(&w, "policy service not running; waiting for it to start");

	for (;;) {
		if (w.refresh && w.owner != NULL) {
			struct owner o = { .name = w.owner };
			char note[sizeof(o.why) + PM_OWNER_EXE_MAX + 128];

			w.refresh = false;
			/* from the unique name: a later owner answers for itself */
			if (cli_check_owner(c, &o, 0) == 0 && !o.verified) {
				snprintf(note, sizeof(note), "policy not verified: %s (pid %" PRIu32
						") is not the policy: %s; ignoring it", w.owner,
						o.pid, o.why);
				print_note(&w, note);
			} else if (o.verified) {
				w.verified = true;
				if (cli_get_all(c, w.owner, &w.st, 0) == 0)
					print_line(&w, &w.st);
			}
		}
		if (!dbus_connection_read_write_dispatch(c->conn, -1))
			break;
		if (w.status >= 0) {
			res = w.status;
			goto out;
		}
	}
	fprintf(stderr, "privacy-mute: lost the connection to the bus\n");
out:
	dbus_connection_remove_filter(c->conn, watch_filter, &w);
	pm_status_clear(&w.st);
	free(w.owner);
	free(w.last);
	return res;
}
