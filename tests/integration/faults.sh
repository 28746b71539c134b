#!/bin/bash
# Faults while muted: the audio daemons and the session bus die and come
# back, and no capture hears the microphone. fail-closed.sh already shows a
# policy killed between captures and a clean (TERM) restart of the whole
# audio stack; here every host is SIGKILLed on its own, a capture runs
# across a policy kill and across a bus outage, and the first buffers of
# each source after its host restarted are checked one by one.
#
# Three enforcers: the daemon (testmic, alsamic), WirePlumber (wpmic, a
# local node as for Bluetooth) and pipewire-pulse (pipemic, a pipe source
# fed with noise).
. "$(dirname "$0")/lib.sh"

mics_conf
module_conf
wp_mic_conf wpmic
wp_module_conf
pulse_module_conf
start_stack || exit 1

# pipemic, fed with known noise at real-time pace; loaded again after each
# pipewire-pulse restart (the writer dies with its reader, by SIGPIPE).
# Loaded at run time, not by pulse.cmd: pulse.cmd runs when
# module-protocol-pulse loads, before the drop-in loads the enforcer, so
# a source made there is not guarded (the enforcer reports it unguarded).
start_pipewriter() {
	pactl load-module module-pipe-source source_name=pipemic file="$T/pipemic" \
		format=s16le rate=48000 channels=2 >/dev/null 2>>"$T/log/clients.log"
	wait_for 10 test -p "$T/pipemic" || return 1
	"$PM_PCM" noise 120 | "$PM_PCM" pace > "$T/pipemic" 2>>"$T/log/clients.log" &
	PM_PID[pipewriter]=$!
}
start_pipewriter
all_mics() { has_node testmic && has_node alsamic && has_node wpmic && has_node pipemic; }
check "testmic, alsamic, wpmic, pipemic exist" wait_for 20 all_mics
check "three enforcers registered" wait_for 20 enforcers_are 3
no_unguarded() { status_eval 's["unguarded"] == []' >/dev/null; }
check "every capture source is guarded" wait_for 10 no_unguarded
check "mute on: all three acknowledged" mute_on
three_muted() { enforcers_are 3 && muted_enforced; }
# bg_capture NAME TARGET SECONDS: a capture in the background, once it
# has buffers; EVENT_NS is when the fault came, set by the caller
bg_capture() {
	cap_pm "$T/$1.raw" "$3" --target "$2" --timeline "$T/$1.tl" &
	PM_PID[cap]=$!
	CAP_NAME=$1
	wait_for 20 sh -c "[ \$(wc -l < '$T/$1.tl') -ge 10 ]"
}
# wait_capture WHAT MIN_AFTER: the capture ends by itself; it was silent
# before and after EVENT_NS, with at least MIN_AFTER buffers after it
wait_capture() {
	wait "${PM_PID[cap]}"; unset "PM_PID[cap]"
	check "$1: silent before" expect_timeline silence "$T/$CAP_NAME.tl" 0 "$EVENT_NS" 10
	check "$1: silent after" expect_timeline silence "$T/$CAP_NAME.tl" "$EVENT_NS" "$(now_ns)" "$2"
}

# the first buffers of a capture started now, on each source in turn
first_buffers_silent() { # WHAT
	local m
	for m in testmic alsamic wpmic pipemic; do
		cap_pm "$T/$1-$m.raw" 1.5 --target "$m" --timeline "$T/$1-$m.tl"
		check "$1: $m silent from the first buffer (pm-capture)" \
			expect_timeline silence "$T/$1-$m.tl" 0 "$(now_ns)" 20
	done
}

# ---- the policy SIGKILLed while a capture runs ----
bg_capture polkill testmic 5
EVENT_NS=$(now_ns)
stop_policy KILL
check "policy killed during a capture: the CLI cannot reach it" sh -c "! '$PM_CLI' status"
cap_parec "$T/polkill-pipe.raw" 3 --device=pipemic
check "policy gone: parec on pipemic silent" expect silence "$T/polkill-pipe.raw"
wait_capture "a capture running across the policy kill" 40
start_policy || exit 1
check "policy restarted: muted, the three enforcers back and acknowledged" \
	wait_for 20 three_muted

# ---- pipewire SIGKILLed, then restarted ----
stop_daemon pipewire KILL
# WirePlumber leaves with its daemon; pipewire-pulse stays connected to
# nothing, so it is killed too, as its systemd unit would be restarted
stop_daemon wireplumber KILL
stop_daemon pulse KILL
check "pipewire gone: the policy is still muted" status_eval 's["muted"]'
# the policy does not answer until the first buffers are checked
kill -STOP "${PM_PID[policy]}"
start_pipewire && start_wireplumber && start_pulse && start_pipewriter || exit 1
check "pipewire restarted: every mic back" wait_for 20 all_mics
first_buffers_silent "pipewire restarted, the policy not answering"
kill -CONT "${PM_PID[policy]}"
cap_pw_record "$T/pw-alsa.raw" 2 --target alsamic
check "pipewire restarted: pw-record on alsamic silent" expect silence "$T/pw-alsa.raw"
check "pipewire restarted: three enforcers, muted and enforced" \
	wait_for 20 three_muted
check "pipewire restarted: every capture source is guarded" wait_for 10 no_unguarded

