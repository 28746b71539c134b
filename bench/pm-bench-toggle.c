/* privacy-mute benchmark tool: timed SetMuted calls */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-bench-toggle --count N --period-ms P [--jitter-ms J] [--gap-ms G]
 *                   [--timeout-ms T] > calls.txt
 *
 * Calls org.privacymute.Policy1.SetMuted on the session bus N times,
 * alternating true and false (first true; the state is set to false, not
 * timed, before the first call). Call i is sent at
 * max(start + i * P, previous reply + G) plus a random 0..J ms, so calls do
 * not lock to the graph's cycle. SetMuted replies once every enforcer
 * acknowledged the state (or after the policy's ack timeout, then with
 * enforced = false). One line per call:
 *
 *   <index> <muted 0|1> <call ns> <reply ns> <enforced 0|1>
 *
 * times in CLOCK_MONOTONIC, the clock of the graph's cycle times.
 */

#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <dbus/dbus.h>

#define NAME	"org.privacymute.Policy1"
#define PATH	"/org/privacymute/Policy1"

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000, .tv_nsec = t % 1000000000 };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
		;
}

/* returns 1 enforced, 0 not enforced, -1 error */
static int set_muted(DBusConnection *conn, bool muted, int timeout_ms)
{
	DBusMessage *m, *r;
	DBusError error;
	dbus_bool_t arg = muted, enforced = FALSE;

	dbus_error_init(&error);
	m = dbus_message_new_method_call(NAME, PATH, NAME, "SetMuted");
	dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, &arg, DBUS_TYPE_INVALID);
	r = dbus_connection_send_with_reply_and_block(conn, m, timeout_ms, &error);
	dbus_message_unref(m);
	if (r == NULL) {
		fprintf(stderr, "pm-bench-toggle: SetMuted: %s\n", error.message);
		dbus_error_free(&error);
		return -1;
	}
	if (!dbus_message_get_args(r, &error, DBUS_TYPE_BOOLEAN, &enforced, DBUS_TYPE_INVALID)) {
		fprintf(stderr, "pm-bench-toggle: bad reply: %s\n", error.message);
		dbus_error_free(&error);
		enforced = FALSE;
	}
	dbus_message_unref(r);
	return enforced ? 1 : 0;
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "period-ms", required_argument, NULL, 'p' },
		{ "jitter-ms", required_argument, NULL, 'j' },
		{ "gap-ms", required_argument, NULL, 'g' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int count = 10, timeout_ms = 10000, c, i, errors = 0;
	double period_ms = 100, jitter_ms = 0, gap_ms = 0;
	DBusConnection *conn;
	DBusError error;
	int64_t start, prev_reply = 0, t, call, reply;

	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 'n': count = atoi(optarg); break;
		case 'p': period_ms = atof(optarg); break;
		case 'j': jitter_ms = atof(optarg); break;
		case 'g': gap_ms = atof(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pm-bench-toggle --count N --period-ms P "
					"[--jitter-ms J] [--gap-ms G] [--timeout-ms T]\n");
			return 2;
		}
	}

	dbus_error_init(&error);
	conn = dbus_bus_get_private(DBUS_BUS_SESSION, &error);
	if (conn == NULL) {
		fprintf(stderr, "pm-bench-toggle: no session bus: %s\n", error.message);
		return 2;
	}
	dbus_connection_set_exit_on_disconnect(conn, FALSE);
	if (set_muted(conn, false, timeout_ms) < 0)
		return 2;
	srand48((long)now_ns());

	start = now_ns() + 50000000;
	for (i = 0; i < count; i++) {
		bool muted = (i % 2) == 0;
		int res;

		t = start + (int64_t)(i * period_ms * 1e6);
		if (prev_reply + (int64_t)(gap_ms * 1e6) > t)
			t = prev_reply + (int64_t)(gap_ms * 1e6);
		t += (int64_t)(drand48() * jitter_ms * 1e6);
		sleep_until(t);
		call = now_ns();
		res = set_muted(conn, muted, timeout_ms);
		reply = now_ns();
		if (res < 0)
			errors++;
		printf("%d %d %" PRIi64 " %" PRIi64 " %d\n", i, muted, call, reply, res > 0);
		prev_reply = reply;
	}
	fflush(stdout);
	dbus_connection_close(conn);
	dbus_connection_unref(conn);
	return errors ? 1 : 0;
}
