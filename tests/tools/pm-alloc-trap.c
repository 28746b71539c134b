/* privacy-mute test tool: catch heap allocations made from our code in a
 * data thread. LD_PRELOAD it into a process: every malloc, calloc,
 * realloc, memalign, aligned_alloc and posix_memalign made by a thread whose
 * name starts with "data-loop" is walked back; if a frame lies in a shared
 * object whose path contains $PM_ALLOC_TRAP_MATCH, one line naming the
 * function is appended to $PM_ALLOC_TRAP_OUT. The file also gets a line
 * "loaded PID" when the process starts, so a test knows the trap was in.
 * Test-only code: it may take locks and make syscalls. */
/* SPDX-License-Identifier: MIT */

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static const char *match;
static int out_fd = -1;
static __thread int busy;

static void say(const char *line)
{
	if (out_fd >= 0 && write(out_fd, line, strlen(line)) < 0)
		return;
}

__attribute__((constructor)) static void trap_init(void)
{
	void *frames[4];
	char line[64];
	const char *path = getenv("PM_ALLOC_TRAP_OUT");

	match = getenv("PM_ALLOC_TRAP_MATCH");
	if (path == NULL || match == NULL || *match == '\0')
		return;
	out_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	/* backtrace() loads its unwinder on first use, with malloc */
	busy = 1;
	backtrace(frames, 4);
	busy = 0;
	snprintf(line, sizeof(line), "loaded %d\n", (int)getpid());
	say(line);
}

static void check(const char *what)
{
	char name[17] = "", line[512];
	void *frames[48];
	Dl_info info;
	int i, n;

	if (out_fd < 0 || busy)
		return;
	if (prctl(PR_GET_NAME, name) != 0 || strncmp(name, "data-loop", 9) != 0)
		return;
	busy = 1;
	n = backtrace(frames, 48);
	for (i = 1; i < n; i++) {
		if (dladdr(frames[i], &info) == 0 || info.dli_fname == NULL ||
		    strstr(info.dli_fname, match) == NULL)
			continue;
		snprintf(line, sizeof(line), "%s in a data thread (%s) from %s in %s\n",
				what, name, info.dli_sname ? info.dli_sname : "?",
				info.dli_fname);
		say(line);
		break;
	}
	busy = 0;
}

void *malloc(size_t size)
{
	check("malloc");
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	check("calloc");
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	check("realloc");
	return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
	check("memalign");
	return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	check("aligned_alloc");
	return __libc_memalign(align, size);
}

int posix_memalign(void **p, size_t align, size_t size)
{
	check("posix_memalign");
	*p = __libc_memalign(align, size);
	return *p ? 0 : 12; /* ENOMEM */
}
