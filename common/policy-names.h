/* privacy-mute: D-Bus names of the policy service, shared by service, CLI and module */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_POLICY_NAMES_H
#define PRIVACY_MUTE_POLICY_NAMES_H

#define PM_POLICY_NAME		"org.privacymute.Policy1"
#define PM_POLICY_PATH		"/org/privacymute/Policy1"
#define PM_POLICY_INTERFACE	"org.privacymute.Policy1"

#define PM_ERROR_PREFIX			"org.privacymute.Error."
#define PM_ERROR_INVALID_ARGS		PM_ERROR_PREFIX "InvalidArgs"
#define PM_ERROR_NOT_REGISTERED		PM_ERROR_PREFIX "NotRegistered"
#define PM_ERROR_FAILED			PM_ERROR_PREFIX "Failed"
#define PM_ERROR_READ_ONLY		PM_ERROR_PREFIX "ReadOnly"
#define PM_ERROR_UNKNOWN_METHOD		PM_ERROR_PREFIX "UnknownMethod"
#define PM_ERROR_UNKNOWN_PROPERTY	PM_ERROR_PREFIX "UnknownProperty"
#define PM_ERROR_UNKNOWN_INTERFACE	PM_ERROR_PREFIX "UnknownInterface"
#define PM_ERROR_LOCKED			PM_ERROR_PREFIX "Locked"
#define PM_ERROR_ACCESS_DENIED		PM_ERROR_PREFIX "AccessDenied"

/* The refusal while locked, as the CLI prints it too */
#define PM_LOCKED_MESSAGE	"the microphone mute is locked by the administrator"

#endif /* PRIVACY_MUTE_POLICY_NAMES_H */
