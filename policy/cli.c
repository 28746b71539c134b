/* privacy-mute: privacy-mute, the command line client of the policy service */
/* SPDX-License-Identifier: MIT */

/*
 * Exit status: 0 done (and, for on/off/toggle/lock/unlock, enforced); 1 the
 * policy answered but refused (locked, not root) or the state is not
 * enforced, or the owner of the policy's name is not the policy; 2 bad
 * usage, or the policy service cannot be reached.
 *
 * Before it believes or asks anything, the CLI checks who owns the name
 * (owner-check.h), then talks to that unique name only: whoever takes the
 * name afterwards is not who answers.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <dbus/dbus.h>

#include "capture-log.h"
#include "owner-check.h"
#include "parse-uid.h"
#include "pm-config.h"
#include "policy-core.h"
#include "policy-names.h"
#include "status.h"

#define DEFAULT_TIMEOUT_MS	5000
#define MAX_TIMEOUT_MS		3600000

#define EXIT_NOT_ENFORCED	1	/* also: refused (locked, not root), not verified */
#define EXIT_TROUBLE		2

#define EXECUTABLE_ENV	"PRIVACY_MUTE_POLICY_EXECUTABLE"
/* the user the policy runs as, where it is not ours (the module's policy.uid) */
#define UID_ENV		"PRIVACY_MUTE_POLICY_UID"

struct cli {
	DBusConnection *conn;
	int timeout_ms;
	bool system;
	bool json;
	const char *policy_executable;
	uint32_t policy_uid;
};

/* Who owns the policy's name, as checked. */
struct owner {
	char *name;		/* unique bus name */
	bool verified;
	uint32_t pid;
	char exe[PM_OWNER_EXE_MAX];
	char why[PM_OWNER_EXE_MAX * 2 + 128];
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: privacy-mute [OPTION]... COMMAND\n"
		"Control the microphone privacy mute.\n"
		"\n"
		"Commands:\n"
		"  on              mute every microphone, and wait until it is enforced\n"
		"  off             unmute, and wait until it is enforced\n"
		"  toggle          flip the mute, and wait until it is enforced\n"
		"  status [--json] show the state, whether it is enforced, the enforcers,\n"
		"                  and the capture sources no enforcer guards\n"
		"  watch [--json]  print the state, then a line on every change; with\n"
		"                  --json one object per change for status bars\n"
		"                  (text, alt, tooltip, class, muted, enforced)\n"
		"  log [--json]    the applications that tried to capture while muted\n"
		"                  (the last 200); --json: one JSON array on one line\n"
		"  lock            (root) mute and lock: nobody can unmute until unlock\n"
		"  unlock          (root) remove the lock; the state stays muted\n"
		"\n"
		"Options:\n"
		"  --json          with status, watch or log: JSON (see above)\n"
		"  --timeout MS    how long to wait for the policy service (default: %d;\n"
		"                  keep it above the service's --ack-timeout)\n"
		"  --system        use the system bus instead of the session bus\n"
		"  --policy-executable PATH  believe only a policy that runs PATH (session\n"
		"                  bus; default: $" EXECUTABLE_ENV ", else\n"
		"                  " PM_INSTALLED_POLICY ")\n"
		"  --help          show this help\n"
		"  --version       show the version\n"
		"\n"
		"Exit status: 0 done (and enforced); 1 the policy answered but refused\n"
		"(locked by the administrator, or lock/unlock by someone not root), or\n"
		"the state is not enforced, or whoever owns the policy's bus name is not\n"
		"the policy (not verified: nothing is sent to it); 2 bad usage or the\n"
		"policy service cannot be reached.\n",
		DEFAULT_TIMEOUT_MS);
}

