#!/bin/bash
# Module options: invalid ones make the module refuse to load with a
# message naming the option; initial.state decides until the policy speaks.
. "$(dirname "$0")/lib.sh"

mics_conf
start_bus || exit 1

# refuse KEY ARGS: pipewire cannot load the module, says why, names KEY
refuse() {
	local key=$1 args=$2
	module_conf "$args"
	timeout 10 pipewire > "$T/log/refuse.log" 2>&1
	local rc=$?
	check "'${args:0:60}': pipewire refuses to start (exit $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
	check "'${args:0:60}': the error names '$key'" grep -q "privacy-mute.*'$key'" "$T/log/refuse.log"
}
refuse policy.bus "policy.bus = nowhere"
refuse initial.state "initial.state = maybe"
refuse no.such.option "no.such.option = 1"
refuse policy.bus "policy.bus = [ session ]"
refuse monitor.sinks "monitor.sinks = sometimes"
refuse exempt.nodes "exempt.nodes = trusted"
# wrong types
refuse policy.bus "policy.bus = 42"
refuse initial.state "initial.state = [ muted ]"
refuse monitor.sinks "monitor.sinks = 1"
refuse monitor.sinks "monitor.sinks = { on = true }"
refuse exempt.nodes "exempt.nodes = [ { node.name = x } ]"
refuse exempt.nodes "exempt.nodes = { a = b }"
# out of range: 17 patterns (at most 16), a pattern of 128 bytes (at most
# 127), an empty one
refuse exempt.nodes "exempt.nodes = [ a b c d e f g h i j k l m n o p q ]"
refuse exempt.nodes "exempt.nodes = [ \"$(printf 'n%.0s' $(seq 128))\" ]"
refuse exempt.nodes 'exempt.nodes = [ "" ]'
# the policy's executable: an absolute path
refuse policy.executable "policy.executable = privacy-mute-policy"
refuse policy.executable "policy.executable = [ /usr/bin/privacy-mute-policy ]"
refuse policy.executable "policy.executable = \"/$(printf 'p%.0s' $(seq 1024))\""
refuse policy.uid "policy.uid = -1"
refuse policy.uid "policy.uid = nobody"
refuse policy.uid "policy.uid = 4294967295"
# unknown keys, near misses of known ones
refuse Policy.bus "Policy.bus = session"
refuse exempt.node "exempt.node = [ alsamic ]"
refuse monitor.sink "monitor.sink = true"

# initial.state = unmuted: before any policy, audio passes
module_conf "initial.state = unmuted"
start_pipewire && start_wireplumber || exit 1
check "the module loaded" sh -c "pw-cli ls Module | grep -q libpipewire-module-privacy-mute"
cap_pw_record "$T/unmuted.raw" 2 --target testmic
check "initial.state = unmuted, no policy: signal" expect signal "$T/unmuted.raw"
stop_audio

# the default, muted
module_conf ""
start_pipewire && start_wireplumber || exit 1
cap_pw_record "$T/muted.raw" 2 --target testmic
check "default initial state, no policy: silence" expect silence "$T/muted.raw"
stop_audio

# exempt.nodes: the exempt source keeps its signal, the others are muted
module_conf 'exempt.nodes = [ "alsa*" ]'
start_pipewire && start_wireplumber || exit 1
cap_pw_record "$T/exempt.raw" 2 --target alsamic
check "exempt.nodes = [ alsa* ]: alsamic keeps its signal while muted" expect signal "$T/exempt.raw"
cap_pw_record "$T/notexempt.raw" 2 --target testmic
check "exempt.nodes = [ alsa* ]: testmic is still silent" expect silence "$T/notexempt.raw"

# a run-time load with a bad option (WirePlumber's sm-objects loads it into
# its own process): refused with a message naming the key, and WirePlumber
# goes on
wp_pid=${PM_PID[wireplumber]}
wp_load_module pm-bad "monitor.sinks = perhaps"
check "run-time load with 'monitor.sinks = perhaps': WirePlumber logs the refusal naming the key" \
	wait_for 10 grep -q "privacy-mute.*'monitor.sinks'" "$T/log/wireplumber.log"
check "... WirePlumber is still running" kill -0 "$wp_pid"
check "... and still answers" wp_ready
wp_unload_module pm-bad

finish
