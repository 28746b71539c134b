/* privacy-mute: module options and node classification (pure logic) */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <spa/utils/json.h>
#include <spa/utils/string.h>

#include "options.h"

#define KEY_BUS		"policy.bus"
#define KEY_INITIAL	"initial.state"
#define KEY_MONITOR	"monitor.sinks"
#define KEY_EXEMPT	"exempt.nodes"
#define KNOWN_KEYS	KEY_BUS ", " KEY_INITIAL ", " KEY_MONITOR ", " KEY_EXEMPT

/* exempt.nodes: a SPA-JSON array of strings. Returns 0 or -EINVAL with a
 * message in err. */
static int parse_exempt(const char *v, struct pm_options *o, char *err, size_t err_size)
{
	struct spa_json it, arr;
	const char *val;
	char pattern[PM_MAX_PATTERN];
	int len;

	spa_json_init(&it, v, strlen(v));
	if (spa_json_enter_array(&it, &arr) <= 0) {
		snprintf(err, err_size, "invalid value '%s' for option '" KEY_EXEMPT
				"': expected an array of node name patterns", v);
		return -EINVAL;
	}
	while ((len = spa_json_next(&arr, &val)) > 0) {
		if (o->n_exempt >= PM_MAX_EXEMPT) {
			snprintf(err, err_size, "option '" KEY_EXEMPT "' has more than %d patterns",
					PM_MAX_EXEMPT);
			return -EINVAL;
		}
		if (spa_json_is_container(val, len) ||
		    spa_json_parse_stringn(val, len, pattern, sizeof(pattern)) <= 0 ||
		    pattern[0] == '\0') {
			snprintf(err, err_size, "invalid pattern in option '" KEY_EXEMPT
					"': expected non-empty strings shorter than %d bytes",
					PM_MAX_PATTERN);
			return -EINVAL;
		}
		memcpy(o->exempt[o->n_exempt++], pattern, sizeof(pattern));
	}
	if (len < 0) {
		snprintf(err, err_size, "invalid value '%s' for option '" KEY_EXEMPT
				"': syntax error", v);
		return -EINVAL;
	}
	return 0;
}

int pm_options_parse(const struct spa_dict *args, struct pm_options *o,
		char *err, size_t err_size)
{
	const struct spa_dict_item *it;

	memset(o, 0, sizeof(*o));
	o->bus = PM_BUS_SESSION;
	o->initial_muted = true;

	/* an empty pw_properties has items == NULL: spa_dict_for_each()
	 * would compute NULL + 0, undefined behaviour (found by fuzz-options) */
	if (args == NULL || args->n_items == 0)
		return 0;

	spa_dict_for_each(it, args) {
		const char *v = it->value ? it->value : "";

		if (spa_streq(it->key, KEY_BUS)) {
			if (spa_streq(v, "session"))
				o->bus = PM_BUS_SESSION;
			else if (spa_streq(v, "system"))
				o->bus = PM_BUS_SYSTEM;
			else
				goto invalid_bus;
		} else if (spa_streq(it->key, KEY_INITIAL)) {
			if (spa_streq(v, "muted"))
				o->initial_muted = true;
			else if (spa_streq(v, "unmuted"))
				o->initial_muted = false;
			else
				goto invalid_initial;
		} else if (spa_streq(it->key, KEY_MONITOR)) {
			if (spa_streq(v, "true"))
				o->monitor_sinks = true;
			else if (spa_streq(v, "false"))
				o->monitor_sinks = false;
			else
				goto invalid_monitor;
		} else if (spa_streq(it->key, KEY_EXEMPT)) {
			if (parse_exempt(v, o, err, err_size) < 0)
				return -EINVAL;
		} else {
			snprintf(err, err_size, "unknown option '%s' (known options: "
					KNOWN_KEYS ")", it->key);
			return -EINVAL;
		}
	}
	return 0;

invalid_bus:
	snprintf(err, err_size, "invalid value '%s' for option '" KEY_BUS
			"': expected 'session' or 'system'", it->value ? it->value : "");
	return -EINVAL;
invalid_monitor:
	snprintf(err, err_size, "invalid value '%s' for option '" KEY_MONITOR
			"': expected 'true' or 'false'", it->value ? it->value : "");
	return -EINVAL;
invalid_initial:
	snprintf(err, err_size, "invalid value '%s' for option '" KEY_INITIAL
			"': expected 'muted' or 'unmuted'", it->value ? it->value : "");
	return -EINVAL;
}

bool pm_media_class_is_capture(const char *media_class)
{
	if (media_class == NULL)
		return false;
	return spa_strstartswith(media_class, "Audio/Source") ||
		spa_strstartswith(media_class, "Audio/Duplex");
}

bool pm_media_class_is_guarded(const struct pm_options *o, const char *media_class)
{
	if (pm_media_class_is_capture(media_class))
		return true;
	/* a sink's only outputs are its monitor ports */
	return o->monitor_sinks && media_class != NULL &&
		spa_strstartswith(media_class, "Audio/Sink");
}

bool pm_options_is_exempt(const struct pm_options *o, const char *node_name)
{
	if (node_name == NULL)
		return false;
	for (uint32_t i = 0; i < o->n_exempt; i++)
		if (fnmatch(o->exempt[i], node_name, 0) == 0)
			return true;
	return false;
}

bool pm_node_is_local(const char *factory_name, bool has_factory_id, bool has_client_id)
{
	if (spa_streq(factory_name, "adapter") || spa_streq(factory_name, "spa-node-factory"))
		return true;
	/* made by a module of this process (context.objects, streams) */
	return !has_factory_id && !has_client_id;
}
