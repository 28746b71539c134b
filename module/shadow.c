/* privacy-mute: private shadow buffers for a guarded output port */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <spa/utils/defs.h>

#include "shadow.h"

/* what audioconvert and the CPU copy routines like best */
#define ALIGN	64

int pm_shadow_check(const struct spa_buffer *real)
{
	uint32_t j;

	if (real == NULL || real->n_datas == 0 || real->n_datas > PM_SHADOW_MAX_DATAS)
		return -ENOTSUP;
	for (j = 0; j < real->n_datas; j++) {
		const struct spa_data *d = &real->datas[j];
		/* unmapped memory (a DmaBuf, a skeleton waiting for the
		 * node to allocate) has nowhere we could publish into */
		if (d->data == NULL || d->maxsize == 0 || d->chunk == NULL)
			return -ENOTSUP;
	}
	return 0;
}

void pm_shadow_set_free(struct pm_shadow_set *set)
{
	free(set);
}

struct pm_shadow_set *pm_shadow_set_new(struct spa_buffer **real, uint32_t n)
{
	struct pm_shadow_set *set;
	struct pm_shadow_plane *planes;
	struct spa_data *datas;
	struct spa_chunk *chunks;
	size_t n_planes = 0, mem = 0, size;
	uint8_t *p;
	uint32_t i, j;
	int res;

	for (i = 0; i < n; i++) {
		if ((res = pm_shadow_check(real[i])) < 0) {
			errno = -res;
			return NULL;
		}
		n_planes += real[i]->n_datas;
		for (j = 0; j < real[i]->n_datas; j++)
			mem += SPA_ROUND_UP_N((size_t)real[i]->datas[j].maxsize, ALIGN);
	}

	size = sizeof(*set) + n * (sizeof(struct spa_buffer *) + sizeof(struct pm_shadow)) +
		n_planes * (sizeof(struct pm_shadow_plane) + sizeof(struct spa_data) +
				sizeof(struct spa_chunk)) + ALIGN + mem;
	if ((set = calloc(1, size)) == NULL)
		return NULL;

	set->n_buffers = n;
	set->buffers = (struct spa_buffer **)(set + 1);
	set->shadows = (struct pm_shadow *)(set->buffers + n);
	planes = (struct pm_shadow_plane *)(set->shadows + n);
	datas = (struct spa_data *)(planes + n_planes);
	chunks = (struct spa_chunk *)(datas + n_planes);
	p = SPA_PTR_ALIGN((uint8_t *)(chunks + n_planes), ALIGN, uint8_t);

	for (i = 0; i < n; i++) {
		struct pm_shadow *s = &set->shadows[i];
		struct spa_buffer *r = real[i];

		/* the metas stay the shared ones: they hold no samples */
		s->buffer.n_metas = r->n_metas;
		s->buffer.metas = r->metas;
		s->buffer.n_datas = r->n_datas;
		s->buffer.datas = datas;
		s->n_planes = r->n_datas;
		s->planes = planes;

		for (j = 0; j < r->n_datas; j++) {
			const struct spa_data *rd = &r->datas[j];
			struct spa_data *d = &datas[j];

			d->type = SPA_DATA_MemPtr;
			d->flags = SPA_DATA_FLAG_READWRITE;
			d->fd = -1;
			d->mapoffset = 0;
			d->maxsize = rd->maxsize;
			d->data = p;
			d->chunk = &chunks[j];

			planes[j] = (struct pm_shadow_plane) {
				.priv = p,
				.real = rd->data,
				.priv_chunk = &chunks[j],
				.real_chunk = rd->chunk,
				.maxsize = rd->maxsize,
			};
			p += SPA_ROUND_UP_N((size_t)rd->maxsize, ALIGN);
		}
		set->buffers[i] = &s->buffer;
		datas += r->n_datas;
		chunks += r->n_datas;
		planes += r->n_datas;
	}
	return set;
}

/* [offset, offset + size) of a ring of maxsize bytes, as at most two runs */
struct range {
	uint32_t off[2], len[2];
};

static struct range range_of(uint32_t offset, uint32_t size, uint32_t maxsize)
{
	struct range r = { { 0, 0 }, { 0, 0 } };

	offset %= maxsize;
	size = SPA_MIN(size, maxsize);
	r.off[0] = offset;
	r.len[0] = SPA_MIN(size, maxsize - offset);
	r.len[1] = size - r.len[0];
	return r;
}

void pm_shadow_publish(const struct pm_shadow *s, const struct pm_silence *silence)
{
	uint32_t j, k;

	for (j = 0; j < s->n_planes; j++) {
		const struct pm_shadow_plane *pl = &s->planes[j];
		/* read once: the range we fill is the range we announce */
		struct spa_chunk c = *pl->priv_chunk;
		struct range r;

		if (pl->maxsize == 0)
			continue;
		r = range_of(c.offset, c.size, pl->maxsize);
		for (k = 0; k < 2; k++) {
			if (r.len[k] == 0)
				continue;
			if (silence)
				pm_silence_fill(silence, pl->real + r.off[k], r.len[k]);
			else
				memcpy(pl->real + r.off[k], pl->priv + r.off[k], r.len[k]);
		}
		pl->real_chunk->offset = r.off[0];
		pl->real_chunk->size = r.len[0] + r.len[1];
		pl->real_chunk->stride = c.stride;
		pl->real_chunk->flags = silence ? 0 : c.flags;
	}
}

void pm_shadow_clear_real(const struct pm_shadow *s, const struct pm_silence *silence)
{
	uint32_t j;

	for (j = 0; j < s->n_planes; j++) {
		const struct pm_shadow_plane *pl = &s->planes[j];
		pm_silence_fill(silence, pl->real, pl->maxsize);
		pl->real_chunk->offset = 0;
		pl->real_chunk->size = 0;
		pl->real_chunk->flags = 0;
	}
}