static int __attribute__((format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("privacy-mute: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	usage(stderr);
	return EXIT_TROUBLE;
}

/* ---- calls ---- */

static void report_call_error(const struct cli *c, const DBusError *error, bool auto_start)
{
	if (dbus_error_has_name(error, DBUS_ERROR_SERVICE_UNKNOWN) ||
	    dbus_error_has_name(error, DBUS_ERROR_NAME_HAS_NO_OWNER))
		fprintf(stderr, "privacy-mute: the policy service is not running%s: %s\n",
				auto_start ? " and cannot be started" : "", error->message);
	else if (dbus_error_has_name(error, DBUS_ERROR_NO_REPLY) ||
	    dbus_error_has_name(error, DBUS_ERROR_TIMEOUT))
		fprintf(stderr, "privacy-mute: no answer from the policy service "
				"within %d ms\n", c->timeout_ms);
	else if (strncmp(error->name, "org.freedesktop.DBus.Error.Spawn", 32) == 0)
		fprintf(stderr, "privacy-mute: cannot start the policy service: %s\n",
				error->message);
	else
		fprintf(stderr, "privacy-mute: the policy service failed: %s (%s)\n",
				error->message, error->name);
}

/* Send m (consumed) and wait for the reply; NULL with a line on stderr
 * unless quiet. *refused (may be NULL): the policy refused the request
 * (Locked, AccessDenied), said on stderr in its own words. */
static DBusMessage *call_refusable(struct cli *c, DBusMessage *m, bool auto_start,
		bool quiet, bool *refused)
{
	DBusMessage *r;
	DBusError error;

	if (refused)
		*refused = false;
	if (m == NULL) {
		fprintf(stderr, "privacy-mute: out of memory\n");
		return NULL;
	}
	dbus_error_init(&error);
	dbus_message_set_auto_start(m, auto_start);
	r = dbus_connection_send_with_reply_and_block(c->conn, m, c->timeout_ms, &error);
	dbus_message_unref(m);
	if (r == NULL) {
		if (refused && (dbus_error_has_name(&error, PM_ERROR_LOCKED) ||
		    dbus_error_has_name(&error, PM_ERROR_ACCESS_DENIED))) {
			*refused = true;
			fprintf(stderr, "privacy-mute: %s\n", error.message);
		} else if (!quiet) {
			report_call_error(c, &error, auto_start);
		}
		dbus_error_free(&error);
	}
	return r;
}

static DBusMessage *call(struct cli *c, DBusMessage *m, bool auto_start, bool quiet)
{
	return call_refusable(c, m, auto_start, quiet, NULL);
}

static DBusMessage *new_call(const char *dest, const char *iface, const char *method)
{
	return dbus_message_new_method_call(dest, PM_POLICY_PATH, iface, method);
}

/* GetAll from dest into st. auto_start: D-Bus-activate the service if it
 * is not running. Returns 0 or an exit status. */
static int get_all(struct cli *c, const char *dest, struct pm_status *st,
		bool auto_start, bool quiet)
{
	const char *iface = PM_POLICY_INTERFACE;
	DBusMessage *m, *r;
	DBusMessageIter it;
	int res;

	m = new_call(dest, DBUS_INTERFACE_PROPERTIES, "GetAll");
	if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &iface, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if ((r = call(c, m, auto_start, quiet)) == NULL)
		return EXIT_TROUBLE;
	res = dbus_message_iter_init(r, &it) ? pm_status_update(st, &it) : -EINVAL;
	dbus_message_unref(r);
	if (res < 0) {
		if (!quiet)
			fprintf(stderr, "privacy-mute: the policy service sent properties "
					"this client does not understand\n");
		return EXIT_TROUBLE;
	}
	return 0;
}

/* ---- who owns the name ---- */

/* The unique name behind the policy's name into *owner (to free), NULL
 * when nobody owns it. auto_start: D-Bus-activate the service first.
 * Returns 0 or an exit status, said on stderr unless quiet. */
static int get_owner_name(struct cli *c, bool auto_start, bool quiet, char **owner)
{
	const char *name = PM_POLICY_NAME, *unique;
	dbus_uint32_t flags = 0;
	DBusMessage *m, *r;

	*owner = NULL;
	if (auto_start) {
		m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
				DBUS_INTERFACE_DBUS, "StartServiceByName");
		if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &name,
					DBUS_TYPE_UINT32, &flags, DBUS_TYPE_INVALID)) {
			dbus_message_unref(m);
			m = NULL;
		}
		/* activation fails where no service file names it: then
		 * only a running policy can answer */
		if ((r = call(c, m, false, true)) != NULL)
			dbus_message_unref(r);
	}
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "GetNameOwner");
	if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if ((r = call(c, m, false, quiet)) == NULL)
		return EXIT_TROUBLE;
	if (!dbus_message_get_args(r, NULL, DBUS_TYPE_STRING, &unique, DBUS_TYPE_INVALID) ||
	    (*owner = strdup(unique)) == NULL) {
		dbus_message_unref(r);
		if (!quiet)
			fprintf(stderr, "privacy-mute: unexpected reply from the bus\n");
		return EXIT_TROUBLE;
	}
	dbus_message_unref(r);
	return 0;
}

