/* privacy-mute: a small poll loop for one libdbus connection */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "bus-loop.h"

/* libdbus uses two watches (read, write) per connection and a timeout per
 * pending call; the service bounds its own calls (notifications, caller
 * checks) well below MAX_TIMERS. */
#define MAX_WATCHES	16
#define MAX_TIMERS	64

struct timer {
	DBusTimeout *timeout;
	int64_t deadline;
};

struct pm_bus_loop {
	DBusConnection *conn;
	DBusWatch *watches[MAX_WATCHES];
	uint32_t n_watches;
	struct timer timers[MAX_TIMERS];
	uint32_t n_timers;
	/* bumped whenever the sets change, so that handling an event that
	 * removes a watch or timer does not touch freed ones */
	uint32_t serial;
};

int64_t pm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static dbus_bool_t add_watch(DBusWatch *watch, void *data)
{
	struct pm_bus_loop *l = data;

	if (l->n_watches >= MAX_WATCHES)
		return FALSE;
	l->watches[l->n_watches++] = watch;
	l->serial++;
	return TRUE;
}

static void remove_watch(DBusWatch *watch, void *data)
{
	struct pm_bus_loop *l = data;

	for (uint32_t i = 0; i < l->n_watches; i++) {
		if (l->watches[i] != watch)
			continue;
		l->watches[i] = l->watches[--l->n_watches];
		l->serial++;
		return;
	}
}

static void toggle_watch(DBusWatch *watch, void *data)
{
	/* nothing to do: the poll set is built from dbus_watch_get_enabled()
	 * on every wait */
}

static void arm(struct timer *t)
{
	t->deadline = pm_now_ms() + dbus_timeout_get_interval(t->timeout);
}

static dbus_bool_t add_timeout(DBusTimeout *timeout, void *data)
{
	struct pm_bus_loop *l = data;

	if (l->n_timers >= MAX_TIMERS)
		return FALSE;
	l->timers[l->n_timers].timeout = timeout;
	arm(&l->timers[l->n_timers++]);
	l->serial++;
	return TRUE;
}

static void remove_timeout(DBusTimeout *timeout, void *data)
{
	struct pm_bus_loop *l = data;

	for (uint32_t i = 0; i < l->n_timers; i++) {
		if (l->timers[i].timeout != timeout)
			continue;
		l->timers[i] = l->timers[--l->n_timers];
		l->serial++;
		return;
	}
}

static void toggle_timeout(DBusTimeout *timeout, void *data)
{
	struct pm_bus_loop *l = data;

	/* an enabled timeout starts its interval again */
	for (uint32_t i = 0; i < l->n_timers; i++)
		if (l->timers[i].timeout == timeout)
			arm(&l->timers[i]);
}

struct pm_bus_loop *pm_bus_loop_new(DBusConnection *conn)
{
	struct pm_bus_loop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->conn = conn;
	if (!dbus_connection_set_watch_functions(conn, add_watch, remove_watch,
				toggle_watch, l, NULL) ||
	    !dbus_connection_set_timeout_functions(conn, add_timeout, remove_timeout,
				toggle_timeout, l, NULL)) {
		pm_bus_loop_free(l);
		return NULL;
	}
	return l;
}

void pm_bus_loop_free(struct pm_bus_loop *l)
{
	if (l == NULL)
		return;
	dbus_connection_set_watch_functions(l->conn, NULL, NULL, NULL, NULL, NULL);
	dbus_connection_set_timeout_functions(l->conn, NULL, NULL, NULL, NULL, NULL);
	free(l);
}

bool pm_bus_loop_dispatch(struct pm_bus_loop *l)
{
	DBusDispatchStatus status;

	while ((status = dbus_connection_dispatch(l->conn)) == DBUS_DISPATCH_DATA_REMAINS)
		;
	return status != DBUS_DISPATCH_NEED_MEMORY;
}

static int64_t next_timer(struct pm_bus_loop *l, int64_t now, int timeout_ms)
{
	int64_t wait = timeout_ms;

	for (uint32_t i = 0; i < l->n_timers; i++) {
		int64_t left;

		if (!dbus_timeout_get_enabled(l->timers[i].timeout))
			continue;
		left = l->timers[i].deadline - now;
		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

static unsigned int watch_flags(short revents)
{
	unsigned int flags = 0;

	if (revents & POLLIN)
		flags |= DBUS_WATCH_READABLE;
	if (revents & POLLOUT)
		flags |= DBUS_WATCH_WRITABLE;
	if (revents & POLLERR)
		flags |= DBUS_WATCH_ERROR;
	if (revents & POLLHUP)
		flags |= DBUS_WATCH_HANGUP;
	return flags;
}

int pm_bus_loop_wait(struct pm_bus_loop *l, int timeout_ms, const sigset_t *sigmask)
{
	struct pollfd fds[MAX_WATCHES];
	DBusWatch *watches[MAX_WATCHES];
	struct timespec ts;
	uint32_t n = 0, serial;
	int64_t now = pm_now_ms(), wait;
	int res;

	for (uint32_t i = 0; i < l->n_watches; i++) {
		DBusWatch *w = l->watches[i];
		unsigned int flags = dbus_watch_get_flags(w);

		if (!dbus_watch_get_enabled(w))
			continue;
		fds[n] = (struct pollfd) {
			.fd = dbus_watch_get_unix_fd(w),
			.events = ((flags & DBUS_WATCH_READABLE) ? POLLIN : 0) |
				((flags & DBUS_WATCH_WRITABLE) ? POLLOUT : 0),
		};
		watches[n++] = w;
	}
	wait = next_timer(l, now, timeout_ms);
	if (wait >= 0) {
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000;
	}
	res = ppoll(fds, n, wait >= 0 ? &ts : NULL, sigmask);
	if (res < 0)
		return -errno;

	serial = l->serial;
	for (uint32_t i = 0; i < n && l->serial == serial; i++)
		if (fds[i].revents)
			dbus_watch_handle(watches[i], watch_flags(fds[i].revents));

	now = pm_now_ms();
	for (uint32_t i = 0; i < l->n_timers && l->serial == serial; i++) {
		struct timer *t = &l->timers[i];

		if (!dbus_timeout_get_enabled(t->timeout) || t->deadline > now)
			continue;
		/* libdbus timeouts repeat until removed or disabled */
		arm(t);
		dbus_timeout_handle(t->timeout);
	}
	return 0;
}
