/* privacy-mute: module options and node classification (pure logic) */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <spa/utils/string.h>

#include "options.h"

#define KEY_BUS		"policy.bus"
#define KEY_INITIAL	"initial.state"

int pm_options_parse(const struct spa_dict *args, struct pm_options *o,
		char *err, size_t err_size)
{
	const struct spa_dict_item *it;

	o->bus = PM_BUS_SESSION;
	o->initial_muted = true;

	if (args == NULL)
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
		} else {
			snprintf(err, err_size, "unknown option '%s' (known options: "
					KEY_BUS ", " KEY_INITIAL ")", it->key);
			return -EINVAL;
		}
	}
	return 0;

invalid_bus:
	snprintf(err, err_size, "invalid value '%s' for option '" KEY_BUS
			"': expected 'session' or 'system'", it->value ? it->value : "");
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

bool pm_factory_is_local(const char *factory_name)
{
	return !spa_streq(factory_name, "client-node");
}
