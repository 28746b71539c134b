#!/bin/bash
# The module loaded into all three processes that host microphones: the
# pipewire daemon (testmic), WirePlumber (wpmic, a local node) and
# pipewire-pulse (pipemic, a pipe source). Each is an enforcer; Enforced is
# true only once all three acknowledged; a host that dies is dropped from the
# list and Enforced reflects the ones left. The module is loaded by the
# drop-ins the project installs (data/), copied into the test config.
. "$(dirname "$0")/lib.sh"

wp_mic_conf wpmic
check "the project ships a WirePlumber drop-in" \
	pm_dropin "$PM_SRC/data/wireplumber-privacy-mute.conf" "$T/config/wireplumber/wireplumber.conf.d/50-privacy-mute.conf"
check "the project ships a pipewire-pulse drop-in" \
	pm_dropin "$PM_SRC/data/pipewire-pulse-privacy-mute.conf" "$T/config/pipewire/pipewire-pulse.conf.d/50-privacy-mute.conf"
check "the project ships the daemon's drop-in" \
	pm_dropin "$PM_SRC/data/privacy-mute.conf" "$T/config/pipewire/pipewire.conf.d/50-privacy-mute.conf"
mics_conf
start_bus && start_policy && start_pipewire && start_wireplumber && start_pulse || exit 1
PW=${PM_PID[pipewire]} WP=${PM_PID[wireplumber]} PULSE=${PM_PID[pulse]}

pactl load-module module-pipe-source source_name=pipemic file="$T/pipemic" \
	format=s16le rate=48000 channels=2 >/dev/null 2>>"$T/log/clients.log"
wait_for 10 test -p "$T/pipemic"
"$PM_PCM" noise 120 | "$PM_PCM" pace > "$T/pipemic" 2>>"$T/log/clients.log" &
PM_PID[pipewriter]=$!
both_exist() { has_node wpmic && has_node pipemic; }
check "wpmic and pipemic exist" wait_for 20 both_exist

check "three enforcers registered" wait_for 20 enforcers_are 3
check "... in the daemon, WirePlumber and pipewire-pulse (pids $PW $WP $PULSE)" \
	status_eval "sorted(e['pid'] for e in s['enforcers']) == sorted([$PW, $WP, $PULSE])"
check "... each named after its process" \
	status_eval "sorted(e['process'] for e in s['enforcers']) == ['pipewire', 'pipewire-pulse', 'wireplumber']"
"$PM_CLI" status > "$T/status.txt" 2>&1
check "human status: 'enforcers: 3'" grep -qx 'enforcers: 3' "$T/status.txt"
check "human status: a line for WirePlumber's enforcer" grep -q "wireplumber pid $WP " "$T/status.txt"
check "human status: a line for pipewire-pulse's enforcer" grep -q "pid $PULSE " "$T/status.txt"

# all three answer
check "mute on: all three acknowledged" mute_on
check "muted and enforced" muted_enforced
check "every enforcer acknowledged" status_eval 'all(e["acknowledged"] for e in s["enforcers"])'
cap_pw_record "$T/a-test.raw" 2 --target testmic
check "muted: testmic (daemon) silent" expect silence "$T/a-test.raw"
cap_pw_record "$T/a-wp.raw" 2 --target wpmic
check "muted: wpmic (WirePlumber) silent" expect silence "$T/a-wp.raw"
cap_parec "$T/a-pipe.raw" 3 --device=pipemic
check "muted: pipemic (pipewire-pulse) silent" expect silence "$T/a-pipe.raw"
check "mute off" mute_off
cap_parec "$T/b-pipe.raw" 3 --device=pipemic
check "unmuted: pipemic carries its noise (its writer still feeds it)" expect signal "$T/b-pipe.raw"

# one of three does not answer: 'on' says so, Enforced stays false until it does
kill -STOP "$PULSE"
"$PM_CLI" on > "$T/stopped.out" 2> "$T/stopped.err"; rc=$?
check "pipewire-pulse stopped: 'on' exits 1 (exit $rc)" test "$rc" -eq 1
check "... and says 2 of 3 acknowledged" grep -q '2 of 3' "$T/stopped.err"
check "... status: muted, not enforced" status_eval 's["muted"] and not s["enforced"]'
check "... pipewire-pulse's enforcer is the one not acknowledged" \
	status_eval "[e['pid'] for e in s['enforcers'] if not e['acknowledged']] == [$PULSE]"
kill -CONT "$PULSE"
check "pipewire-pulse resumed: muted and enforced" wait_for 10 muted_enforced
check "mute off" mute_off

# two do not answer, then one of them dies: Enforced reflects the rest, it
# turns true only when the other one (still alive) answers
kill -STOP "$WP" "$PULSE"
"$PM_CLI" on > "$T/stopped2.out" 2> "$T/stopped2.err"; rc=$?
check "WirePlumber and pipewire-pulse stopped: 'on' exits 1 (exit $rc)" test "$rc" -eq 1
check "... and says 1 of 3 acknowledged" grep -q '1 of 3' "$T/stopped2.err"
stop_daemon pulse KILL
check "pipewire-pulse killed: dropped from the list (2 left)" wait_for 10 enforcers_are 2
check "... the killed one is gone, the daemon and WirePlumber stay" \
	status_eval "sorted(e['pid'] for e in s['enforcers']) == sorted([$PW, $WP])"
check "... still not enforced: WirePlumber has not answered" not_enforced
kill -CONT "$WP"
check "WirePlumber resumed: muted and enforced by the two left" wait_for 10 muted_enforced
cap_pw_record "$T/c-wp.raw" 2 --target wpmic
check "wpmic silent" expect silence "$T/c-wp.raw"
check "pipemic is gone with its host" wait_for 10 sh -c "! pw-cli ls Node | grep -q 'node.name = \"pipemic\"'"

# the last one not answering dies: Enforced turns true without it
check "mute off (two enforcers)" mute_off
kill -STOP "$WP"
"$PM_CLI" on > /dev/null 2> "$T/stopped3.err"; rc=$?
check "WirePlumber stopped: 'on' exits 1 (exit $rc)" test "$rc" -eq 1
check "... not enforced" not_enforced
stop_daemon wireplumber KILL
check "WirePlumber killed: one enforcer left" wait_for 10 enforcers_are 1
check "... and Enforced turns true: the daemon acknowledged" wait_for 10 muted_enforced
# (no capture here: without a session manager no client stream gets ports)
check "mute off (one enforcer)" mute_off
check "the pipewire daemon survived it all" kill -0 "$PW"

finish
