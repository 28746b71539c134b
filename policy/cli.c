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
#include "cli.h"
#include "cli-util.h"
#include "log-print.h"
#include "owner-check.h"
#include "parse-uid.h"
#include "pm-config.h"
#include "policy-core.h"
#include "policy-names.h"
#include "status.h"

#define DEFAULT_TIMEOUT_MS	5000
#define MAX_TIMEOUT_MS		3600000

#define EXECUTABLE_ENV	"PRIVACY_MUTE_POLICY_EXECUTABLE"
/* the user the policy runs as, where it is not ours (the module's policy.uid) */
#define UID_ENV		"PRIVACY_MUTE_POLICY_UID"

enum command_flags {
	COMMAND_JSON = 1 << 0,		/* takes --json */
	COMMAND_START = 1 << 1,		/* may D-Bus-activate the service */
};

/* One row per command: validation and dispatch read only this. */
struct command {
	const char *name;
	enum command_flags flags;
	int (*run)(struct cli *c);
};

/* the command's CALL_START */
static enum call_flags may_start(const struct cli *c)
{
	return (c->command->flags & COMMAND_START) ? CALL_START : 0;
}

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

#define bad_usage(...)	pm_bad_usage("privacy-mute", usage, __VA_ARGS__)

/* ---- calls ---- */

static void report_call_error(const struct cli *c, const DBusError *error,
		enum call_flags flags)
{
	if (dbus_error_has_name(error, DBUS_ERROR_SERVICE_UNKNOWN) ||
	    dbus_error_has_name(error, DBUS_ERROR_NAME_HAS_NO_OWNER))
		fprintf(stderr, "privacy-mute: the policy service is not running%s: %s\n",
				(flags & CALL_START) ? " and cannot be started" : "",
				error->message);
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
 * unless CALL_QUIET. *refused (may be NULL): the policy refused the request
 * (Locked, AccessDenied), said on stderr in its own words. */
static DBusMessage *call_refusable(struct cli *c, DBusMessage *m, enum call_flags flags,
		bool *refused)
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
	dbus_message_set_auto_start(m, (flags & CALL_START) != 0);
	r = dbus_connection_send_with_reply_and_block(c->conn, m, c->timeout_ms, &error);
	dbus_message_unref(m);
	if (r == NULL) {
		if (refused && (dbus_error_has_name(&error, PM_ERROR_LOCKED) ||
		    dbus_error_has_name(&error, PM_ERROR_ACCESS_DENIED))) {
			*refused = true;
			fprintf(stderr, "privacy-mute: %s\n", error.message);
		} else if (!(flags & CALL_QUIET)) {
			report_call_error(c, &error, flags);
		}
		dbus_error_free(&error);
	}
	return r;
}

static DBusMessage *call(struct cli *c, DBusMessage *m, enum call_flags flags)
{
	return call_refusable(c, m, flags, NULL);
}

static DBusMessage *new_call(const char *dest, const char *iface, const char *method)
{
	return dbus_message_new_method_call(dest, PM_POLICY_PATH, iface, method);
}

int cli_get_all(struct cli *c, const char *dest, struct pm_status *st,
		enum call_flags flags)
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
	if ((r = call(c, m, flags)) == NULL)
		return EXIT_TROUBLE;
	res = dbus_message_iter_init(r, &it) ? pm_status_update(st, &it) : -EINVAL;
	dbus_message_unref(r);
	if (res < 0) {
		if (!(flags & CALL_QUIET))
			fprintf(stderr, "privacy-mute: the policy service sent properties "
					"this client does not understand\n");
		return EXIT_TROUBLE;
	}
	return 0;
}

/* ---- who owns the name ---- */

/* The unique name behind the policy's name into *owner (to free), NULL
 * when nobody owns it. CALL_START: D-Bus-activate the service first.
 * Returns 0 or an exit status, said on stderr unless CALL_QUIET. */
