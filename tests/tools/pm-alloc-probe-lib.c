/* privacy-mute test tool: the allocating function of the trap's positive
 * control, in its own shared object. */
/* SPDX-License-Identifier: MIT */

#include <stdlib.h>
#include <unistd.h>

void *pm_probe_allocate(size_t size);

void *pm_probe_allocate(size_t size)
{
	void *volatile p;

	/* let the creator name the thread first */
	usleep(100000);
	/* not a tail call: this frame must be on the stack, as the
	 * module's are when it calls into libc */
	p = malloc(size);
	return p;
}
