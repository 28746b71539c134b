/* privacy-mute: one-line log messages of the policy service */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_LOG_H
#define PRIVACY_MUTE_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* One line on stderr with the service's prefix. */
static inline void __attribute__((format(printf, 1, 2))) pm_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("privacy-mute-policy: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A caller-supplied string made safe for a log line or an error message:
 * printable ASCII only (others become '?'), at most size - 1 bytes, so it
 * can neither forge log lines nor cut a UTF-8 sequence in half. */
static inline const char *pm_printable(const char *in, char *buf, size_t size)
{
	size_t i;

	if (size == 0)
		return "";
	for (i = 0; in && in[i] && i + 1 < size; i++)
		buf[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	buf[i] = '\0';
	return buf;
}

#endif /* PRIVACY_MUTE_LOG_H */
