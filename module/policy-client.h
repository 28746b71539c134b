/* privacy-mute: the enforcer's side of the policy D-Bus contract */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_POLICY_CLIENT_H
#define PRIVACY_MUTE_POLICY_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/context.h>

#include "policy-names.h"

enum pm_bus {
	PM_BUS_SESSION,
	PM_BUS_SYSTEM,
};

struct pm_policy_client;

struct pm_policy_client_events {
	/* The policy said the state is muted, at this generation. Acknowledge
	 * with pm_policy_client_ack() once it is applied. */
	void (*state) (void *data, bool muted, uint64_t generation);
};

/* Follow the policy on the given bus, once the owner of its name is
 * checked: our uid (root on the system bus), and on the session bus the
 * executable policy_executable. Runs on the context's main loop; no call
 * ever blocks it on the policy (every method call is a pending call).
 * Never fails because the bus or the policy is missing: it retries. */
struct pm_policy_client *pm_policy_client_new(struct pw_context *context, enum pm_bus bus,
		const char *policy_executable, uint32_t policy_uid,
		const struct pm_policy_client_events *events, void *data);

void pm_policy_client_destroy(struct pm_policy_client *client);

void pm_policy_client_ack(struct pm_policy_client *client, uint64_t generation,
		bool muted, uint32_t sources);

/* Number of guarded sources, reported at registration. */
void pm_policy_client_set_sources(struct pm_policy_client *client, uint32_t sources);

/* One capture source as this enforcer sees it. id: its global id in the
 * daemon, 0 when not known here. */
struct pm_source_report {
	uint32_t id;
	const char *name;
	const char *media_class;
	bool guarded;
	bool exempt;	/* it runs here and exempt.nodes leaves it alone */
};

/* The user muted or unmuted the default source through its own control
 * (what the desktop's mic-mute key does); the policy may follow it. */
void pm_policy_client_source_mute(struct pm_policy_client *client, const char *source,
		bool muted);

/* Speech into a muted microphone (the enforcer rate-limits). */
void pm_policy_client_speech(struct pm_policy_client *client, const char *source);

/* A capture link of source while muted, and its end (id: the link's). */
void pm_policy_client_capture_started(struct pm_policy_client *client, uint32_t id,
		const char *source, const char *application, uint32_t pid, const char *binary);
void pm_policy_client_capture_stopped(struct pm_policy_client *client, uint32_t id);

/* Tell the policy which sources this enforcer sees and guards (it lists
 * the ones no enforcer guards). Dropped when not registered: the caller
 * reports again after each state event. */
void pm_policy_client_report_sources(struct pm_policy_client *client,
		const struct pm_source_report *sources, uint32_t n_sources);

#endif
