/* privacy-mute: the mute flag of the default source, as the desktop sets it */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_SOURCE_MUTE_H
#define PRIVACY_MUTE_SOURCE_MUTE_H

#include <stdbool.h>

#include <pipewire/context.h>

/*
 * The desktop's mic-mute key (GNOME, KDE and others, through PulseAudio)
 * sets the mute of the default source: its Props. The daemon's enforcer
 * follows the default source (WirePlumber's "default" metadata) and its
 * Props mute, and reports each change made to them, so that the policy can
 * follow the key if the user asked it to. Only changes are reported: the
 * value found at start, or on a new default source, is not.
 */
struct pm_source_mute;

struct pm_source_mute_events {
	void (*changed)(void *data, const char *source, bool muted);
};

struct pm_source_mute *pm_source_mute_new(struct pw_context *context,
		const struct pm_source_mute_events *events, void *data);
void pm_source_mute_destroy(struct pm_source_mute *w);

#endif
