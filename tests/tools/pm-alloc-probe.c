/* privacy-mute test tool: the trap's positive control. A thread named like
 * PipeWire's data threads allocates through a function of a shared object
 * (libpm-alloc-probe-lib.so), as a bug in the module would. */
/* SPDX-License-Identifier: MIT */

#include <pthread.h>
#include <stdlib.h>

void *pm_probe_allocate(size_t size);

static void *run(void *data)
{
	free(pm_probe_allocate(64));
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, run, NULL) != 0)
		return 1;
	pthread_setname_np(t, "data-loop.0");
	return pthread_join(t, NULL) != 0;
}
