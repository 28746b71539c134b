/* privacy-mute: a string written as JSON, for the CLI and the capture log */
/* SPDX-License-Identifier: MIT */

#include "json-string.h"

void pm_json_write_string(FILE *f, const char *s, enum pm_json_flags flags)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
		case '\f':
			if (flags & PM_JSON_SHORT_BF) {
				fputs(c == '\b' ? "\\b" : "\\f", f);
				break;
			}
			/* fall through */
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
			break;
		}
	}
	fputc('"', f);
}
