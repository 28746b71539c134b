#!/bin/bash
# make demo: the privacy mute on the real stack, in a private headless
# session (no sound hardware, nothing left running). A real client records
# the default microphone while the mute is switched through the CLI; a level
# meter shows audio, then digital silence, then audio, with the policy state.
# Usage: tools/demo.sh [BUILD_DIR]   (exit 0 only if the capture proves it)
set -u

PM_SRC=$(cd "$(dirname "$0")/.." && pwd)
PM_BUILD=$(cd "${1:-$PM_SRC/build}" && pwd) || exit 2
export PM_SRC PM_BUILD
# the integration tests' session: private runtime dir, bus, policy, pipewire
# with fake microphones, wireplumber, pipewire-pulse; all stopped by PID on
# exit (pm_cleanup)
. "$PM_SRC/tests/integration/lib.sh"

STRETCH=3		# seconds of each of: audio, mute, audio
INTERVAL=0.5		# seconds of audio per meter line

WATCH_PID="" REC_PID="" METER_PID=""

# Stop what the demo itself started, by PID, before lib.sh stops the daemons.
demo_cleanup() {
	local pid
	for pid in $REC_PID $WATCH_PID; do
		kill "$pid" 2>/dev/null
	done
	if [ -n "$METER_PID" ]; then
		# a meter still waiting in open() for a writer: give it one, and EOF
		exec 4<>"$T/pcm" 4>&-
		wait "$METER_PID" 2>/dev/null
	fi
	for pid in $REC_PID $WATCH_PID; do
		wait "$pid" 2>/dev/null
	done
	pm_cleanup
}
trap demo_cleanup EXIT
# Ctrl-C or a kill: leave through the EXIT trap, so the cleanup runs
trap 'exit 130' INT TERM HUP

# stop_pid PID: TERM, then KILL if it is still there after 5 s
stop_pid() {
	kill -TERM "$1" 2>/dev/null
	wait_for 5 sh -c "! kill -0 $1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
say() { printf '%s\n' "$*"; }
# run a CLI command the way a user would, showing it and its output
run_cli() {
	say "\$ privacy-mute $*"
	"$PM_CLI" "$@"
}
fail() {
	say "demo: FAILED: $*"
	PM_FAILS=1	# lib.sh then prints the daemons' last log lines
	exit 1
}

say "== privacy-mute demo =="
say "A private PipeWire session without sound hardware: its own D-Bus, the"
say "privacy-mute-policy service, pipewire with the privacy-mute module and fake"
say "microphones, wireplumber, pipewire-pulse, all in $T (removed at the end)."
say
start_stack || fail "the session did not start"
# a first start has no saved state: unmuted, once the module has acknowledged
wait_for 10 unmuted_enforced || fail "the policy is not 'unmuted, enforced' at start"
src=$(wpctl inspect @DEFAULT_AUDIO_SOURCE@ 2>/dev/null |
	sed -n 's/.*node\.description = "\(.*\)"/\1/p' | head -n 1)
say "Default microphone: ${src:-?} (a sine tone). Policy state:"
"$PM_CLI" status | sed 's/^/    /'
say

# The policy state, one line per change, for the meter to show
"$PM_CLI" watch > "$T/policy.txt" 2>>"$T/log/clients.log" &
WATCH_PID=$!
wait_for 5 test -s "$T/policy.txt" || fail "privacy-mute watch printed nothing"

# A real client (pw-record, default source) into the meter through a FIFO, so
# that both PIDs are known and the recorder can be stopped on its own.
mkfifo "$T/pcm"
( "$PM_PCM" meter "$INTERVAL" "$T/policy.txt" < "$T/pcm"; echo $? > "$T/meter.rc" ) |
	tee "$T/meter.txt" &
METER_PID=$!
say "Recording the default microphone for $((3 * STRETCH)) s; a meter line every $INTERVAL s:"
say "\$ privacy-mute watch > policy.txt &"
say "\$ pw-record --raw --format s16 --rate 48000 --channels 2 - | pm-pcm meter $INTERVAL policy.txt"
pw-record --raw --format s16 --rate 48000 --channels 2 - > "$T/pcm" 2>>"$T/log/clients.log" &
REC_PID=$!
wait_for 5 grep -q RMS "$T/meter.txt" || fail "no audio from pw-record"

sleep "$STRETCH"
run_cli on || fail "privacy-mute on did not confirm the mute as enforced"
# what applications see of the source: not muted (they cannot tell, or undo it)
say "\$ pactl get-source-mute @DEFAULT_SOURCE@"
pactl get-source-mute @DEFAULT_SOURCE@ 2>&1
sleep "$STRETCH"
run_cli off || fail "privacy-mute off did not confirm the unmute as enforced"
sleep "$STRETCH"

# stop the recorder; the meter sees the end of the stream and sums up
stop_pid "$REC_PID"
REC_PID=""
wait "$METER_PID"
METER_PID=""
stop_pid "$WATCH_PID"
WATCH_PID=""

say
muted=$(awk '$2 == "muted" { n += $8 } END { print n + 0 }' "$T/meter.txt")
[ "$(cat "$T/meter.rc" 2>/dev/null)" = 0 ] || fail "the meter's verdict is FAIL (see above)"
grep -qx 'stretches: unmuted muted unmuted' "$T/meter.txt" ||
	fail "expected the stretches unmuted, muted, unmuted"
say "demo: OK. While muted (and enforced) pw-record received $muted samples, all"
say "zero; before and after, the microphone's signal."
exit 0
