#!/bin/bash
# A hostile client gets nothing from shared memory while muted: pm-spy, a
# pw_filter linked by hand to a source, spins on another core over every
# buffer it was handed (the link's own memory, mapped read-write) and
# writes offset/size/flags 0 into their chunks. For each source, in dsp
# and in passthrough port configuration: unmuted, the spinning reader must
# catch the signal (the control: the attack works), muted it must catch no
# non-zero sample at all, with and without clobbering. The sources:
#  - in the daemon: testmic and followmic (audiotestsrc sines following
#    the timer driver pm-clock; see mics_conf in lib.sh) and alsamic (an
#    ALSA source on a file of noise, its own driver);
#  - wpmic: a local adapter node in WirePlumber's process (wp-mic.lua), an
#    audiotestsrc following pm-clock, guarded by the module loaded into
#    WirePlumber;
#  - pipemic: module-pipe-source in pipewire-pulse (a pw_stream there that
#    drives its graph), fed noise through its fifo, guarded by the module
#    loaded into pipewire-pulse. Its pw_stream's adapter takes a PortConfig
#    like the others: in passthrough its one port (capture_1, S16LE) is
#    the stream's own, which module-pipe-tunnel fills, with no converter.
# Without the module in WirePlumber and pipewire-pulse (a copy of this
# test without those two drop-ins, run by hand) the muted runs on wpmic
# and pipemic catch as much as their controls.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spy-lib.sh"

# wpmic in WirePlumber; the module loaded into WirePlumber and
# pipewire-pulse too (three enforcers)
wp_mic_conf wpmic
wp_module_conf
pulse_module_conf
start_stack || exit 1
WP=${PM_PID[wireplumber]} PULSE=${PM_PID[pulse]}

# pipemic: module-pipe-source in pipewire-pulse (module-pipe-tunnel, a
# pw_stream there), fed known noise (never a zero sample) at real-time
# pace for longer than the test runs: a pipe that runs dry makes zeros,
# and the control would catch nothing. The writer is stopped first at
# exit, and pipewire-pulse only once pipemic no longer runs (pm_cleanup:
# module-pipe-tunnel crashes its host when destroyed while it drives).
pactl load-module module-pipe-source source_name=pipemic file="$T/pipemic" \
	format=s16le rate=48000 channels=2 > "$T/pipemic.module" 2>>"$T/log/clients.log"
check "module-pipe-source loaded into pipewire-pulse" test -s "$T/pipemic.module"
check "pipewire-pulse created the fifo" wait_for 10 test -p "$T/pipemic"
"$PM_PCM" noise 900 | "$PM_PCM" pace > "$T/pipemic" 2>>"$T/log/clients.log" &
PM_PID[pipewriter]=$!
check "wpmic exists, made in WirePlumber's process (pid $WP)" \
	wait_for 20 node_hosted_by wpmic "$WP"
check "pipemic exists, made in pipewire-pulse's process (pid $PULSE)" \
	wait_for 10 node_hosted_by pipemic "$PULSE"
check "three enforcers: pipewire, WirePlumber, pipewire-pulse" wait_for 20 enforcers_are 3

# attack SOURCE dsp|s16|f32: control unmuted, then muted, clobbering chunks
attack() {
	local src=$1 mode=$2 f="$T/spy-$1-$2"
	check "$src $mode: mute off" mute_off
	spy "$f-control" "$src" "$mode" --clobber
	check "$src $mode, unmuted (control): the spinning reader catches the signal" \
		caught_some "$f-control"
	show "$f-control"
	check "$src $mode: mute on, enforced" mute_on
	spy "$f-muted" "$src" "$mode" --clobber
	check "$src $mode, muted: the spinning reader catches no non-zero sample, chunks clobbered" \
		caught_none "$f-muted"
	show "$f-muted"
	spy "$f-muted-plain" "$src" "$mode"
	check "$src $mode, muted: nothing caught without clobbering either" \
		caught_none "$f-muted-plain"
	show "$f-muted-plain"
}

# passthrough SOURCE FORMAT(PortConfig) FORMAT(pm-spy): the source's own
# port, no converter. Done last for each source and never switched back:
# PipeWire 1.4.2 itself crashes (audioconvert, with or without this
# module) when testmic goes from passthrough back to dsp and followmic is
# linked next.
passthrough() {
	port_config "$1" passthrough "$2"
	check "$1: in passthrough mode (one port)" wait_for 10 n_out_ports "$1" 1
	attack "$1" "$3"
}

attack testmic dsp
SPY_ROLE=follower attack followmic dsp
check "followmic ran as a follower of another driver" test -s "$T/spy-followmic-dsp-muted.follower"
attack alsamic dsp
SPY_ROLE=follower attack wpmic dsp
check "wpmic ran as a follower of another driver" test -s "$T/spy-wpmic-dsp-muted.follower"
SPY_ROLE=driver attack pipemic dsp
check "pipemic ran as a driver" test -s "$T/spy-pipemic-dsp-muted.driver"

# the mute engages while the spy is already reading: after the engage, the
# buffers it holds carry no audio any more
check "live: mute off" mute_off
timeout -s INT 15 "$SPY" --name pm-spy-live --seconds 6 --clobber > "$T/spy-live" \
	2>>"$T/log/clients.log" &
pid=$!
wait_for 5 has_spy_ports pm-spy-live 2
timeout 5 pw-link testmic:capture_FL pm-spy-live:input_0 2>>"$T/log/clients.log"
timeout 5 pw-link testmic:capture_FR pm-spy-live:input_1 2>>"$T/log/clients.log"
wait_for 5 said "$T/spy-live" "^interval 1:"
check "live: the spy catches the signal while unmuted" \
	sh -c "grep '^interval [1-9]' '$T/spy-live' | grep -vq 'caught 0,'"
check "live: mute on while the spy reads" mute_on
# the mute is enforced from the next cycle on; a quantum is 21 ms
sleep 0.2
kill -USR1 "$(spy_pid "$T/spy-live")"
wait "$pid"
check "live: nothing caught after the mute engaged" caught_none "$T/spy-live"
show "$T/spy-live"

passthrough alsamic S16LE s16
passthrough wpmic S16LE s16
passthrough pipemic S16LE s16
passthrough followmic S16LE s16
passthrough testmic S16LE s16

finish
