/* privacy-mute: privacy-mute-policy, the D-Bus policy service (entry point) */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

#include "bus-loop.h"
#include "cli-util.h"
#include "log.h"
#include "pm-config.h"
#include "policy-names.h"
#include "policy-service.h"
#include "state.h"

#define DEFAULT_ACK_TIMEOUT_MS	2000
#define MAX_ACK_TIMEOUT_MS	600000

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: privacy-mute-policy [OPTION]...\n"
		"The privacy-mute policy service: owns " PM_POLICY_NAME " on the bus.\n"
		"\n"
		"  --state-dir DIR     where the state is kept (default: $XDG_STATE_HOME/privacy-mute,\n"
		"                      /var/lib/privacy-mute with --system)\n"
		"  --ack-timeout MS    how long SetMuted and Toggle wait for every enforcer\n"
		"                      to acknowledge (default: %d)\n"
		"  --follow-source-mute  follow the default source's own mute: muting it\n"
		"                      with the desktop's mic-mute key or volume control\n"
		"                      mutes, unmuting it there unmutes (any client that\n"
		"                      may set that flag can then unmute; off by default)\n"
		"  --no-speech-detection  ignore the enforcers' reports of speech while\n"
		"                      muted (no notification)\n"
		"  --no-notify-speech  no desktop notification \"You are muted\" when\n"
		"                      someone speaks while muted\n"
		"  --no-notify-capture no desktop notification when an application\n"
		"                      tries to capture while muted (the log stays)\n"
		"  --system            use the system bus instead of the session bus\n"
		"  --help              show this help\n"
		"  --version           show the version\n",
		DEFAULT_ACK_TIMEOUT_MS);
}

#define bad_usage(...)	pm_bad_usage("privacy-mute-policy", NULL, __VA_ARGS__)

struct options {
	const char *state_dir;
	int ack_timeout_ms;
	bool system;
	bool follow_source_mute;
	bool no_speech_detection;
	bool no_notify_speech;
	bool no_notify_capture;
};

/* Returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option long_options[] = {
		{ "state-dir", required_argument, NULL, 'd' },
		{ "ack-timeout", required_argument, NULL, 't' },
		{ "replace", no_argument, NULL, 'r' },
		{ "follow-source-mute", no_argument, NULL, 'f' },
		{ "no-speech-detection", no_argument, NULL, 'S' },
		{ "no-notify-speech", no_argument, NULL, 'N' },
		{ "no-notify-capture", no_argument, NULL, 'C' },
		{ "system", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (optarg[0] == '\0')
				return bad_usage("--state-dir needs a directory");
			o->state_dir = optarg;
			break;
		case 't':
			if (!pm_parse_ms(optarg, MAX_ACK_TIMEOUT_MS, &o->ack_timeout_ms))
				return bad_usage("--ack-timeout: '%s' is not a number of "
						"milliseconds from 1 to 600000", optarg);
			break;
		case 'r':
			/* a name that can be taken over can be taken by anyone:
			 * an impostor would then speak for the policy */
			return bad_usage("--replace is not supported: the name " PM_POLICY_NAME
					" cannot be taken over from a running policy; "
					"stop it first");
		case 'f':
			o->follow_source_mute = true;
			break;
		case 'S':
			o->no_speech_detection = true;
			break;
		case 'N':
			o->no_notify_speech = true;
			break;
		case 'C':
			o->no_notify_capture = true;
			break;
		case 's':
			o->system = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("privacy-mute-policy " PACKAGE_VERSION "\n");
			return 0;
		case ':':
			return bad_usage("option '%s' needs an argument", argv[optind - 1]);
		default:
			return bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	return -1;
}

static int setup_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	/* SIGTERM and SIGINT are only delivered inside ppoll(), so a signal
	 * that arrives while a message is handled is not lost (no SA_RESTART:
	 * ppoll returns EINTR) */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, wait_mask) < 0)
		return -errno;
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Without DBUS_NAME_FLAG_ALLOW_REPLACEMENT: nobody can take the name while
 * the policy runs, whatever flags they ask with (the enforcers would
 * follow whoever holds it, were it not for their owner check). */
static int request_name(DBusConnection *conn)
{
	unsigned int flags = DBUS_NAME_FLAG_DO_NOT_QUEUE;
	DBusError error;
	int res;

	dbus_error_init(&error);
	res = dbus_bus_request_name(conn, PM_POLICY_NAME, flags, &error);
	if (res < 0) {
		pm_log("cannot request the name " PM_POLICY_NAME ": %s", error.message);
		dbus_error_free(&error);
		return -1;
	}
	if (res != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
		pm_log("the name " PM_POLICY_NAME " is already owned: another policy "
				"service (or something else) holds it; stop it first");
		return -1;
	}
	return 0;
}

