#!/bin/bash
# Loading the module at run time into a WirePlumber whose hosted microphones
# are streaming, through WirePlumber's sm-objects metadata (as a desktop loads
# PipeWire modules on demand), and unloading it by clearing the key: running
# captures turn silent once the mute is confirmed, and carry the sources'
# data again once the module is gone; WirePlumber keeps running.
#
# Two sources in WirePlumber's process: wpmic, a local adapter node (an
# audiotestsrc sine, as WirePlumber hosts Bluetooth headsets), and wppipe, a
# pipe source (libpipewire-module-pipe-tunnel, a pw_stream, also loaded
# through sm-objects) fed with known noise, so that the audio after the
# unload can be compared bit for bit. It drives its graph, as pulse's
# module-pipe-source does: a pipe source that follows another driver
# resamples to match rates and is not bit-exact. (An ALSA source as a local node in
# WirePlumber would do that too, but PipeWire 1.4 cannot start one there:
# "could not get any follower buffers: Input/output error".)
#
# wpmic is guarded wherever the module finds it. wppipe, a pw_stream that
# was exported before the module was loaded, is out of the module's reach
# (a stream node is not registered in its process): while it exists, that
# enforcer does not confirm a mute, so Enforced stays false and status lists
# wppipe as unguarded. Once it is gone the mute is confirmed; a pipe source
# made after the load is guarded from its first buffer.
. "$(dirname "$0")/lib.sh"

wp_mic_conf wpmic		# and no module in WirePlumber's config
start_stack || exit 1
WP=${PM_PID[wireplumber]}
KEY=privacy-mute

pw-metadata -n sm-objects 0 pm-wppipe "{ type = pw-module, name = libpipewire-module-pipe-tunnel,
	args = { tunnel.mode = source pipe.filename = \"$T/wppipe\" audio.format = S16LE
		audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]
		stream.props = { node.name = wppipe media.class = Audio/Source
			node.driver = true priority.driver = 50000 } } }" \
	Spa:String:JSON >/dev/null 2>>"$T/log/clients.log"
both_exist() { has_node wpmic && has_node wppipe; }
check "wpmic and wppipe exist" wait_for 20 both_exist
check "wpmic is made in WirePlumber's process (pid $WP)" node_hosted_by wpmic "$WP"
check "wppipe is made in WirePlumber's process" node_hosted_by wppipe "$WP"
check "only the daemon's enforcer at first" enforcers_are 1
wait_for 10 test -p "$T/wppipe"
"$PM_PCM" noise 120 | "$PM_PCM" pace > "$T/wppipe" 2>>"$T/log/clients.log" &
PM_PID[pipewriter]=$!

cap_pm "$T/mic.raw" 60 --target wpmic --timeline "$T/mic.tl" &
PM_PID[capmic]=$!
cap_pm "$T/pipe.raw" 60 --target wppipe --timeline "$T/pipe.tl" &
PM_PID[cappipe]=$!
check "the captures of wpmic and wppipe are running" \
	wait_for 10 sh -c "test -s '$T/mic.tl' && test -s '$T/pipe.tl'"
# from 0.3 s on: past the pipe source's start-up (its first buffers are empty)
ts=$(($(now_ns) + 300000000))
sleep 1.5

# load while unmuted, mute, unload
ta=$(now_ns)
wp_load_module "$KEY"
check "sm-objects: WirePlumber's enforcer registered" wait_for 20 enforcer_pid "$WP"
check "... and acknowledged the state (unmuted)" wait_for 10 enforcer_acked "$WP"
tl=$(now_ns)
sleep 1
t0=$(now_ns)
"$PM_CLI" --timeout 3000 on 2>"$T/on.err"; rc=$?
t1=$(now_ns)
check "mute on: not confirmed while wppipe streams out of reach (exit 1)" test "$rc" = 1
check "... the CLI says which enforcer did not confirm" grep -q "1 of 2 acknowledged" "$T/on.err"
check "... status: muted, not enforced" status_eval 's["muted"] and not s["enforced"]'
check "... WirePlumber's enforcer counts the source it found (wpmic)" \
	status_eval "any(e['pid'] == $WP and e['sources'] >= 1 for e in s['enforcers'])"
check "... wppipe, which it cannot reach, is listed as unguarded" \
	status_eval "'wppipe' in [u['name'] for u in s['unguarded']]"
check "... wpmic is not" status_eval "'wpmic' not in [u['name'] for u in s['unguarded']]"
check "WirePlumber's log names wppipe" grep -q "source 'wppipe'.*exported before" "$T/log/wireplumber.log"
sleep 1.5
t2=$(now_ns)
wp_unload_module "$KEY"
# its sources are guarded by nobody now: the daemon's enforcer lists them
check "key cleared: WirePlumber's enforcer left (1 left), wpmic unguarded, not confirmed" \
	wait_for 20 sh -c "$(declare -f status_eval enforcers_are not_enforced); PM_CLI='$PM_CLI'; enforcers_are 1 && not_enforced &&
		status_eval \"'wpmic' in [u['name'] for u in s['unguarded']]\" >/dev/null"
