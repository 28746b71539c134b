/* privacy-mute: module options and node classification (pure logic) */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <spa/utils/json.h>
#include <spa/utils/string.h>

#include "options.h"
#include "parse-uid.h"
#include "pm-config.h"

#define KEY_BUS		"policy.bus"
#define KEY_INITIAL	"initial.state"
#define KEY_MONITOR	"monitor.sinks"
#define KEY_EXEMPT	"exempt.nodes"
#define KEY_EXE		"policy.executable"
#define KEY_UID		"policy.uid"
#define KNOWN_KEYS	KEY_BUS ", " KEY_EXE ", " KEY_UID ", " KEY_INITIAL ", " KEY_MONITOR ", " KEY_EXEMPT

/* The longest raw SPA-JSON token that can hold a pattern: "\u0001" is six
 * bytes for one, plus the quotes. */
#define RAW_PATTERN_MAX	(PM_MAX_PATTERN * 6 + 2)

/* The string token val escapes a NUL character (\u0000), which would cut
 * the pattern short: a different, narrower pattern than the one written. */
static bool escapes_nul(const char *val, int len)
{
	for (int i = 0; i + 1 < len; i++) {
		if (val[i] != '\\')
			continue;
		if (val[i + 1] == 'u' && i + 5 < len && strncmp(val + i + 2, "0000", 4) == 0)
			return true;
		i++;	/* skip the escaped character */
	}
	return false;
}

/* exempt.nodes: a SPA-JSON array of strings. Returns 0 or -EINVAL with a
 * message in err. */
static int parse_exempt(const char *v, struct pm_options *o, char *err, size_t err_size)
{
	struct spa_json it, arr;
	const char *val;
	char pattern[RAW_PATTERN_MAX + 1];
	int len, n = 0;

	spa_json_init(&it, v, strlen(v));
	if (spa_json_enter_array(&it, &arr) <= 0) {
		snprintf(err, err_size, "invalid value '%s' for option '" KEY_EXEMPT
				"': expected an array of node name patterns", v);
		return -EINVAL;
	}
	while ((len = spa_json_next(&arr, &val)) > 0) {
		n++;
		if (o->n_exempt >= PM_MAX_EXEMPT) {
			snprintf(err, err_size, "option '" KEY_EXEMPT "' has more than %d patterns",
					PM_MAX_EXEMPT);
			return -EINVAL;
		}
		if (spa_json_is_container(val, len) || spa_json_is_null(val, len)) {
			snprintf(err, err_size, "invalid element %d of option '" KEY_EXEMPT
					"': expected a node name pattern (a string)", n);
			return -EINVAL;
		}
		/* the limit is on the pattern, not on how it is quoted */
		if (len > RAW_PATTERN_MAX ||
		    spa_json_parse_stringn(val, len, pattern, sizeof(pattern)) <= 0 ||
		    strlen(pattern) >= PM_MAX_PATTERN) {
			snprintf(err, err_size, "pattern %d of option '" KEY_EXEMPT
					"' is too long: at most %d bytes", n, PM_MAX_PATTERN - 1);
			return -EINVAL;
		}
		if (pattern[0] == '\0' || escapes_nul(val, len)) {
			snprintf(err, err_size, "pattern %d of option '" KEY_EXEMPT "' is %s", n,
					pattern[0] == '\0' ? "empty" : "cut short by a NUL character");
			return -EINVAL;
		}
		memcpy(o->exempt[o->n_exempt++], pattern, strlen(pattern) + 1);
	}
	/* a syntax error in the array, or anything after it */
	if (len < 0 || spa_json_next(&it, &val) != 0) {
		snprintf(err, err_size, "invalid value '%s' for option '" KEY_EXEMPT
				"': syntax error", v);
		return -EINVAL;
	}
	return 0;
}

/* policy.executable: an absolute path, as /proc/PID/exe shows one */
static int parse_executable(const char *v, struct pm_options *o, char *err, size_t err_size)
{
	if (v[0] != '/') {
		snprintf(err, err_size, "invalid value '%s' for option '" KEY_EXE
				"': expected the absolute path of the policy's executable", v);
		return -EINVAL;
	}
	if (strlen(v) >= sizeof(o->policy_executable)) {
		snprintf(err, err_size, "the value of option '" KEY_EXE "' is too long: "
				"at most %d bytes", PM_MAX_EXECUTABLE - 1);
		return -EINVAL;
	}
	memcpy(o->policy_executable, v, strlen(v) + 1);
	return 0;
}

/* policy.uid: a user id, as the bus reports one */
static int parse_uid(const char *v, struct pm_options *o, char *err, size_t err_size)
{
	uint32_t uid;

	if (!pm_parse_uid(v, &uid)) {
		snprintf(err, err_size, "invalid value '%s' for option '" KEY_UID
				"': expected a user id (0 to %u)", v, UINT32_MAX - 1);
		return -EINVAL;
	}
	o->policy_uid = uid;
	return 0;
}

int pm_options_parse(const struct spa_dict *args, struct pm_options *o,
		char *err, size_t err_size)
{
	const struct spa_dict_item *it;

	memset(o, 0, sizeof(*o));
	o->bus = PM_BUS_SESSION;
	o->initial_muted = true;
	o->policy_uid = -1;
	_Static_assert(sizeof(PM_INSTALLED_POLICY) <= PM_MAX_EXECUTABLE, "install path too long");
	memcpy(o->policy_executable, PM_INSTALLED_POLICY, sizeof(PM_INSTALLED_POLICY));

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
		} else if (spa_streq(it->key, KEY_EXE)) {
			if (parse_executable(v, o, err, err_size) < 0)
				return -EINVAL;
		} else if (spa_streq(it->key, KEY_UID)) {
			if (parse_uid(v, o, err, err_size) < 0)
				return -EINVAL;
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

bool pm_options_is_exempt(const struct pm_options *o, const char *node_name)
{
	if (node_name == NULL)
		return false;
	for (uint32_t i = 0; i < o->n_exempt; i++)
		if (fnmatch(o->exempt[i], node_name, 0) == 0)
			return true;
	return false;
}
