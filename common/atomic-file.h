/* privacy-mute: writing a file so that a crash leaves the old or the new one */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_ATOMIC_FILE_H
#define PRIVACY_MUTE_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Write dir/name atomically: dir is created (0700) if missing, the data
 * goes to a temporary file ".NAME.XXXXXX" in dir that is fsynced and
 * renamed over dir/name, then dir is fsynced. Returns 0 or -errno. */
int pm_atomic_file_write(const char *dir, const char *name, const char *data, size_t len);

/* Whether entry is a temporary file that pm_atomic_file_write(dir, name)
 * leaves behind when a crash cuts it short. */
bool pm_atomic_file_is_temp(const char *entry, const char *name);

/* All of buf to fd, through EINTR and short writes. 0 or -errno. */
int pm_write_all(int fd, const char *buf, size_t len);

#endif /* PRIVACY_MUTE_ATOMIC_FILE_H */
