/* privacy-mute unit tests: the one check macro they share */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_CHECK_H
#define PRIVACY_MUTE_CHECK_H

#include <stdio.h>

/* Checks go on after a failure, so one run names every broken case; main
 * returns failures != 0. */
static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

#endif