/* Check who owns the name (o->name set): o->verified, and why not. */
static int check_owner(struct cli *c, struct owner *o, bool quiet)
{
	struct pm_owner_creds creds;
	DBusMessage *r;

	r = call(c, pm_owner_credentials_call(o->name), false, quiet);
	if (r == NULL)
		return EXIT_TROUBLE;
	if (pm_owner_parse_credentials(r, &creds) < 0) {
		dbus_message_unref(r);
		if (!quiet)
			fprintf(stderr, "privacy-mute: the bus did not say who owns "
					PM_POLICY_NAME "\n");
		return EXIT_TROUBLE;
	}
	dbus_message_unref(r);
	o->pid = creds.pid;
	o->verified = pm_owner_check(&creds, c->system, c->policy_uid,
			c->policy_executable, o->exe, sizeof(o->exe), o->why, sizeof(o->why));
	return 0;
}

/* Find and check the owner. Returns 0 (o filled, verified or not) or an
 * exit status. */
static int find_owner(struct cli *c, struct owner *o, bool auto_start, bool quiet)
{
	int res;

	*o = (struct owner) { 0 };
	if ((res = get_owner_name(c, auto_start, quiet, &o->name)) != 0)
		return res;
	return check_owner(c, o, quiet);
}

static void owner_clear(struct owner *o)
{
	free(o->name);
	o->name = NULL;
}

/* on, off, toggle, lock, unlock, log: nothing goes to an owner that is not
 * the policy. Returns 0 or EXIT_NOT_ENFORCED, said on stderr. */
static int refuse_unverified(const struct owner *o)
{
	if (o->verified)
		return 0;
	fprintf(stderr, "privacy-mute: the owner of " PM_POLICY_NAME " (%s, pid %" PRIu32
			"%s%s) is not the policy: %s; not talking to it\n", o->name, o->pid,
			o->exe[0] ? ", " : "", o->exe, o->why);
	return EXIT_NOT_ENFORCED;
}

/* ---- on, off, toggle ---- */

/* Why a state was not confirmed, in one line. */
static void explain(struct cli *c, const char *dest, bool muted)
{
	const char *what = muted ? "mute" : "unmute";
	struct pm_status st = { 0 };
	uint32_t acked;

	if (get_all(c, dest, &st, false, true) != 0) {
		fprintf(stderr, "privacy-mute: %s requested but not confirmed by every enforcer\n",
				what);
		return;
	}
	acked = pm_status_acknowledged(&st);
	if (st.muted != muted)
		fprintf(stderr, "privacy-mute: %s requested but the state was changed again "
				"before it was confirmed (now %s)\n", what,
				st.muted ? "muted" : "unmuted");
	else if (st.n_enforcers == 0)
		fprintf(stderr, "privacy-mute: no enforcer is registered: "
				"is the PipeWire module loaded?\n");
	else {
		if (acked < st.n_enforcers)
			fprintf(stderr, "privacy-mute: %s requested but not confirmed by every "
					"enforcer (%u of %u acknowledged)\n", what, acked,
					st.n_enforcers);
		if (muted && st.n_unguarded > 0) {
			/* a source no enforcer guards: the mute would leak there */
			fprintf(stderr, "privacy-mute: mute not enforced: %u capture source%s "
					"no enforcer guards:", st.n_unguarded,
					st.n_unguarded == 1 ? "" : "s");
			for (uint32_t i = 0; i < st.n_unguarded; i++) {
				fputs(i ? ", " : " ", stderr);
				pm_text_print_string(stderr, st.unguarded[i].name);
				fputs(" (", stderr);
				pm_text_print_string(stderr, st.unguarded[i].media_class);
				fprintf(stderr, ", id %u)", st.unguarded[i].id);
			}
			fputc('\n', stderr);
		} else if (acked == st.n_enforcers) {
			fprintf(stderr, "privacy-mute: %s requested but confirmed by every "
					"enforcer only after the policy service stopped waiting\n",
					what);
		}
	}
	pm_status_clear(&st);
}

