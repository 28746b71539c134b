/* privacy-mute: the microphone-mute LED that follows the privacy mute (issue 16) */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_LED_H
#define PRIVACY_MUTE_LED_H

#include <stdbool.h>
#include <stddef.h>

#define PM_LED_DIR_DEFAULT "/sys/class/leds"
#define PM_LED_NAME_MAX 256

/* Whether an LED class entry name is a microphone-mute LED ("*::micmute"). */
bool pm_led_is_micmute(const char *name);

/* Pick the LED among n entry names: the alphabetically first "*::micmute"
 * one, so the choice does not depend on readdir order. NULL when none. */
const char *pm_led_pick(const char *const *names, size_t n);

/* The LED to drive: option (NULL: the default), "none" disables. Lists
 * dir for the default. Writes the name into out; false when none. */
bool pm_led_choose(const char *option, const char *dir, char *out, size_t size);

/* The value for DIR/NAME/brightness: max_brightness text (default 1 when
 * unreadable or unparsable) when muted, 0 when not. */
unsigned int pm_led_sysfs_value(bool muted, const char *max_text);

/* System mode: write DIR/NAME/brightness. Returns 0 or -errno; never fatal. */
int pm_led_write_sysfs(const char *dir, const char *name, bool muted);

#endif /* PRIVACY_MUTE_LED_H */
