/* privacy-mute: how loud the signal is that we are about to silence */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_LEVEL_H
#define PRIVACY_MUTE_LEVEL_H

#include <stddef.h>
#include <stdint.h>

#include <spa/pod/pod.h>

/* The sample layouts we can measure; others are not measured. */
enum pm_level_kind {
	PM_LEVEL_NONE,
	PM_LEVEL_F32,
	PM_LEVEL_F64,
	PM_LEVEL_S16,
	PM_LEVEL_S24_32,
	PM_LEVEL_S32,
	PM_LEVEL_U8,
};

struct pm_level_format {
	uint32_t kind;		/* enum pm_level_kind */
	uint32_t stride;	/* bytes per sample */
};

/* At most this many samples are read per buffer, evenly spread: enough for
 * a voice-activity decision, and a bounded cost in the data thread. */
#define PM_LEVEL_MAX_SAMPLES	256

/* The layout for a SPA audio format (native endian only) or a
 * SPA_PARAM_Format pod (raw audio or dsp float). */
void pm_level_for_audio_format(uint32_t format, struct pm_level_format *f);
void pm_level_for_format_pod(const struct spa_pod *format, struct pm_level_format *f);

/* 1.0 in the Q32 fixed point of pm_level_mean_square() */
#define PM_LEVEL_Q32_ONE	4294967296.0

/* Mean square of the samples in data, full scale = 1.0, in Q32 fixed point
 * (1.0 saturates to UINT32_MAX). 0 for no samples or an unknown layout.
 * Safe for the data thread: no allocation, no locks, no syscalls. */
uint32_t pm_level_mean_square(const struct pm_level_format *f, const void *data, size_t size);

#endif