static int set_state(struct cli *c, const char *command)
{
	bool toggle = strcmp(command, "toggle") == 0;
	bool lock = strcmp(command, "lock") == 0 || strcmp(command, "unlock") == 0;
	dbus_bool_t muted = strcmp(command, "on") == 0, enforced = FALSE;
	dbus_bool_t locked = strcmp(command, "lock") == 0;
	DBusMessage *m, *r;
	DBusError error;
	struct owner o;
	bool ok, refused;
	int res;

	/* the service is D-Bus activatable */
	if ((res = find_owner(c, &o, true, false)) != 0 || (res = refuse_unverified(&o)) != 0) {
		owner_clear(&o);
		return res;
	}
	m = new_call(o.name, PM_POLICY_INTERFACE,
			toggle ? "Toggle" : lock ? "SetLocked" : "SetMuted");
	if (m && !toggle &&
	    !dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, lock ? &locked : &muted,
		    DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if ((r = call_refusable(c, m, false, false, &refused)) == NULL) {
		owner_clear(&o);
		return refused ? EXIT_NOT_ENFORCED : EXIT_TROUBLE;
	}
	/* a lock is a muted lock; unlocking leaves the state muted */
	if (lock)
		muted = TRUE;
	dbus_error_init(&error);
	if (toggle)
		ok = dbus_message_get_args(r, &error, DBUS_TYPE_BOOLEAN, &muted,
				DBUS_TYPE_BOOLEAN, &enforced, DBUS_TYPE_INVALID);
	else
		ok = dbus_message_get_args(r, &error, DBUS_TYPE_BOOLEAN, &enforced,
				DBUS_TYPE_INVALID);
	dbus_message_unref(r);
	if (!ok) {
		fprintf(stderr, "privacy-mute: unexpected reply from the policy service: %s\n",
				error.message);
		dbus_error_free(&error);
		owner_clear(&o);
		return EXIT_TROUBLE;
	}
	if (lock)
		printf("%s, muted (%s)\n", locked ? "locked" : "unlocked",
				enforced ? "enforced" : "not enforced");
	else
		printf("%s (%s)\n", muted ? "muted" : "unmuted",
				enforced ? "enforced" : "not enforced");
	fflush(stdout);
	if (!enforced)
		explain(c, o.name, muted);
	owner_clear(&o);
	return enforced ? 0 : EXIT_NOT_ENFORCED;
}

/* ---- status ---- */

static int status(struct cli *c)
{
	struct pm_status st = { 0 };
	struct owner o;
	int res;

	/* looking never starts the service: a running policy is what tells
	 * whether anything is enforced */
	if ((res = find_owner(c, &o, false, false)) != 0)
		goto out;
	/* an impostor's properties are not even asked for */
	if (o.verified && (res = get_all(c, o.name, &st, false, false)) != 0)
		goto out;
	if (pm_status_set_owner(&st, o.verified, o.name, o.pid, o.exe, o.why) < 0) {
		fprintf(stderr, "privacy-mute: out of memory\n");
		res = EXIT_TROUBLE;
		goto out;
	}
	if (c->json)
		pm_status_print_json(stdout, &st);
	else
		pm_status_print_text(stdout, &st);
	res = o.verified ? 0 : EXIT_NOT_ENFORCED;
out:
	pm_status_clear(&st);
	owner_clear(&o);
	return res;
}

/* ---- log ---- */

static int capture_log(struct cli *c)
{
	struct pm_capture_log log = { 0 };
	DBusMessageIter it;
	DBusMessage *r;
	struct owner o;
	int res;

	/* the log is on disk: starting the service to read it changes nothing */
	if ((res = find_owner(c, &o, true, false)) != 0 || (res = refuse_unverified(&o)) != 0) {
		owner_clear(&o);
		return res;
	}
	r = call(c, new_call(o.name, PM_POLICY_INTERFACE, "GetCaptureLog"), false, false);
	owner_clear(&o);
	if (r == NULL)
		return EXIT_TROUBLE;
	res = dbus_message_iter_init(r, &it) ? pm_status_parse_capture_log(&it, &log) : -EINVAL;
	dbus_message_unref(r);
	if (res < 0) {
		fprintf(stderr, "privacy-mute: the policy service sent a capture log "
				"this client does not understand\n");
		return EXIT_TROUBLE;
	}
	if (c->json)
		pm_capture_log_print_json(stdout, &log);
	else
		pm_capture_log_print_text(stdout, &log);
	pm_capture_log_clear(&log);
	return 0;
}

/* ---- watch ---- */

struct watch {
	struct cli *cli;
	struct pm_status st;
	char *owner;		/* unique name of the policy, NULL while gone */
	bool refresh;		/* a new owner: check it, read everything again */
	bool verified;		/* owner was checked and is the policy */
	char *last;		/* --json: the last line printed */
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
			fprintf(stderr, "privacy-mute: out of memory\n");
			exit(EXIT_TROUBLE);
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

static int watch(struct cli *c)
{
	struct watch w = { .cli = c };
	int res = EXIT_TROUBLE;

	if (!dbus_connection_add_filter(c->conn, watch_filter, &w, NULL)) {
		fprintf(stderr, "privacy-mute: out of memory\n");
		return EXIT_TROUBLE;
	}
	/* subscribe first, then read: no change falls in between */
	if (add_match(c, "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='"
				DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',arg0='"
				PM_POLICY_NAME "'") < 0 ||
	    add_match(c, "type='signal',interface='" DBUS_INTERFACE_PROPERTIES
				"',member='PropertiesChanged',path='" PM_POLICY_PATH
				"',arg0='" PM_POLICY_INTERFACE "'") < 0)
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
			if (check_owner(c, &o, false) == 0 && !o.verified) {
				snprintf(note, sizeof(note), "policy not verified: %s (pid %" PRIu32
						") is not the policy: %s; ignoring it", w.owner,
						o.pid, o.why);
				print_note(&w, note);
			} else if (o.verified) {
				w.verified = true;
				if (get_all(c, w.owner, &w.st, false, false) == 0)
					print_line(&w, &w.st);
			}
		}
		if (!dbus_connection_read_write_dispatch(c->conn, -1))
			break;
	}
	fprintf(stderr, "privacy-mute: lost the connection to the bus\n");
out:
	dbus_connection_remove_filter(c->conn, watch_filter, &w);
	pm_status_clear(&w.st);
	free(w.owner);
	free(w.last);
	return res;
}

