/* privacy-mute: the module instance, shared by its files */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_MODULE_IMPL_H
#define PRIVACY_MUTE_MODULE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/list.h>

#include <pipewire/impl.h>

#include "node-guard.h"
#include "options.h"
#include "own-nodes.h"
#include "vad.h"

struct guarded_node {
	struct spa_list link;
	struct impl *impl;
	struct pm_guard *guard;
	/* it had buffers before we guarded it: we cannot silence them, so
	 * the mute is not acknowledged until the node renegotiates (it is
	 * suspended, then linked again through us) */
	bool old_buffers;
	struct spa_hook node_listener;
	/* speech while muted, decided on the main loop */
	struct pm_vad vad;
	uint64_t last_speech;	/* CLOCK_MONOTONIC ns of the last report, 0 none */
};

struct impl {
	struct pw_context *context;
	struct spa_hook module_listener;
	struct spa_hook context_listener;

	struct pm_options options;
	struct pm_mute mute;

	struct spa_list guarded;
	uint32_t n_guarded;
	uint32_t n_old_buffers;

	struct pm_export_hook *export_hook;
	struct pm_suspender *suspender;
	/* outside the daemon: the capture nodes we exported, as it lists them */
	struct pm_own_nodes *own_nodes;
	uint32_t n_stray;
	/* in the daemon: the default source's own mute, for the policy */
	struct pm_source_mute *source_mute;
	/* in the daemon: the links of capture sources, for the capture log */
	struct pm_capture_links *captures;
	struct spa_source *speech_timer;
	struct pm_policy_client *policy;
	/* in the daemon we see every source of the graph, hosted here or not */
	bool daemon;
	struct spa_source *report_timer;
	uint64_t generation;	/* of the state applied, 0 before the policy spoke */
};

/* module-privacy-mute.c: tell the policy how many sources we guard, once
 * it knows us (the acknowledgement of the state in force carries the
 * count), and schedule a report */
void pm_impl_report_sources(struct impl *impl);
/* module-privacy-mute.c: acknowledge the state in force, unless a source
 * would leak through the mute */
void pm_impl_acknowledge(struct impl *impl);

/* guarded-nodes.c */
void pm_impl_watch_nodes(struct impl *impl);
void pm_impl_unwatch_nodes(struct impl *impl);
void pm_impl_node_exported(void *data, struct pw_impl_node *node);
struct guarded_node *pm_impl_find_guarded(struct impl *impl, struct pw_impl_node *node);
bool pm_impl_node_is_local(struct impl *impl, const struct pw_properties *props);
bool pm_impl_node_is_exempt(struct impl *impl, const struct pw_properties *props);
uint32_t pm_impl_count_stray(struct impl *impl);
uint32_t pm_impl_daemon_id(struct impl *impl, struct pw_impl_node *node);
extern const struct pm_own_nodes_events pm_impl_own_nodes_events;

/* source-report.c: the report timer's callback, and arming it */
void pm_impl_send_report(void *data, uint64_t expirations);
void pm_impl_schedule_report(struct impl *impl);

#endif
