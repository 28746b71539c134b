/* privacy-mute: digital silence in a negotiated audio format */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_SILENCE_H
#define PRIVACY_MUTE_SILENCE_H

#include <stddef.h>
#include <stdint.h>

#include <spa/pod/pod.h>

/* Silence is one repeated sample pattern: all zero for signed integer and
 * float formats, the mid-scale value for unsigned ones (0x80 for U8). */
struct pm_silence {
	uint8_t pattern[8];	/* one sample, in memory order */
	uint32_t stride;	/* bytes per sample */
	uint32_t zero;		/* pattern is all zero: a plain memset */
};

#define PM_SILENCE_ZERO ((struct pm_silence) { .stride = 1, .zero = 1 })

/* Silence for a SPA audio sample format (enum spa_audio_format).
 * Unknown and encoded formats get zeros. */
void pm_silence_for_audio_format(uint32_t format, struct pm_silence *s);

/* Silence for a SPA_PARAM_Format pod (raw or DSD audio). Returns 0, or a
 * negative errno when the pod is not an audio format (s is then zero). */
int pm_silence_for_format_pod(const struct spa_pod *format, struct pm_silence *s);

/* Fill size bytes at dst with silence. dst must start on a sample
 * boundary; a trailing partial sample gets the pattern's leading bytes.
 * Safe for the data thread: no allocation, no locks, no syscalls. */
void pm_silence_fill(const struct pm_silence *s, void *dst, size_t size);

#endif