static void load_state(const char *dir, bool system, struct pm_state *st)
{
	char why[PATH_MAX + 128];

	int res;

	switch (pm_state_load(dir, st, why, sizeof(why))) {
	case PM_STATE_UNREADABLE:
	case PM_STATE_CORRUPT:
		/* on the system bus the lock may be what the file held: keep
		 * it, root unlocks (a session has nobody who could) */
		st->locked = system;
		pm_log("%s; starting muted%s", why, system ? " and locked" : "");
		break;
	default:
		break;
	}
	/* a save cut short by a crash leaves its temporary file behind;
	 * one that cannot be removed does no harm */
	if ((res = pm_state_cleanup(dir)) > 0)
		pm_log("removed %d temporary file%s of an interrupted save from %s",
				res, res == 1 ? "" : "s", dir);
}

static int run(struct pm_bus_loop *loop, struct pm_service *s, const sigset_t *wait_mask)
{
	int timeout, res;

	for (;;) {
		bool dispatched = pm_bus_loop_dispatch(loop);

		pm_service_expire(s, pm_now_ms());
		if ((res = pm_service_exit_status(s)) >= 0)
			return res;
		if (stop_signal) {
			pm_log("stopping on signal %d", (int)stop_signal);
			return 0;
		}
		timeout = pm_service_timeout(s, pm_now_ms());
		/* out of memory while dispatching: try again soon */
		if (!dispatched && (timeout < 0 || timeout > 100))
			timeout = 100;
		res = pm_bus_loop_wait(loop, timeout, wait_mask);
		if (res < 0 && res != -EINTR) {
			pm_log("poll failed: %s", strerror(-res));
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct options o = { .ack_timeout_ms = DEFAULT_ACK_TIMEOUT_MS };
	char dir[PATH_MAX];
	struct pm_state state;
	struct pm_service_config config;
	struct pm_bus_loop *loop = NULL;
	struct pm_service *s = NULL;
	DBusConnection *conn = NULL;
	sigset_t wait_mask;
	int res, status = 1;

	if ((res = parse_options(argc, argv, &o)) >= 0)
		return res;
	if (o.state_dir == NULL) {
		if ((res = pm_state_default_dir(o.system, dir, sizeof(dir))) < 0) {
			pm_log("cannot find a state directory (%s); use --state-dir",
					res == -ENOENT ? "no home directory" : strerror(-res));
			return 1;
		}
		o.state_dir = dir;
	}
	load_state(o.state_dir, o.system, &state);

	if (setup_signals(&wait_mask) < 0) {
		pm_log("cannot set up signal handling: %s", strerror(errno));
		return 1;
	}
	/* losing the bus is reported by the service, which then exits */
	if ((conn = pm_connect_bus("privacy-mute-policy", o.system)) == NULL)
		return 1;
	if ((loop = pm_bus_loop_new(conn)) == NULL) {
		pm_log("out of memory");
		goto out;
	}
	config = (struct pm_service_config) {
		.state_dir = o.state_dir,
		.ack_timeout_ms = o.ack_timeout_ms,
		.follow_source_mute = o.follow_source_mute,
		.speech_detection = !o.no_speech_detection,
		.notify_speech = !o.no_notify_speech,
		.notify_capture = !o.no_notify_capture,
	};
	/* the object is there before the name: no call finds it missing */
	if ((s = pm_service_new(conn, &config, &state)) == NULL)
		goto out;
	if (request_name(conn) < 0)
		goto out;
	pm_log("running on the %s bus: %s%s (generation %" PRIu64 "), state in %s, "
			"ack timeout %d ms%s%s%s%s", o.system ? "system" : "session",
			state.muted || state.locked ? "muted" : "unmuted",
			state.locked ? ", locked" : "", state.generation,
			o.state_dir, o.ack_timeout_ms,
			o.follow_source_mute ? ", following the default source's mute" : "",
			o.no_speech_detection ? ", no speech detection" : "",
			o.no_notify_speech ? ", no speech notifications" : "",
			o.no_notify_capture ? ", no capture notifications" : "");

	status = run(loop, s, &wait_mask);
out:
	if (s)
		pm_service_destroy(s);
	if (dbus_connection_get_is_connected(conn)) {
		dbus_connection_flush(conn);
		dbus_connection_close(conn);
	}
	pm_bus_loop_free(loop);
	dbus_connection_unref(conn);
	return status;
}
