/* privacy-mute: a string written as JSON, for the CLI and the capture log */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_JSON_STRING_H
#define PRIVACY_MUTE_JSON_STRING_H

#include <stdio.h>

enum pm_json_flags {
	/* \b and \f as two-character escapes, as the capture-log file has
	 * always had them (spa_json_encode_string wrote it); without, they
	 * are \u0008 and \u000c, as the CLI has always printed them */
	PM_JSON_SHORT_BF = 1 << 0,
};

/* s (NULL: "") as a JSON string, quotes included: '"', '\\' and the
 * control characters escaped, every other byte as it is (D-Bus strings
 * are valid UTF-8). */
void pm_json_write_string(FILE *f, const char *s, enum pm_json_flags flags);

/* as the CLI prints it */
static inline void pm_json_print_string(FILE *f, const char *s)
{
	pm_json_write_string(f, s, 0);
}

#endif /* PRIVACY_MUTE_JSON_STRING_H */
