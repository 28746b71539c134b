/* privacy-mute: the org.privacymute.Policy1 object on the bus */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_POLICY_SERVICE_H
#define PRIVACY_MUTE_POLICY_SERVICE_H

#include <stdint.h>

#include <dbus/dbus.h>

#include "state.h"

struct pm_service_config {
	const char *state_dir;
	int ack_timeout_ms;	/* bounded wait of SetMuted and Toggle */
	bool follow_source_mute;	/* SourceMuteChanged sets the state */
	bool speech_detection;	/* act on SpeechWhileMuted */
	bool notify_speech;	/* desktop notification "You are muted" */
	bool notify_capture;	/* desktop notification on CaptureStarted */
};

struct pm_service;

/* Export the object on conn, starting from state (as loaded), and load
 * the capture log from the state directory. Does not own
 * the well-known name: the caller requests it once this returns. NULL on
 * error, with a line already written to stderr. */
struct pm_service *pm_service_new(DBusConnection *conn,
		const struct pm_service_config *config, const struct pm_state *state);

/* Answers every waiting call with enforced = false and unexports. */
void pm_service_destroy(struct pm_service *s);

/* Answer the waiting calls whose ack timeout passed at now, and save the
 * capture log when its time has come. */
void pm_service_expire(struct pm_service *s, int64_t now);

/* Milliseconds from now to the next ack timeout or log save, -1 for none. */
int pm_service_timeout(struct pm_service *s, int64_t now);

/* -1 while running; the exit status once the service must stop (the bus
 * connection or the name was lost). */
int pm_service_exit_status(struct pm_service *s);

#endif /* PRIVACY_MUTE_POLICY_SERVICE_H */