t3=$(now_ns)
sleep 1.5
t4=$(now_ns)

# load while muted (initial.state): wpmic silent once the enforcer is there
wp_load_module "$KEY"
check "loaded again while muted: WirePlumber's enforcer registered" \
	wait_for 20 enforcer_pid "$WP"
t5=$(now_ns)
check "... and still does not confirm the mute" not_enforced
sleep 1.5
t6=$(now_ns)
wp_unload_module "$KEY"
check "key cleared again: WirePlumber's enforcer left" wait_for 20 enforcers_are 1
t7=$(now_ns)
check "mute off" mute_off
sleep 2.5
end=$(now_ns)
stop_daemon capmic
stop_daemon cappipe

Q=$QUANTUM_NS
check "wpmic, no module: signal" expect_timeline signal "$T/mic.tl" "$ts" "$ta" 20
check "wpmic, module loaded at run time, unmuted: signal" \
	expect_timeline signal "$T/mic.tl" "$tl" "$t0" 20
check "wpmic, mute applied: the running capture is silent" \
	expect_timeline silence "$T/mic.tl" $((t1 + Q)) "$t2" 20
check "wpmic, module unloaded (still muted, unguarded): signal again" \
	expect_timeline signal "$T/mic.tl" $((t3 + Q)) "$t4" 20
check "wpmic, module loaded while muted: silent once it registered" \
	expect_timeline silence "$T/mic.tl" $((t5 + Q)) "$t6" 20
check "wpmic, module unloaded, unmuted: signal" \
	expect_timeline signal "$T/mic.tl" $((t7 + Q)) "$end" 20
timeline_tail "$T/pipe.raw" "$T/pipe.tl" $((t7 + Q)) > "$T/after.raw"
# (bit-exact where it has data: a paced pipe whose writer falls behind on
# a loaded machine runs dry, and the source fills that cycle with silence)
check "after the unload wppipe's capture is its noise, bit-exact" \
	"$PM_PCM" match-gaps "$T/noise.raw" "$T/after.raw"
stop_daemon pipewriter

# wppipe gone: the mute is confirmed; a pipe source made after the load is
# guarded through the export hook from its first buffer
# (once it is idle: PipeWire's pipe-tunnel crashes its host when unloaded
# while it drives, tests/upstream/README.md)
check "wppipe removed" remove_pipe_source pm-wppipe wppipe
wp_load_module "$KEY"
check "loaded while unmuted: WirePlumber's enforcer acknowledged" wait_for 20 enforcer_acked "$WP"
check "mute on: confirmed by both enforcers" mute_on
no_unguarded() { status_eval 'len(s["unguarded"]) == 0'; }
check "... and no source is unguarded (once the reports are in)" wait_for 5 no_unguarded
pw-metadata -n sm-objects 0 pm-wppipe2 "{ type = pw-module, name = libpipewire-module-pipe-tunnel,
	args = { tunnel.mode = source pipe.filename = \"$T/wppipe2\" audio.format = S16LE
		audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]
		stream.props = { node.name = wppipe2 media.class = Audio/Source
			node.driver = true priority.driver = 50000 } } }" \
	Spa:String:JSON >/dev/null 2>>"$T/log/clients.log"
check "wppipe2 made after the load" wait_for 20 has_node wppipe2
wait_for 10 test -p "$T/wppipe2"
"$PM_PCM" noise 30 | "$PM_PCM" pace > "$T/wppipe2" 2>>"$T/log/clients.log" &
PM_PID[pipewriter2]=$!
check "... muted and enforced with it" wait_for 10 muted_enforced
cap_pm "$T/pipe2.raw" 3 --target wppipe2 --timeline "$T/pipe2.tl"
check "wppipe2 while muted: silence from the first buffer" \
	expect_timeline silence "$T/pipe2.tl" 0 "$(now_ns)" 20
check "mute off" mute_off
# past the link's start: a pipe source may give an empty buffer while it
# catches up with its fifo (the paced writer keeps it near empty)
cap_pm "$T/pipe2-off.raw" 3 --target wppipe2 --timeline "$T/pipe2-off.tl"
# (from 0.3 s after its first buffer: linking can take longer than that)
tu=$(( $(awk 'NR == 1 { print $1 }' "$T/pipe2-off.tl" 2>/dev/null || echo 0) + 300000000 ))
check "wppipe2 unmuted: signal" expect_timeline signal "$T/pipe2-off.tl" "$tu" "$(now_ns)" 20
wp_unload_module "$KEY"
check "WirePlumber did not crash" kill -0 "$WP"
check "WirePlumber still serves the session" wp_ready
stop_daemon pipewriter2
check "wppipe2 removed" remove_pipe_source pm-wppipe2 wppipe2
check "WirePlumber did not crash" kill -0 "$WP"

finish
