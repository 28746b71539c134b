#!/bin/bash
# The monitor.sinks option: on, the monitor outputs of sinks (what the
# speakers play) are silenced while muted too; off (the default), they are
# not. The sink is the session's default one, auto_null ("Dummy Output",
# which pipewire-pulse's module-always-sink has the daemon create), playing
# known noise; its monitor is captured through pulse (parec
# --device=auto_null.monitor) and natively (pw-record with
# stream.capture.sink=true).
. "$(dirname "$0")/lib.sh"

SINK=auto_null

# play: known noise into the default sink, in the background, all along
play() {
	pacat --playback --raw --format=s16le --rate=48000 --channels=2 --device="$SINK" \
		"$T/noise.raw" 2>>"$T/log/clients.log" &
	PM_PID[player]=$!
}
playing() { pactl list short sink-inputs 2>/dev/null | grep -q .; }
monitor_pulse() { cap_parec "$1" 3 --device="$SINK.monitor"; }
monitor_native() { cap_pw_record "$1" 2 --target "$SINK" -P '{ stream.capture.sink = true }'; }

start_stack "monitor.sinks = true" || exit 1
check "the default sink is $SINK" sh -c "pactl get-default-sink | grep -qx $SINK"
play
check "noise is playing into $SINK" wait_for 10 playing

monitor_pulse "$T/a.raw"
check "monitor.sinks = true, unmuted: the monitor (pulse) carries the noise" expect signal "$T/a.raw"
monitor_native "$T/a-native.raw"
check "monitor.sinks = true, unmuted: the monitor (native) carries the noise" expect signal "$T/a-native.raw"
check "... bit-exact" "$PM_PCM" match "$T/noise.raw" "$T/a-native.raw"
check "mute on" mute_on
monitor_pulse "$T/b.raw"
check "monitor.sinks = true, muted: parec of $SINK.monitor is silent" expect silence "$T/b.raw"
monitor_native "$T/b-native.raw"
check "monitor.sinks = true, muted: pw-record of the monitor is silent" expect silence "$T/b-native.raw"
cap_pw_record "$T/b-mic.raw" 2 --target testmic
check "... and the microphones are silent too" expect silence "$T/b-mic.raw"
check "mute off" mute_off
monitor_native "$T/c-native.raw"
check "monitor.sinks = true, unmuted again: the monitor carries the noise" expect signal "$T/c-native.raw"

# the default: monitors are left alone
stop_daemon player
stop_audio
module_conf ""
start_pipewire && start_wireplumber && start_pulse || exit 1
play
check "default options: noise is playing into $SINK" wait_for 10 playing
check "mute on (default options)" mute_on
monitor_pulse "$T/d.raw"
check "monitor.sinks off (default), muted: parec of $SINK.monitor carries the noise" \
	expect signal "$T/d.raw"
monitor_native "$T/d-native.raw"
check "monitor.sinks off (default), muted: pw-record of the monitor carries the noise" \
	expect signal "$T/d-native.raw"
cap_pw_record "$T/d-mic.raw" 2 --target testmic
check "... while the microphones are silent" expect silence "$T/d-mic.raw"
check "mute off" mute_off

finish
