#!/bin/bash
# make demo: the privacy mute on the real stack, in a private headless
# session (no sound hardware, nothing left running). A real client records
# the default microphone while the mute is switched through the CLI; a level
# meter shows audio, then digital silence, then audio, with the policy state.
# Beside it a hostile client (pm-spy, the spinning reader of hostile-shm.sh)
# linked by hand to the same microphone reads the link's shared buffers from
# another core; its line under the meter's says what it caught: the signal
# while unmuted, nothing while muted.
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

# the attack client's intervals: one judged after a switch starts at least
# this long after `privacy-mute on` (or off) returned, enforced (the buffers
# the source filled before the mute are all rewritten by then; hostile-shm.sh
# waits as long)
SPY_GUARD_US=200000
PM_SPY="$PM_BUILD/tests/tools/pm-spy"

WATCH_PID="" REC_PID="" METER_PID="" LABEL_PID=""

# Stop what the demo itself started, by PID, before lib.sh stops the daemons.
demo_cleanup() {
	local pid
	# the attack client (under timeout(1): PM_PID[spy] is timeout's pid)
	pm_stop_pids spy
	if [ -n "$LABEL_PID" ]; then
		exec 4<>"$T/spy.fifo" 4>&-
		wait "$LABEL_PID" 2>/dev/null
	fi
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
now_us() { printf '%s\n' "${EPOCHREALTIME/./}"; }
# mark WHAT: the time of a step of the demo, for spy_label
mark() { echo "$1 $(now_us)" >> "$T/marks"; }
mark_at() { sed -n "s/^$1 //p" "$T/marks" 2>/dev/null; }

# spy_label: pm-spy's output on stdin. Its raw lines go to spy.txt; from
# the "go" mark on, each interval is shown under the meter's lines with the
# verdict it must meet, from when it ran (its start: the previous line):
#   before "on" began: unmuted-1 (must catch the signal)
#   from SPY_GUARD_US after "on" returned to before "off" began: muted (0)
#   from SPY_GUARD_US after "off" returned: unmuted-2 (the signal)
#   otherwise: switch (the switch happened in it or just before; not judged)
# and "CATEGORY CAUGHT CYCLES" goes to spy-judged.txt.
spy_label() {
	local line t t0 go on0 on1 off0 off1 cat want
	t0=$(now_us)
	while IFS= read -r line; do
		t=$(now_us)
		printf '%s\n' "$line" >> "$T/spy.txt"
		if [[ $line =~ ^interval\ [0-9]+:\ cycles\ ([0-9]+),\ non-zero\ samples\ caught\ ([0-9]+), ]]; then
			go=$(mark_at go) on0=$(mark_at on0) on1=$(mark_at on1)
			off0=$(mark_at off0) off1=$(mark_at off1)
			if [ -z "$go" ] || [ "$t0" -lt "$go" ]; then
				cat=""
			elif [ -z "$on0" ] || [ "$t" -le "$on0" ]; then
				cat=unmuted-1
			elif [ -n "$on1" ] && [ "$t0" -ge $((on1 + SPY_GUARD_US)) ] &&
				{ [ -z "$off0" ] || [ "$t" -le "$off0" ]; }; then
				cat=muted
			elif [ -n "$off1" ] && [ "$t0" -ge $((off1 + SPY_GUARD_US)) ]; then
				cat=unmuted-2
			else
				cat=switch
			fi
			case $cat in
			unmuted-*) want="unmuted: must be > 0" ;;
			muted) want="muted: must be 0" ;;
			switch) want="around a switch: not judged" ;;
			esac
			if [ -n "$cat" ]; then
				printf '           attack client (spinning reader): caught %9s non-zero samples   (%s)\n' \
					"${BASH_REMATCH[2]}" "$want"
				echo "$cat ${BASH_REMATCH[2]} ${BASH_REMATCH[1]}" >> "$T/spy-judged.txt"
			fi
		fi
		t0=$t
	done
}
spy_ports() { pw-link -i 2>/dev/null | grep -c '^pm-demo-spy:input_[01]$'; }
has_spy_ports() { test "$(spy_ports)" -eq 2; }
spy_ran() { grep -q '^interval [0-9]*: cycles [1-9]' "$T/spy.txt"; }
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
src_name=$(wpctl inspect @DEFAULT_AUDIO_SOURCE@ 2>/dev/null |
	sed -n 's/.*node\.name = "\(.*\)"/\1/p' | head -n 1)
[ -n "$src_name" ] || fail "no default microphone"
say "Default microphone: ${src:-?} (a sine tone). Policy state:"
"$PM_CLI" status | sed 's/^/    /'
say

# The policy state, one line per change, for the meter to show
"$PM_CLI" watch > "$T/policy.txt" 2>>"$T/log/clients.log" &
WATCH_PID=$!
wait_for 5 test -s "$T/policy.txt" || fail "privacy-mute watch printed nothing"

# The attack client: pm-spy, a pw_filter with two ports linked by hand to
# the default microphone beside pw-record; its spinning thread reads every
# buffer of the link, on another core, while the source writes it.
# Not with --clobber here: the source's output ports hand the same buffers
# to every link, so a client that zeroes their chunks' sizes leaves
# pw-record nothing to read, muted or not (its audio, not the mute, is what
# that breaks; hostile-shm.sh runs the clobbering spy alone on a source).
say "An attack client reads the same microphone: pm-spy, linked by hand with"
say "pw-link, spins on another core over the link's shared buffers and counts"
say "the non-zero samples it sees there (on every pass: a sample it reads a"
say "thousand times counts a thousand times):"
say "\$ pm-spy --interval $INTERVAL &"
say "\$ pw-link $src_name:capture_FL pm-demo-spy:input_0; pw-link $src_name:capture_FR pm-demo-spy:input_1"
mkfifo "$T/spy.fifo"
: > "$T/spy.txt"
: > "$T/spy-judged.txt"
spy_label < "$T/spy.fifo" &
LABEL_PID=$!
timeout -s INT -k 2 70 "$PM_SPY" --name pm-demo-spy --ports 2 \
	--interval "$INTERVAL" --seconds 60 > "$T/spy.fifo" 2>>"$T/log/clients.log" &