/* ---- main ---- */

static int connect_bus(struct cli *c)
{
	DBusError error;

	dbus_error_init(&error);
	c->conn = dbus_bus_get_private(c->system ? DBUS_BUS_SYSTEM : DBUS_BUS_SESSION, &error);
	if (c->conn == NULL) {
		fprintf(stderr, "privacy-mute: cannot connect to the %s bus: %s\n",
				c->system ? "system" : "session", error.message);
		dbus_error_free(&error);
		return -1;
	}
	dbus_connection_set_exit_on_disconnect(c->conn, FALSE);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "system", no_argument, NULL, 's' },
		{ "policy-executable", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c = { .timeout_ms = DEFAULT_TIMEOUT_MS };
	const char *command, *env = getenv(EXECUTABLE_ENV);
	char *end;
	long v;
	int opt, res;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    v < 1 || v > MAX_TIMEOUT_MS)
				return bad_usage("--timeout: '%s' is not a number of "
						"milliseconds from 1 to 3600000", optarg);
			c.timeout_ms = v;
			break;
		case 's':
			c.system = true;
			break;
		case 'p':
			if (optarg[0] != '/')
				return bad_usage("--policy-executable: '%s' is not an absolute path",
						optarg);
			c.policy_executable = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("privacy-mute " PACKAGE_VERSION "\n");
			return 0;
		case ':':
			return bad_usage("option '%s' needs an argument", argv[optind - 1]);
		default:
			return bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (c.policy_executable == NULL && env != NULL && env[0] != '\0') {
		if (env[0] != '/')
			return bad_usage(EXECUTABLE_ENV "='%s' is not an absolute path", env);
		c.policy_executable = env;
	}
	if (c.policy_executable == NULL)
		c.policy_executable = PM_INSTALLED_POLICY;
	c.policy_uid = (uint32_t)geteuid();
	if ((env = getenv(UID_ENV)) != NULL && env[0] != '\0' && !pm_parse_uid(env, &c.policy_uid))
		return bad_usage(UID_ENV "='%s' is not a user id", env);
	if (optind >= argc)
		return bad_usage("a command is needed");
	command = argv[optind];
	if (optind + 1 < argc)
		return bad_usage("unexpected argument '%s'", argv[optind + 1]);
	if (strcmp(command, "on") != 0 && strcmp(command, "off") != 0 &&
	    strcmp(command, "toggle") != 0 && strcmp(command, "status") != 0 &&
	    strcmp(command, "watch") != 0 && strcmp(command, "log") != 0 &&
	    strcmp(command, "lock") != 0 && strcmp(command, "unlock") != 0)
		return bad_usage("unknown command '%s'", command);
	if (c.json && strcmp(command, "status") != 0 && strcmp(command, "watch") != 0 &&
	    strcmp(command, "log") != 0)
		return bad_usage("--json goes with status, watch and log only");

	if (connect_bus(&c) < 0)
		return EXIT_TROUBLE;
	if (strcmp(command, "status") == 0)
		res = status(&c);
	else if (strcmp(command, "watch") == 0)
		res = watch(&c);
	else if (strcmp(command, "log") == 0)
		res = capture_log(&c);
	else
		res = set_state(&c, command);

	dbus_connection_close(c.conn);
	dbus_connection_unref(c.conn);
	return res;
}
