/* privacy-mute: private shadow buffers for a guarded output port */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_SHADOW_H
#define PRIVACY_MUTE_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#include <spa/buffer/buffer.h>

#include "silence.h"

/* More than audioconvert produces on one port (64 planes). */
#define PM_SHADOW_MAX_DATAS	64

/* One data plane: what we allocated for the node, and where its published
 * copy goes. Both taken on the main thread from memory no client can
 * write, so the data thread never reads anything back from shared memory. */
struct pm_shadow_plane {
	uint8_t *priv;			/* private memory the node writes */
	uint8_t *real;			/* the shared buffer's memory */
	struct spa_chunk *priv_chunk;	/* private: written by the node */
	struct spa_chunk *real_chunk;	/* shared: written by us only */
	uint32_t maxsize;
};

struct pm_shadow {
	struct spa_buffer buffer;	/* handed to the node */
	uint32_t n_planes;
	struct pm_shadow_plane *planes;
};

/* The shadows of one port's buffers, in one allocation. */
struct pm_shadow_set {
	struct pm_shadow_set *next;	/* for the owner's lists */
	uint32_t n_buffers;
	struct spa_buffer **buffers;	/* the array the node is given */
	struct pm_shadow *shadows;
};

/* Whether real can be shadowed: every data plane has memory we can write
 * (data != NULL, maxsize > 0), at most PM_SHADOW_MAX_DATAS planes.
 * Returns 0 or a negative errno. */
int pm_shadow_check(const struct spa_buffer *real);

/* Private copies of n real buffers: the same metas (shared, they carry no
 * samples), the same number of planes with the same maxsize, their own
 * zeroed chunks and zeroed data memory, type MemPtr and never DYNAMIC (the
 * node must write into our memory, not swap in a pointer of its own).
 * Main thread: allocates. Returns NULL with errno set. */
struct pm_shadow_set *pm_shadow_set_new(struct spa_buffer **real, uint32_t n);
void pm_shadow_set_free(struct pm_shadow_set *set);

/* Publish what the node produced in shadow s into its real buffer: the
 * range of the PRIVATE chunk (offset modulo maxsize, size clamped to
 * maxsize, wrapping like a ring buffer) is copied bit-exact, or, when
 * silence is not NULL, that range is silence; the real chunk is then
 * written from the private one (flags 0 when silenced: flags the node
 * derived from the signal must not pass). Data thread safe: no
 * allocation, no locks, no syscalls, no reads of shared memory. */
void pm_shadow_publish(const struct pm_shadow *s, const struct pm_silence *silence);

/* Fill every plane of the real buffer of s, whole maxsize, with silence
 * and empty its chunk. Data thread safe. */
void pm_shadow_clear_real(const struct pm_shadow *s, const struct pm_silence *silence);

#endif