PM_PID[spy]=$!
wait_for 10 has_spy_ports || fail "pm-spy's ports did not appear"
pw-link "$src_name:capture_FL" pm-demo-spy:input_0 2>>"$T/log/clients.log" &&
	pw-link "$src_name:capture_FR" pm-demo-spy:input_1 2>>"$T/log/clients.log" ||
	fail "pm-spy could not be linked to $src_name"
wait_for 5 spy_ran || fail "pm-spy's link does not run"
say

# A real client (pw-record, default source) into the meter through a FIFO, so
# that both PIDs are known and the recorder can be stopped on its own.
mkfifo "$T/pcm"
( "$PM_PCM" meter "$INTERVAL" "$T/policy.txt" < "$T/pcm"; echo $? > "$T/meter.rc" ) |
	tee "$T/meter.txt" &
METER_PID=$!
say "Recording the default microphone for $((3 * STRETCH)) s; a meter line every $INTERVAL s:"
say "\$ privacy-mute watch > policy.txt &"
say "\$ pw-record --raw --format s16 --rate 48000 --channels 2 - | pm-pcm meter $INTERVAL policy.txt"
say "(under each meter line, indented: what the attack client caught in its last $INTERVAL s)"
mark go
pw-record --raw --format s16 --rate 48000 --channels 2 - > "$T/pcm" 2>>"$T/log/clients.log" &
REC_PID=$!
wait_for 5 grep -q RMS "$T/meter.txt" || fail "no audio from pw-record"

sleep "$STRETCH"
mark on0
run_cli on || fail "privacy-mute on did not confirm the mute as enforced"
mark on1
# what applications see of the source: not muted (they cannot tell, or undo it)
say "\$ pactl get-source-mute @DEFAULT_SOURCE@"
pactl get-source-mute @DEFAULT_SOURCE@ 2>&1
sleep "$STRETCH"
mark off0
run_cli off || fail "privacy-mute off did not confirm the unmute as enforced"
mark off1
sleep "$STRETCH"

# stop the attack client (SIGTERM, by pid; KILL after 5 s); its labeller
# sees the end of its output and exits
pm_stop_pids spy
wait "$LABEL_PID"
LABEL_PID=""

# stop the recorder; the meter sees the end of the stream and sums up
stop_pid "$REC_PID"
REC_PID=""
wait "$METER_PID"
METER_PID=""
stop_pid "$WATCH_PID"
WATCH_PID=""

say
# the attack client, per category of interval: how many, how many failed
# (unmuted: caught nothing; muted: caught anything), least and most caught
spy_sum() { # CATEGORY
	awk -v c="$1" '$1 == c {
		n++; if ((c == "muted") != ($2 == 0)) bad++
		if (n == 1 || $2 < lo) lo = $2; if ($2 > hi) hi = $2
	} END { printf "%d %d %d %d\n", n, bad, lo, hi }' "$T/spy-judged.txt" 2>/dev/null
}
read -r u1 u1_bad u1_lo u1_hi < <(spy_sum unmuted-1)
read -r mu mu_bad _ mu_hi < <(spy_sum muted)
read -r u2 u2_bad u2_lo u2_hi < <(spy_sum unmuted-2)
read -r sw _ < <(spy_sum switch)
say "attack client (spinning reader), per $INTERVAL s interval:"
say "  unmuted, before the mute: $((u1 - u1_bad)) of $u1 caught the signal ($u1_lo to $u1_hi non-zero samples)"
say "  muted:                    $((mu - mu_bad)) of $mu caught 0 non-zero samples$([ "$mu_hi" -gt 0 ] && echo " (the most: $mu_hi)")"
say "  unmuted, after the mute:  $((u2 - u2_bad)) of $u2 caught the signal ($u2_lo to $u2_hi non-zero samples)"
say "  around a switch (from 'on'/'off' until $((SPY_GUARD_US / 1000)) ms after it was enforced): $sw intervals, not judged"
say

muted=$(awk '$2 == "muted" { n += $8 } END { print n + 0 }' "$T/meter.txt")
[ "$(cat "$T/meter.rc" 2>/dev/null)" = 0 ] || fail "the meter's verdict is FAIL (see above)"
grep -qx 'stretches: unmuted muted unmuted' "$T/meter.txt" ||
	fail "expected the stretches unmuted, muted, unmuted"
[ "$u1" -gt 0 ] && [ "$u1_bad" = 0 ] && [ "$u2" -gt 0 ] && [ "$u2_bad" = 0 ] ||
	fail "the attack client did not catch the signal in every unmuted interval"
[ "$mu" -gt 0 ] && [ "$mu_bad" = 0 ] ||
	fail "the attack client caught samples while muted (or had no muted interval)"
say "demo: OK. While muted (and enforced) pw-record received $muted samples, all"
say "zero, and the attack client reading the shared buffers caught nothing in"
say "$mu intervals; before and after, both got the microphone's signal."
exit 0
