/* privacy-mute fuzzing: the state file parser */
/* SPDX-License-Identifier: MIT */

/*
 * Any bytes as the content of the state file: pm_state_parse() must accept
 * or refuse with a reason, never read out of bounds; an accepted state must
 * survive pm_state_format() and a second parse unchanged.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

#define ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_state st = { .muted = true, .generation = 77 }, again;
	const char *why = NULL;
	char buf[128], *copy;
	int len;

	/* an exact-size copy, so ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	ASSERT(copy != NULL);
	memcpy(copy, data, size);

	if (pm_state_parse(copy, size, &st, &why) < 0) {
		ASSERT(why != NULL && why[0] != '\0');
		/* st is only written on success */
		ASSERT(st.muted && st.generation == 77);
	} else {
		ASSERT(size <= PM_STATE_MAX_SIZE);
		len = pm_state_format(&st, buf, sizeof(buf));
		ASSERT(len > 0 && (size_t)len < sizeof(buf));
		why = NULL;
		ASSERT(pm_state_parse(buf, len, &again, &why) == 0);
		ASSERT(again.muted == st.muted && again.generation == st.generation &&
				again.locked == st.locked);
		/* a lock is a muted lock */
		ASSERT(!st.locked || st.muted);
	}
	free(copy);
	return 0;
}