# ---- WirePlumber SIGKILLed, then restarted ----
WP=${PM_PID[wireplumber]}
# a capture linked before the kill keeps running across it
bg_capture wpkill testmic 8
EVENT_NS=$(now_ns)
stop_daemon wireplumber KILL
check "WirePlumber killed: its enforcer dropped" wait_for 10 enforcers_are 2
# the policy stopped (SIGSTOP) while WirePlumber comes back: its new
# enforcer cannot hear the state and must start muted on its own
kill -STOP "${PM_PID[policy]}"
start_wireplumber || exit 1
check "WirePlumber restarted: wpmic back" wait_for 20 has_node wpmic
cap_pm "$T/wp-first.raw" 1.5 --target wpmic --timeline "$T/wp-first.tl"
check "WirePlumber restarted, the policy not answering: wpmic silent from the first buffer (pm-capture)" \
	expect_timeline silence "$T/wp-first.tl" 0 "$(now_ns)" 20
kill -CONT "${PM_PID[policy]}"
cap_pw_record "$T/wp-rec.raw" 2 --target wpmic
check "WirePlumber restarted: pw-record on wpmic silent" expect silence "$T/wp-rec.raw"
check "WirePlumber restarted: its new enforcer registered (pid ${PM_PID[wireplumber]}, was $WP)" \
	wait_for 10 enforcer_acked "${PM_PID[wireplumber]}"
wait_capture "a capture of testmic across the WirePlumber kill and restart" 40

# ---- pipewire-pulse SIGKILLed, then restarted ----
stop_daemon pulse KILL
stop_daemon pipewriter
check "pipewire-pulse killed: its enforcer dropped" wait_for 10 enforcers_are 2
kill -STOP "${PM_PID[policy]}"
start_pulse && start_pipewriter || exit 1
check "pipewire-pulse restarted: pipemic back" wait_for 20 has_node pipemic
cap_pm "$T/pulse-first.raw" 1.5 --target pipemic --timeline "$T/pulse-first.tl"
check "pipewire-pulse restarted, the policy not answering: pipemic silent from the first buffer (pm-capture)" \
	expect_timeline silence "$T/pulse-first.tl" 0 "$(now_ns)" 20
kill -CONT "${PM_PID[policy]}"
cap_parec "$T/pulse-rec.raw" 3 --device=pipemic
check "pipewire-pulse restarted: parec on pipemic silent" expect silence "$T/pulse-rec.raw"
cap_parec "$T/pulse-alsa.raw" 3 --device=alsamic
check "pipewire-pulse restarted: parec on alsamic silent" expect silence "$T/pulse-alsa.raw"
check "pipewire-pulse restarted: its new enforcer registered" \
	wait_for 10 enforcer_acked "${PM_PID[pulse]}"

# ---- the session bus goes away and comes back ----
bg_capture bus testmic 12
EVENT_NS=$(now_ns)
stop_daemon bus KILL
# the policy loses its bus and exits; it is restarted once the bus is back
check "bus killed: the policy leaves with it" wait_for 10 sh -c "! kill -0 ${PM_PID[policy]}"
unset "PM_PID[policy]"
cap_pw_record "$T/nobus.raw" 2 --target alsamic
check "no bus: pw-record on alsamic silent" expect silence "$T/nobus.raw"
cap_parec "$T/nobus-pipe.raw" 3 --device=pipemic
check "no bus: parec on pipemic silent" expect silence "$T/nobus-pipe.raw"
cap_pm "$T/nobus-wp.raw" 1.5 --target wpmic --timeline "$T/nobus-wp.tl"
check "no bus: pm-capture on wpmic silent" expect_timeline silence "$T/nobus-wp.tl" 0 "$(now_ns)" 20
# a SIGKILLed bus leaves its socket file: start_bus would take it for the
# new one before the new daemon listens
rm -f "$T/run/bus"
start_bus && start_policy || exit 1
check "bus and policy restarted: the three enforcers reconnected and registered" \
	wait_for 30 enforcers_are 3
check "... muted and enforced" wait_for 10 muted_enforced
for p in pipewire wireplumber pulse; do
	check "... $p's enforcer is the same process (pid ${PM_PID[$p]})" enforcer_acked "${PM_PID[$p]}"
done
check "... the daemon's enforcer says it lost the bus" grep -q "lost the session bus" "$T/log/pipewire.log"
wait_capture "a capture running across the bus outage" 100

# ---- controls: unmuted, the same captures carry the signal ----
check "mute off: the reconnected enforcers follow" mute_off
cap_pm "$T/off-test.raw" 1.5 --target testmic --timeline "$T/off-test.tl"
check "unmuted: testmic carries its sine" expect signal "$T/off-test.raw"
cap_pw_record "$T/off-alsa.raw" 2 --target alsamic
check "unmuted: alsamic carries its noise" expect signal "$T/off-alsa.raw"
cap_pw_record "$T/off-wp.raw" 2 --target wpmic
check "unmuted: wpmic carries its sine" expect signal "$T/off-wp.raw"
# the pipe source fills with zeros wherever its paced writer falls behind
# (a loaded machine), so this asks for plenty of noise, not for most samples
heard() { # FILE: at least 0.1 s worth of clearly audible samples
	"$PM_PCM" stat s16 "$1" | tee /dev/stderr | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		exit !(v["nonsilent"] >= 9600 && v["peak"] >= 0.05) }'
}
cap_parec "$T/off-pipe.raw" 3 --device=pipemic
check "unmuted: pipemic carries its noise (its writer feeds it)" heard "$T/off-pipe.raw"

finish
