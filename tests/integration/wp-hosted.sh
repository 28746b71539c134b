#!/bin/bash
# A microphone hosted in WirePlumber's own process (a local adapter node, as
# WirePlumber hosts Bluetooth headsets): the module loaded into WirePlumber
# silences it while the mute is on, for native and PulseAudio clients, and
# WirePlumber's enforcer is counted next to the daemon's.
. "$(dirname "$0")/lib.sh"

wp_mic_conf wpmic
wp_module_conf
start_stack || exit 1
WP=${PM_PID[wireplumber]}

check "wpmic exists" wait_for 20 has_node wpmic
check "wpmic is made in WirePlumber's process (its client is pid $WP)" \
	wait_for 10 node_hosted_by wpmic "$WP"
check "two enforcers: pipewire and wireplumber" wait_for 20 enforcers_are 2
check "one enforcer runs in the pipewire daemon" enforcer_pid "${PM_PID[pipewire]}"
check "one enforcer runs in WirePlumber" enforcer_pid "$WP"

# unmuted first: the node really produces a signal in both paths
cap_pw_record "$T/u.raw" 2 --target wpmic
check "unmuted: pw-record --target wpmic gets the signal" expect signal "$T/u.raw"
cap_parec "$T/u-pulse.raw" 3 --device=wpmic
check "unmuted: parec --device=wpmic gets the signal" expect signal "$T/u-pulse.raw"

check "mute on: both enforcers acknowledged" mute_on
check "muted and enforced" muted_enforced
check "WirePlumber's enforcer acknowledged" enforcer_acked "$WP"
check "WirePlumber's enforcer counts the source it guards" wait_for 10 \
	status_eval "any(e['pid'] == $WP and e['sources'] >= 1 for e in s['enforcers'])"
cap_pw_record "$T/m.raw" 2 --target wpmic
check "muted: pw-record --target wpmic gets silence" expect silence "$T/m.raw"
cap_parec "$T/m-pulse.raw" 3 --device=wpmic
check "muted: parec --device=wpmic gets silence" expect silence "$T/m-pulse.raw"
cap_pw_record "$T/m-daemon.raw" 2 --target testmic
check "muted: the daemon's testmic is silent too" expect silence "$T/m-daemon.raw"

check "mute off" mute_off
cap_pw_record "$T/o.raw" 2 --target wpmic
check "unmuted again: pw-record --target wpmic gets the signal" expect signal "$T/o.raw"
cap_parec "$T/o-pulse.raw" 3 --device=wpmic
check "unmuted again: parec --device=wpmic gets the signal" expect signal "$T/o-pulse.raw"
check "WirePlumber still running" kill -0 "$WP"

finish
