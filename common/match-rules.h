/* privacy-mute: the D-Bus match rules of who follows the policy */
/* SPDX-License-Identifier: MIT */

#ifndef PRIVACY_MUTE_MATCH_RULES_H
#define PRIVACY_MUTE_MATCH_RULES_H

#include <dbus/dbus.h>

#include "policy-names.h"

/* The policy's name changing hands (or going): who to check and follow. */
#define PM_MATCH_POLICY_OWNER_CHANGED						\
	"type='signal',sender='" DBUS_SERVICE_DBUS "',interface='"		\
	DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',arg0='"		\
	PM_POLICY_NAME "'"

/* The policy's state changing. Anyone can send a signal with this path:
 * the sender must still be checked against the owner followed. */
#define PM_MATCH_POLICY_PROPERTIES_CHANGED					\
	"type='signal',interface='" DBUS_INTERFACE_PROPERTIES			\
	"',member='PropertiesChanged',path='" PM_POLICY_PATH "',arg0='"		\
	PM_POLICY_INTERFACE "'"

/* Every name changing hands: the service drops enforcers that leave. */
#define PM_MATCH_ANY_OWNER_CHANGED						\
	"type='signal',sender='" DBUS_SERVICE_DBUS "',"				\
	"interface='" DBUS_INTERFACE_DBUS "',member='NameOwnerChanged'"

#endif /* PRIVACY_MUTE_MATCH_RULES_H */