static int get_owner_name(struct cli *c, enum call_flags flags, char **owner)
{
	const char *name = PM_POLICY_NAME, *unique;
	dbus_uint32_t start_flags = 0;
	DBusMessage *m, *r;

	*owner = NULL;
	if (flags & CALL_START) {
		m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
				DBUS_INTERFACE_DBUS, "StartServiceByName");
		if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &name,
					DBUS_TYPE_UINT32, &start_flags, DBUS_TYPE_INVALID)) {
			dbus_message_unref(m);
			m = NULL;
		}
		/* activation fails where no service file names it: then
		 * only a running policy can answer */
		if ((r = call(c, m, CALL_QUIET)) != NULL)
			dbus_message_unref(r);
	}
	m = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
			DBUS_INTERFACE_DBUS, "GetNameOwner");
	if (m && !dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if ((r = call(c, m, flags & CALL_QUIET)) == NULL)
		return EXIT_TROUBLE;
	if (!dbus_message_get_args(r, NULL, DBUS_TYPE_STRING, &unique, DBUS_TYPE_INVALID) ||
	    (*owner = strdup(unique)) == NULL) {
		dbus_message_unref(r);
		if (!(flags & CALL_QUIET))
			fprintf(stderr, "privacy-mute: unexpected reply from the bus\n");
		return EXIT_TROUBLE;
	}
	dbus_message_unref(r);
	return 0;
}

