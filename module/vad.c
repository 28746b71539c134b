/* privacy-mute: is someone speaking into a muted microphone? */
/* SPDX-License-Identifier: MIT */

#include <math.h>

#include "vad.h"

void pm_vad_init(struct pm_vad *v)
{
	v->floor_db = PM_VAD_FLOOR_START_DB;
	v->speech_ms = 0;
}

void pm_vad_reset(struct pm_vad *v)
{
	v->speech_ms = 0;
}

bool pm_vad_feed(struct pm_vad *v, double mean_square, uint32_t ms)
{
	double db = 10.0 * log10(mean_square + 1e-12);
	double rise = PM_VAD_FLOOR_RISE_DB_S * ms / 1000.0;
	bool loud = db > v->floor_db + PM_VAD_OVER_FLOOR_DB && db > PM_VAD_MIN_DB;

	if (db < v->floor_db)
		v->floor_db = db;
	else
		v->floor_db += fmin(db - v->floor_db, rise);

	if (!loud) {
		v->speech_ms = 0;
		return false;
	}
	v->speech_ms += ms;
	if (v->speech_ms < PM_VAD_SUSTAIN_MS)
		return false;
	v->speech_ms = 0;
	return true;
}
