/* privacy-mute unit test: the level measure and the voice-activity decision */
/* SPDX-License-Identifier: MIT */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <spa/param/audio/raw.h>

#include "level.h"
#include "vad.h"

#include "check.h"

#define N 4096

static double ms_of(uint32_t q32)
{
	return q32 / 4294967296.0;
}

/* a full-scale sine has a mean square of 1/2, whatever the format */
static void test_formats(void)
{
	static float f32[N];
	static int16_t s16[N];
	static int32_t s32[N], s24[N];
	static uint8_t u8[N];
	struct pm_level_format f;
	int i;

	for (i = 0; i < N; i++) {
		double v = sin(2 * M_PI * i / 64.0) * 0.999;
		f32[i] = v;
		s16[i] = (int16_t)lrint(v * 32767);
		s32[i] = (int32_t)lrint(v * 2147483647.0);
		s24[i] = (int32_t)lrint(v * 8388607.0);
		u8[i] = (uint8_t)lrint(128 + v * 127);
	}
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_F32, &f);
	CHECK(fabs(ms_of(pm_level_mean_square(&f, f32, sizeof(f32))) - 0.5) < 0.02);
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_S16, &f);
	CHECK(fabs(ms_of(pm_level_mean_square(&f, s16, sizeof(s16))) - 0.5) < 0.02);
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_S32P, &f);
	CHECK(fabs(ms_of(pm_level_mean_square(&f, s32, sizeof(s32))) - 0.5) < 0.02);
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_S24_32, &f);
	CHECK(fabs(ms_of(pm_level_mean_square(&f, s24, sizeof(s24))) - 0.5) < 0.02);
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_U8, &f);
	CHECK(fabs(ms_of(pm_level_mean_square(&f, u8, sizeof(u8))) - 0.5) < 0.03);

	/* silence, no samples, an unknown format */
	memset(f32, 0, sizeof(f32));
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_F32, &f);
	CHECK(pm_level_mean_square(&f, f32, sizeof(f32)) == 0);
	CHECK(pm_level_mean_square(&f, f32, 3) == 0);
	CHECK(pm_level_mean_square(&f, NULL, 64) == 0);
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_S24, &f);
	CHECK(f.kind == PM_LEVEL_NONE && pm_level_mean_square(&f, s16, sizeof(s16)) == 0);

	/* a NaN or a wild float reads as full scale, never as quiet */
	pm_level_for_audio_format(SPA_AUDIO_FORMAT_F32, &f);
	for (i = 0; i < N; i++)
		f32[i] = (i & 1) ? NAN : 1e30f;
	CHECK(pm_level_mean_square(&f, f32, sizeof(f32)) == UINT32_MAX);
}

static double db(double d)
{
	return pow(10.0, d / 10.0);
}

static void test_vad(void)
{
	struct pm_vad v;
	int i, hits;

	/* a voice at -20 dBFS in a quiet room: speech after 300 ms */
	pm_vad_init(&v);
	CHECK(!pm_vad_feed(&v, db(-20), 100));
	CHECK(!pm_vad_feed(&v, db(-20), 100));
	CHECK(pm_vad_feed(&v, db(-20), 100));

	/* a short click is not speech */
	pm_vad_init(&v);
	for (i = 0, hits = 0; i < 50; i++)
		hits += pm_vad_feed(&v, i % 5 == 0 ? db(-10) : db(-70), 100);
	CHECK(hits == 0);

	/* quiet is never speech, however long */
	pm_vad_init(&v);
	for (i = 0, hits = 0; i < 600; i++)
		hits += pm_vad_feed(&v, db(-80), 100);
	CHECK(hits == 0);

	/* too quiet in absolute terms, even well over a very low floor */
	pm_vad_init(&v);
	for (i = 0; i < 50; i++)
		pm_vad_feed(&v, 0.0, 100);
	for (i = 0, hits = 0; i < 50; i++)
		hits += pm_vad_feed(&v, db(-60), 100);
	CHECK(hits == 0);

	/* a steady hum becomes the floor; a voice over it still counts */
	pm_vad_init(&v);
	for (i = 0; i < 600; i++)
		pm_vad_feed(&v, db(-35), 100);
	for (i = 0, hits = 0; i < 10; i++)
		hits += pm_vad_feed(&v, db(-35), 100);
	CHECK(hits == 0);
	for (i = 0, hits = 0; i < 5; i++)
		hits += pm_vad_feed(&v, db(-12), 100);
	CHECK(hits == 1);

	/* a break resets the count */
	pm_vad_init(&v);
	pm_vad_feed(&v, db(-20), 100);
	pm_vad_feed(&v, db(-20), 100);
	pm_vad_reset(&v);
	CHECK(!pm_vad_feed(&v, db(-20), 100));
}

int main(void)
{
	test_formats();
	test_vad();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures ? 1 : 0;
}
