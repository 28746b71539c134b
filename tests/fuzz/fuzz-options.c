/* privacy-mute fuzzing: the module options parser */
/* SPDX-License-Identifier: MIT */

/*
 * Any bytes as the module's args string, read as the module does
 * (pw_properties_new_string_checked, SPA-JSON) and given to
 * pm_options_parse(). Refusals name something in err; accepted options
 * hold only what the parser promises (bounded, non-empty patterns), and
 * the classification helpers run on names taken from the input.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>

#include "classify.h"
#include "options.h"

#define ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pw_init(NULL, NULL);
	/* parse errors are expected; keep the fuzzer's output readable */
	pw_log_set_level(SPA_LOG_LEVEL_NONE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spa_error_location loc = { 0 };
	struct pw_properties *props;
	struct pm_options opts;
	char err[256], *args;
	const char *name;
	int res;

	if ((args = malloc(size + 1)) == NULL)
		return 0;
	memcpy(args, data, size);
	args[size] = '\0';

	props = pw_properties_new_string_checked(args, strlen(args), &loc);
	err[0] = '\0';
	res = pm_options_parse(props ? &props->dict : NULL, &opts, err, sizeof(err));
	if (res < 0) {
		ASSERT(res == -EINVAL && err[0] != '\0' && memchr(err, '\0', sizeof(err)));
	} else {
		ASSERT(res == 0);
		ASSERT(opts.bus == PM_BUS_SESSION || opts.bus == PM_BUS_SYSTEM);
		ASSERT(opts.n_exempt <= PM_MAX_EXEMPT);
		for (uint32_t i = 0; i < opts.n_exempt; i++) {
			size_t l = strnlen(opts.exempt[i], PM_MAX_PATTERN);

			ASSERT(l > 0 && l < PM_MAX_PATTERN);
		}
		/* every value of the input as a node name and a media class */
		if (props && props->dict.n_items > 0) {
			const struct spa_dict_item *it;

			spa_dict_for_each(it, &props->dict) {
				name = it->value ? it->value : "";
				pm_options_is_exempt(&opts, name);
				pm_options_is_exempt(&opts, it->key);
				pm_node_is_guarded(&opts, name, it->key, true);
				pm_node_is_guarded(&opts, it->key, name, false);
			}
		}
		pm_options_is_exempt(&opts, args);
	}
	pw_properties_free(props);
	free(args);
	return 0;
}
