/* privacy-mute: how loud the signal is that we are about to silence */
/* SPDX-License-Identifier: MIT */

#include <string.h>

#include <spa/param/audio/format-utils.h>
#include <spa/param/format-utils.h>

#include "level.h"

void pm_level_for_audio_format(uint32_t format, struct pm_level_format *f)
{
	switch (format) {
	case SPA_AUDIO_FORMAT_F32:
	case SPA_AUDIO_FORMAT_F32P:
		*f = (struct pm_level_format) { PM_LEVEL_F32, 4 };
		break;
	case SPA_AUDIO_FORMAT_F64:
	case SPA_AUDIO_FORMAT_F64P:
		*f = (struct pm_level_format) { PM_LEVEL_F64, 8 };
		break;
	case SPA_AUDIO_FORMAT_S16:
	case SPA_AUDIO_FORMAT_S16P:
		*f = (struct pm_level_format) { PM_LEVEL_S16, 2 };
		break;
	case SPA_AUDIO_FORMAT_S24_32:
	case SPA_AUDIO_FORMAT_S24_32P:
		*f = (struct pm_level_format) { PM_LEVEL_S24_32, 4 };
		break;
	case SPA_AUDIO_FORMAT_S32:
	case SPA_AUDIO_FORMAT_S32P:
		*f = (struct pm_level_format) { PM_LEVEL_S32, 4 };
		break;
	case SPA_AUDIO_FORMAT_U8:
	case SPA_AUDIO_FORMAT_U8P:
		*f = (struct pm_level_format) { PM_LEVEL_U8, 1 };
		break;
	default:
		*f = (struct pm_level_format) { PM_LEVEL_NONE, 0 };
		break;
	}
}

void pm_level_for_format_pod(const struct spa_pod *format, struct pm_level_format *f)
{
	uint32_t media_type, media_subtype;
	struct spa_audio_info_raw info;

	*f = (struct pm_level_format) { PM_LEVEL_NONE, 0 };
	if (format == NULL || spa_format_parse(format, &media_type, &media_subtype) < 0 ||
	    media_type != SPA_MEDIA_TYPE_audio)
		return;
	if (media_subtype == SPA_MEDIA_SUBTYPE_dsp) {
		*f = (struct pm_level_format) { PM_LEVEL_F32, 4 };
		return;
	}
	spa_zero(info);
	if (media_subtype == SPA_MEDIA_SUBTYPE_raw &&
	    spa_format_audio_raw_parse(format, &info) >= 0)
		pm_level_for_audio_format(info.format, f);
}

static inline double sample(const struct pm_level_format *f, const uint8_t *p)
{
	union { float f; double d; int16_t s16; int32_t s32; } v;

	/* memcpy: buffers need not be aligned for the type */
	switch (f->kind) {
	case PM_LEVEL_F32:
		memcpy(&v.f, p, 4);
		return v.f;
	case PM_LEVEL_F64:
		memcpy(&v.d, p, 8);
		return v.d;
	case PM_LEVEL_S16:
		memcpy(&v.s16, p, 2);
		return v.s16 / 32768.0;
	case PM_LEVEL_S24_32:
		memcpy(&v.s32, p, 4);
		/* the low 24 bits, sign-extended */
		return (double)(int32_t)((uint32_t)v.s32 << 8) / 2147483648.0;
	case PM_LEVEL_S32:
		memcpy(&v.s32, p, 4);
		return v.s32 / 2147483648.0;
	case PM_LEVEL_U8:
		return ((int)*p - 128) / 128.0;
	default:
		return 0.0;
	}
}

uint32_t pm_level_mean_square(const struct pm_level_format *f, const void *data, size_t size)
{
	const uint8_t *d = data;
	size_t n, step, i, count = 0;
	double sum = 0.0, s, ms;

	if (f->kind == PM_LEVEL_NONE || f->stride == 0 || data == NULL)
		return 0;
	n = size / f->stride;
	if (n == 0)
		return 0;
	step = n > PM_LEVEL_MAX_SAMPLES ? n / PM_LEVEL_MAX_SAMPLES : 1;
	for (i = 0; i < n && count < PM_LEVEL_MAX_SAMPLES; i += step, count++) {
		s = sample(f, d + i * f->stride);
		/* NaN and out-of-range floats count as full scale */
		if (!(s >= -1.0 && s <= 1.0))
			s = 1.0;
		sum += s * s;
	}
	ms = sum / (double)count;
	return ms >= 1.0 ? UINT32_MAX : (uint32_t)(ms * PM_LEVEL_Q32_ONE);
}
