/* privacy-mute unit test: shadow buffers and publishing */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spa/param/audio/raw.h>

#include "shadow.h"

#include "check.h"

#define MAXSIZE	64
#define PLANES	2

/* A "real" buffer as a link would make it: data and chunks in memory
 * that, in the daemon, every consumer could write. */
struct real {
	struct spa_buffer buffer;
	struct spa_meta meta;
	struct spa_meta_header header;
	struct spa_data datas[PLANES];
	struct spa_chunk chunks[PLANES];
	uint8_t mem[PLANES][MAXSIZE];
};

static void real_init(struct real *r, uint32_t n_planes, uint32_t data_flags)
{
	uint32_t j;

	memset(r, 0, sizeof(*r));
	r->meta = (struct spa_meta) { SPA_META_Header, sizeof(r->header), &r->header };
	r->buffer.n_metas = 1;
	r->buffer.metas = &r->meta;
	r->buffer.n_datas = n_planes;
	r->buffer.datas = r->datas;
	for (j = 0; j < n_planes; j++) {
		r->datas[j] = (struct spa_data) {
			.type = SPA_DATA_MemFd, .flags = data_flags, .fd = 42,
			.maxsize = MAXSIZE, .data = r->mem[j], .chunk = &r->chunks[j],
		};
	}
}

/* what a hostile client does: garbage in the data, zeros in the chunk */
static void clobber(struct real *r)
{
	uint32_t j;
	for (j = 0; j < PLANES; j++) {
		memset(r->mem[j], 0x5a, MAXSIZE);
		r->chunks[j] = (struct spa_chunk) { 0, 0, 0, 0 };
	}
}

static void produce(struct spa_buffer *b, uint32_t plane, uint32_t offset, uint32_t size,
		uint8_t first)
{
	struct spa_data *d = &b->datas[plane];
	uint32_t i;

	for (i = 0; i < size; i++)
		((uint8_t *)d->data)[(offset + i) % d->maxsize] = (uint8_t)(first + i);
	d->chunk->offset = offset;
	d->chunk->size = size;
	d->chunk->stride = 4;
	d->chunk->flags = SPA_CHUNK_FLAG_CORRUPTED;
}

static void test_layout(void)
{
	struct real r[3];
	struct spa_buffer *bufs[3];
	struct pm_shadow_set *set;
	uint32_t i, j;

	for (i = 0; i < 3; i++) {
		real_init(&r[i], PLANES, SPA_DATA_FLAG_READWRITE | SPA_DATA_FLAG_DYNAMIC);
		bufs[i] = &r[i].buffer;
	}
	set = pm_shadow_set_new(bufs, 3);
	CHECK(set != NULL);
	if (set == NULL)
		return;
	CHECK(set->n_buffers == 3);
	for (i = 0; i < 3; i++) {
		struct spa_buffer *s = set->buffers[i];
		CHECK(s == &set->shadows[i].buffer);
		/* metas stay shared */
		CHECK(s->n_metas == 1 && s->metas == r[i].buffer.metas);
		CHECK(s->n_datas == PLANES);
		for (j = 0; j < PLANES; j++) {
			struct spa_data *d = &s->datas[j];
			CHECK(d->type == SPA_DATA_MemPtr);
			/* the node writes into our memory, no pointer swap */
			CHECK(!(d->flags & SPA_DATA_FLAG_DYNAMIC));
			CHECK(d->maxsize == MAXSIZE);
			CHECK(d->data != NULL && d->data != r[i].mem[j]);
			CHECK(((uintptr_t)d->data % 64) == 0);
			CHECK(d->chunk != &r[i].chunks[j]);
			CHECK(d->chunk->size == 0 && d->chunk->offset == 0);
			/* zeroed: nothing of anyone else's in it */
			CHECK(((uint8_t *)d->data)[0] == 0 && ((uint8_t *)d->data)[MAXSIZE - 1] == 0);
		}
	}
	/* planes of different buffers do not overlap */
	CHECK((uint8_t *)set->buffers[1]->datas[0].data >=
	      (uint8_t *)set->buffers[0]->datas[PLANES - 1].data + MAXSIZE);
	pm_shadow_set_free(set);
}

static void test_refused(void)
{
	struct real r;
	struct spa_buffer *b = &r.buffer;

	/* unmapped memory: nowhere to publish into */
	real_init(&r, 1, 0);
	r.datas[0].data = NULL;
	CHECK(pm_shadow_check(b) == -ENOTSUP);
	errno = 0;
	CHECK(pm_shadow_set_new(&b, 1) == NULL && errno == ENOTSUP);
	/* a skeleton waiting for the node to allocate */
	real_init(&r, 1, 0);
	r.datas[0].maxsize = 0;
	CHECK(pm_shadow_check(b) == -ENOTSUP);
	real_init(&r, 0, 0);
	CHECK(pm_shadow_check(b) == -ENOTSUP);
	real_init(&r, 1, 0);
	CHECK(pm_shadow_check(b) == 0);
}

