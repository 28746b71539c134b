/* privacy-mute: a small poll loop for one libdbus connection */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_BUS_LOOP_H
#define PRIVACY_MUTE_BUS_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <dbus/dbus.h>

struct pm_bus_loop;

/* CLOCK_MONOTONIC in milliseconds. */
int64_t pm_now_ms(void);

/* Takes over the watch and timeout functions of conn. NULL when out of memory. */
struct pm_bus_loop *pm_bus_loop_new(DBusConnection *conn);
void pm_bus_loop_free(struct pm_bus_loop *loop);

/* Dispatch every queued message. false when libdbus ran out of memory and
 * wants to be called again soon. */
bool pm_bus_loop_dispatch(struct pm_bus_loop *loop);

/* Wait for bus I/O or a libdbus timeout, at most timeout_ms (-1: no limit),
 * with sigmask in effect while waiting (ppoll), and handle what came. Only
 * reads and writes; call pm_bus_loop_dispatch() for the messages. Returns 0
 * or -errno (-EINTR: a signal arrived). */
int pm_bus_loop_wait(struct pm_bus_loop *loop, int timeout_ms, const sigset_t *sigmask);

#endif /* PRIVACY_MUTE_BUS_LOOP_H */