int cli_check_owner(struct cli *c, struct owner *o, enum call_flags flags)
{
	struct pm_owner_creds creds;
	DBusMessage *r;

	r = call(c, pm_owner_credentials_call(o->name), flags & CALL_QUIET);
	if (r == NULL)
		return EXIT_TROUBLE;
	if (pm_owner_parse_credentials(r, &creds) < 0) {
		dbus_message_unref(r);
		if (!(flags & CALL_QUIET))
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
static int find_owner(struct cli *c, struct owner *o, enum call_flags flags)
{
	int res;

	*o = (struct owner) { 0 };
	if ((res = get_owner_name(c, flags, &o->name)) != 0)
		return res;
	return cli_check_owner(c, o, flags);
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

	if (cli_get_all(c, dest, &st, CALL_QUIET) != 0) {
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

/* The verified policy's reply to method(arg) (arg NULL: no argument); o
 * is filled (to clear). NULL with the exit status in *res, said on
 * stderr. */
static DBusMessage *request(struct cli *c, struct owner *o, const char *method,
		const dbus_bool_t *arg, int *res)
{
	DBusMessage *m, *r;
	bool refused;

	/* the service is D-Bus activatable */
	if ((*res = find_owner(c, o, may_start(c))) != 0 || (*res = refuse_unverified(o)) != 0)
		return NULL;
	m = new_call(o->name, PM_POLICY_INTERFACE, method);
	if (m && arg && !dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, arg, DBUS_TYPE_INVALID)) {
		dbus_message_unref(m);
		m = NULL;
	}
	if ((r = call_refusable(c, m, 0, &refused)) == NULL)
		*res = refused ? EXIT_NOT_ENFORCED : EXIT_TROUBLE;
	return r;
}

/* The reply's arguments (r consumed), as dbus_message_get_args() takes
 * them. Returns 0 or EXIT_TROUBLE, said on stderr. */
static int read_reply(DBusMessage *r, int first_type, ...)
{
	DBusError error;
	va_list ap;
	bool ok;

	dbus_error_init(&error);
	va_start(ap, first_type);
	ok = dbus_message_get_args_valist(r, &error, first_type, ap);
	va_end(ap);
	dbus_message_unref(r);
	if (!ok) {
		fprintf(stderr, "privacy-mute: unexpected reply from the policy service: %s\n",
				error.message);
		dbus_error_free(&error);
		return EXIT_TROUBLE;
	}
	return 0;
}

/* After the line that says what the policy did: why it is not enforced.
 * Returns the exit status. */
static int finish(struct cli *c, const struct owner *o, bool muted, bool enforced)
{
	fflush(stdout);
	if (!enforced)
		explain(c, o->name, muted);
	return enforced ? 0 : EXIT_NOT_ENFORCED;
}

/* SetMuted or SetLocked(value); said: the state it leaves, for the line
 * that reports it; muted: whether that state is muted (a lock is a muted
 * lock; unlocking leaves the state muted) */
static int set(struct cli *c, const char *method, dbus_bool_t value, const char *said,
		bool muted)
{
	dbus_bool_t enforced = FALSE;
	DBusMessage *r;
	struct owner o;
	int res;

	if ((r = request(c, &o, method, &value, &res)) != NULL &&
	    (res = read_reply(r, DBUS_TYPE_BOOLEAN, &enforced, DBUS_TYPE_INVALID)) == 0) {
		printf("%s (%s)\n", said, enforced ? "enforced" : "not enforced");
		res = finish(c, &o, muted, enforced);
	}
	owner_clear(&o);
	return res;
}

static int cmd_on(struct cli *c)
{
	return set(c, "SetMuted", TRUE, "muted", true);
}

static int cmd_off(struct cli *c)
{
	return set(c, "SetMuted", FALSE, "unmuted", false);
}

static int cmd_toggle(struct cli *c)
{
	dbus_bool_t muted = FALSE, enforced = FALSE;
	DBusMessage *r;
	struct owner o;
	int res;

	if ((r = request(c, &o, "Toggle", NULL, &res)) != NULL &&
	    (res = read_reply(r, DBUS_TYPE_BOOLEAN, &muted, DBUS_TYPE_BOOLEAN, &enforced,
			    DBUS_TYPE_INVALID)) == 0) {
		printf("%s (%s)\n", muted ? "muted" : "unmuted",
				enforced ? "enforced" : "not enforced");
		res = finish(c, &o, muted, enforced);
	}
	owner_clear(&o);
	return res;
}

static int cmd_lock(struct cli *c)
{
	return set(c, "SetLocked", TRUE, "locked, muted", true);
}

static int cmd_unlock(struct cli *c)
{
	return set(c, "SetLocked", FALSE, "unlocked, muted", true);
}

/* ---- status ---- */

static int cmd_status(struct cli *c)
{
	struct pm_status st = { 0 };
	struct owner o;
	int res;

	if ((res = find_owner(c, &o, may_start(c))) != 0)
		goto out;
	/* an impostor's properties are not even asked for */
	if (o.verified && (res = cli_get_all(c, o.name, &st, 0)) != 0)
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

static int cmd_log(struct cli *c)
{
	struct pm_capture_log log = { 0 };
	DBusMessageIter it;
	DBusMessage *r;
	struct owner o;
	int res;

	if ((res = find_owner(c, &o, may_start(c))) != 0 || (res = refuse_unverified(&o)) != 0) {
		owner_clear(&o);
		return res;
	}
	r = call(c, new_call(o.name, PM_POLICY_INTERFACE, "GetCaptureLog"), 0);
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

/* ---- main ---- */

static const struct command commands[] = {
	{ "on", COMMAND_START, cmd_on },
	{ "off", COMMAND_START, cmd_off },
	{ "toggle", COMMAND_START, cmd_toggle },
	/* looking never starts the service: a running policy is what tells
	 * whether anything is enforced */
	{ "status", COMMAND_JSON, cmd_status },
	{ "watch", COMMAND_JSON, cli_watch },
	/* the log is on disk: starting the service to read it changes nothing */
	{ "log", COMMAND_JSON | COMMAND_START, cmd_log },
	{ "lock", COMMAND_START, cmd_lock },
	{ "unlock", COMMAND_START, cmd_unlock },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
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
	int opt, res;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 't':
			if (!pm_parse_ms(optarg, MAX_TIMEOUT_MS, &c.timeout_ms))
				return bad_usage("--timeout: '%s' is not a number of "
						"milliseconds from 1 to 3600000", optarg);
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
	if ((c.command = find_command(command)) == NULL)
		return bad_usage("unknown command '%s'", command);
	if (c.json && !(c.command->flags & COMMAND_JSON))
		return bad_usage("--json goes with status, watch and log only");

	if ((c.conn = pm_connect_bus("privacy-mute", c.system)) == NULL)
		return EXIT_TROUBLE;
	res = c.command->run(&c);

	dbus_connection_close(c.conn);
	dbus_connection_unref(c.conn);
	return res;
}
