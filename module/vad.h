/* privacy-mute: is someone speaking into a muted microphone? */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_VAD_H
#define PRIVACY_MUTE_VAD_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A deliberately simple voice-activity decision, run on the main loop from
 * the levels the data thread measured: speech is energy well above an
 * adaptive noise floor, sustained. The floor follows quiet stretches down
 * at once and loud ones up slowly, so a steady hum stops counting as
 * speech after a while and a voice over it still does.
 */
#define PM_VAD_OVER_FLOOR_DB	15.0	/* this far above the floor */
#define PM_VAD_MIN_DB		-55.0	/* and at least this loud (dBFS) */
#define PM_VAD_SUSTAIN_MS	300	/* for this long without a break */
#define PM_VAD_FLOOR_START_DB	-60.0	/* a quiet room */
#define PM_VAD_FLOOR_RISE_DB_S	2.0	/* how fast the floor climbs */

struct pm_vad {
	double floor_db;
	uint32_t speech_ms;
};

void pm_vad_init(struct pm_vad *v);

/* Feed the mean square (full scale 1.0) of the last ms milliseconds.
 * Returns true once speech has lasted PM_VAD_SUSTAIN_MS; the count then
 * starts again. */
bool pm_vad_feed(struct pm_vad *v, double mean_square, uint32_t ms);

/* The signal stopped (no cycles, or the mute was released). */
void pm_vad_reset(struct pm_vad *v);

#endif
