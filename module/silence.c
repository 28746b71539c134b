/* privacy-mute: digital silence in a negotiated audio format */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <string.h>

#include <spa/param/format-utils.h>
#include <spa/param/audio/format-utils.h>

#include "silence.h"

static void set_unsigned(struct pm_silence *s, uint32_t stride, uint32_t mid, int big_endian)
{
	uint32_t i;

	s->stride = stride;
	s->zero = 0;
	memset(s->pattern, 0, sizeof(s->pattern));
	for (i = 0; i < stride; i++) {
		uint32_t shift = big_endian ? 8 * (stride - 1 - i) : 8 * i;
		s->pattern[i] = (uint8_t)((mid >> shift) & 0xff);
	}
}


void pm_silence_for_audio_format(uint32_t format, struct pm_silence *s)
{
	*s = PM_SILENCE_ZERO;

	switch (format) {
	case SPA_AUDIO_FORMAT_U8:
	case SPA_AUDIO_FORMAT_U8P:
		set_unsigned(s, 1, 0x80, 0);
		break;
	case SPA_AUDIO_FORMAT_U16_LE:
		set_unsigned(s, 2, 0x8000, 0);
		break;
	case SPA_AUDIO_FORMAT_U16_BE:
		set_unsigned(s, 2, 0x8000, 1);
		break;
	case SPA_AUDIO_FORMAT_U24_LE:
		set_unsigned(s, 3, 0x800000, 0);
		break;
	case SPA_AUDIO_FORMAT_U24_BE:
		set_unsigned(s, 3, 0x800000, 1);
		break;
	/* 18, 20 and 24 bit samples in 32 bit containers, value in the low bits */
	case SPA_AUDIO_FORMAT_U24_32_LE:
		set_unsigned(s, 4, 0x800000, 0);
		break;
	case SPA_AUDIO_FORMAT_U24_32_BE:
		set_unsigned(s, 4, 0x800000, 1);
		break;
	case SPA_AUDIO_FORMAT_U20_LE:
		set_unsigned(s, 4, 0x80000, 0);
		break;
	case SPA_AUDIO_FORMAT_U20_BE:
		set_unsigned(s, 4, 0x80000, 1);
		break;
	case SPA_AUDIO_FORMAT_U18_LE:
		set_unsigned(s, 4, 0x20000, 0);
		break;
	case SPA_AUDIO_FORMAT_U18_BE:
		set_unsigned(s, 4, 0x20000, 1);
		break;
	case SPA_AUDIO_FORMAT_U32_LE:
		set_unsigned(s, 4, 0x80000000u, 0);
		break;
	case SPA_AUDIO_FORMAT_U32_BE:
		set_unsigned(s, 4, 0x80000000u, 1);
		break;
	case SPA_AUDIO_FORMAT_ULAW:
		/* G.711: the code for zero is 0xff in mu-law, 0xd5 in A-law */
		set_unsigned(s, 1, 0xff, 0);
		break;
	case SPA_AUDIO_FORMAT_ALAW:
		set_unsigned(s, 1, 0xd5, 0);
		break;
	default:
		/* signed integer and float formats: silence is all zero bits */
		break;
	}
}

int pm_silence_for_format_pod(const struct spa_pod *format, struct pm_silence *s)
{
	uint32_t media_type, media_subtype;

	*s = PM_SILENCE_ZERO;
	if (format == NULL)
		return -EINVAL;
	if (spa_format_parse(format, &media_type, &media_subtype) < 0 ||
	    media_type != SPA_MEDIA_TYPE_audio)
		return -EINVAL;

	switch (media_subtype) {
	case SPA_MEDIA_SUBTYPE_raw:
	{
		struct spa_audio_info_raw info;
		spa_zero(info);
		if (spa_format_audio_raw_parse(format, &info) < 0)
			return -EINVAL;
		pm_silence_for_audio_format(info.format, s);
		return 0;
	}
	case SPA_MEDIA_SUBTYPE_dsd:
		/* DSD idle pattern: equal ones and zeros */
		set_unsigned(s, 1, 0x69, 0);
		return 0;
	case SPA_MEDIA_SUBTYPE_dsp:
		/* dsp ports carry 32 bit float */
		return 0;
	default:
		/* compressed formats have no byte pattern for silence; zeros
		 * make the stream undecodable, which leaks nothing either */
		return 0;
	}
}

void pm_silence_fill(const struct pm_silence *s, void *dst, size_t size)
{
	uint8_t *d = dst;
	size_t i;

	if (s->zero || s->stride == 0) {
		memset(d, 0, size);
		return;
	}
	if (s->stride == 1) {
		memset(d, s->pattern[0], size);
		return;
	}
	for (i = 0; i + s->stride <= size; i += s->stride)
		memcpy(d + i, s->pattern, s->stride);
	if (i < size)
		memcpy(d + i, s->pattern, size - i);
}
