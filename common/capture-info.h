/* privacy-mute: one capture of a muted microphone, as enforcer and policy describe it */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_CAPTURE_INFO_H
#define PRIVACY_MUTE_CAPTURE_INFO_H

#include <stdint.h>

/* What an enforcer tells about a capture (CaptureStarted) and the policy
 * logs. The strings are borrowed; NULL means unknown (""). */
struct pm_capture_info {
	const char *application;	/* application.name of the consumer */
	const char *binary;		/* application.process.binary */
	const char *source;		/* node.name of the microphone */
	uint32_t pid;			/* application.process.id, 0 unknown */
};

#endif /* PRIVACY_MUTE_CAPTURE_INFO_H */
