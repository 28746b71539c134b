/* privacy-mute: what a node is, from its properties (pure logic) */
/* SPDX-License-Identifier: MIT */

#include <string.h>
#include <strings.h>

#include <spa/utils/defs.h>
#include <spa/utils/string.h>

#include "classify.h"

static bool starts_with_nocase(const char *s, const char *prefix)
{
	return s != NULL && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

bool pm_media_class_is_capture(const char *media_class)
{
	return starts_with_nocase(media_class, "Audio/Source") ||
		starts_with_nocase(media_class, "Audio/Duplex");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* SPA factories that read a capture device or generate audio. */
static bool factory_captures(const char *f)
{
	if (spa_streq(f, "api.v4l2.source") || spa_streq(f, "api.libcamera.source"))
		return false;	/* video */
	return spa_streq(f, "audiotestsrc") ||
		(spa_strstartswith(f, "api.") && ends_with(f, ".source"));
}

/* SPA factories known to make no capture audio: sinks, drivers, video,
 * MIDI, converters. */
static bool factory_is_other(const char *f)
{
	static const char *const other[] = {
		"support.node.driver", "videotestsrc", "api.v4l2.source",
		"api.libcamera.source", "api.alsa.seq.bridge", "api.bluez5.midi.node",
		"audioconvert", "audiomixer", "control.mixer",
	};
	for (size_t i = 0; i < SPA_N_ELEMENTS(other); i++)
		if (spa_streq(f, other[i]))
			return true;
	return ends_with(f, ".sink") || ends_with(f, "-sink");
}

/* The class says the node consumes audio or carries no audio. */
static bool class_is_not_a_producer(const char *c)
{
	return starts_with_nocase(c, "Audio/Sink") || starts_with_nocase(c, "Stream/Input") ||
		starts_with_nocase(c, "Video/") || starts_with_nocase(c, "Midi/");
}

bool pm_node_captures(const char *media_class, const char *spa_factory, bool local)
{
	if (pm_media_class_is_capture(media_class))
		return true;
	if (spa_factory == NULL || spa_factory[0] == '\0')
		return false;	/* a stream: its class is all there is */
	if (factory_captures(spa_factory))
		return true;
	return local && !factory_is_other(spa_factory) && !class_is_not_a_producer(media_class);
}

bool pm_node_is_guarded(const struct pm_options *o, const char *media_class,
		const char *spa_factory, bool local)
{
	if (pm_node_captures(media_class, spa_factory, local))
		return true;
	/* a sink's only outputs are its monitor ports */
	return o->monitor_sinks && starts_with_nocase(media_class, "Audio/Sink");
}

bool pm_node_may_be_exempt(bool has_client_id, bool linger)
{
	return !has_client_id && !linger;
}

bool pm_node_is_local(const char *factory_name, bool has_factory_id, bool has_client_id)
{
	if (spa_streq(factory_name, "adapter") || spa_streq(factory_name, "spa-node-factory"))
		return true;
	/* made by a module of this process (context.objects, streams) */
	return !has_factory_id && !has_client_id;
}