static void test_publish(void)
{
	struct pm_silence s16, u8;
	struct real r;
	struct spa_buffer *b = &r.buffer, *sb;
	struct pm_shadow_set *set;
	uint32_t i;

	pm_silence_for_audio_format(SPA_AUDIO_FORMAT_S16_LE, &s16);
	pm_silence_for_audio_format(SPA_AUDIO_FORMAT_U8, &u8);
	real_init(&r, PLANES, SPA_DATA_FLAG_READWRITE);
	set = pm_shadow_set_new(&b, 1);
	CHECK(set != NULL);
	if (set == NULL)
		return;
	sb = set->buffers[0];

	/* unmuted: bit-exact, the chunk from the private one, whatever a
	 * client wrote into the shared chunk */
	produce(sb, 0, 0, 32, 1);
	produce(sb, 1, 8, 16, 100);
	clobber(&r);
	pm_shadow_publish(&set->shadows[0], NULL);
	for (i = 0; i < 32; i++)
		CHECK(r.mem[0][i] == (uint8_t)(1 + i));
	CHECK(r.mem[0][32] == 0x5a);		/* outside the range: not touched */
	CHECK(r.chunks[0].offset == 0 && r.chunks[0].size == 32);
	CHECK(r.chunks[0].stride == 4 && r.chunks[0].flags == SPA_CHUNK_FLAG_CORRUPTED);
	for (i = 0; i < 16; i++)
		CHECK(r.mem[1][8 + i] == (uint8_t)(100 + i));
	CHECK(r.chunks[1].offset == 8 && r.chunks[1].size == 16);

	/* muted: silence of the same size, flags cleared */
	clobber(&r);
	produce(sb, 0, 0, 32, 1);
	pm_shadow_publish(&set->shadows[0], &s16);
	for (i = 0; i < 32; i++)
		CHECK(r.mem[0][i] == 0);
	CHECK(r.chunks[0].size == 32 && r.chunks[0].flags == 0 && r.chunks[0].stride == 4);

	/* the format's silence, not zeros */
	clobber(&r);
	pm_shadow_publish(&set->shadows[0], &u8);
	for (i = 0; i < 32; i++)
		CHECK(r.mem[0][i] == 0x80);

	/* a size beyond maxsize is clamped, an offset beyond it wraps */
	clobber(&r);
	produce(sb, 0, 0, MAXSIZE, 7);
	sb->datas[0].chunk->size = 10 * MAXSIZE;
	pm_shadow_publish(&set->shadows[0], NULL);
	CHECK(r.chunks[0].size == MAXSIZE && r.chunks[0].offset == 0);
	CHECK(memcmp(r.mem[0], sb->datas[0].data, MAXSIZE) == 0);

	/* a ring buffer chunk that wraps: both runs copied */
	clobber(&r);
	produce(sb, 0, MAXSIZE - 8, 24, 50);
	sb->datas[0].chunk->offset += 3 * MAXSIZE;
	pm_shadow_publish(&set->shadows[0], NULL);
	CHECK(r.chunks[0].offset == MAXSIZE - 8 && r.chunks[0].size == 24);
	for (i = 0; i < 8; i++)
		CHECK(r.mem[0][MAXSIZE - 8 + i] == (uint8_t)(50 + i));
	for (i = 0; i < 16; i++)
		CHECK(r.mem[0][i] == (uint8_t)(58 + i));
	CHECK(r.mem[0][16] == 0x5a);

	/* the same wrap muted */
	clobber(&r);
	pm_shadow_publish(&set->shadows[0], &u8);
	CHECK(r.mem[0][MAXSIZE - 1] == 0x80 && r.mem[0][15] == 0x80 && r.mem[0][16] == 0x5a);

	/* clearing the real buffer: the whole of it, every plane */
	clobber(&r);
	r.chunks[1].size = 12;
	pm_shadow_clear_real(&set->shadows[0], &s16);
	for (i = 0; i < MAXSIZE; i++)
		CHECK(r.mem[0][i] == 0 && r.mem[1][i] == 0);
	CHECK(r.chunks[1].size == 0);

	/* publishing never writes into the private buffer */
	produce(sb, 0, 0, 32, 1);
	clobber(&r);
	pm_shadow_publish(&set->shadows[0], &s16);
	for (i = 0; i < 32; i++)
		CHECK(((uint8_t *)sb->datas[0].data)[i] == (uint8_t)(1 + i));
	CHECK(sb->datas[0].chunk->size == 32);

	pm_shadow_set_free(set);
}

int main(void)
{
	test_layout();
	test_refused();
	test_publish();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures ? 1 : 0;
}
