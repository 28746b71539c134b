/* privacy-mute: the persisted policy state */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_STATE_H
#define PRIVACY_MUTE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_STATE_FILE		"state"
/* A valid state file is a few dozen bytes; anything larger is not ours. */
#define PM_STATE_MAX_SIZE	4096

struct pm_state {
	bool muted;
	uint64_t generation;
	/* locked by the administrator; written only when true, so files of
	 * earlier versions (no key) load as unlocked */
	bool locked;
};

enum pm_state_status {
	PM_STATE_OK,		/* read and parsed */
	PM_STATE_MISSING,	/* no file: first start, unmuted */
	PM_STATE_UNREADABLE,	/* exists but cannot be read: muted */
	PM_STATE_CORRUPT,	/* read but not a valid state: muted */
};

/* Parse a state file held in buf. Returns 0, or -EINVAL with *why set to a
 * static string saying what is wrong. st is only written on success. */
int pm_state_parse(const char *buf, size_t len, struct pm_state *st, const char **why);

/* Format st as one line of JSON with a trailing newline. Returns the length
 * like snprintf (>= size means truncated). */
int pm_state_format(const struct pm_state *st, char *buf, size_t size);

/* Load dir/state. Always fills st with the state to start with: unmuted
 * when the file is missing, muted when it is unreadable or corrupt, with
 * a reason in why (may be NULL). */
enum pm_state_status pm_state_load(const char *dir, struct pm_state *st,
		char *why, size_t why_size);

/* Write dir/state atomically: the directory is created (0700) if missing,
 * the data goes to a temporary file in dir that is fsynced and renamed over
 * the old one, then dir is fsynced. Returns 0 or -errno. */
int pm_state_save(const char *dir, const struct pm_state *st);

/* The fallback when pm_state_save() fails (a full file system, a directory
 * we may not write): rewrite dir/state in place. Not atomic, but a file
 * left half written reads as corrupt, that is muted. Returns 0 or -errno. */
int pm_state_save_in_place(const char *dir, const struct pm_state *st);

/* Remove the temporary files that a save interrupted by a crash left in
 * dir (of the state file and the capture log). Returns how many were removed, or -errno. */
int pm_state_cleanup(const char *dir);

/* The default state directory: /var/lib/privacy-mute for the system bus,
 * $XDG_STATE_HOME/privacy-mute (default ~/.local/state) otherwise.
 * Returns 0 or -errno (-ENOENT: no home directory known). */
int pm_state_default_dir(bool system, char *buf, size_t size);

#endif /* PRIVACY_MUTE_STATE_H */
