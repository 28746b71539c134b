#!/bin/bash
# A hostile client gets nothing from shared memory while muted: pm-spy, a
# pw_filter linked by hand to a source, spins on another core over every
# buffer it was handed (the link's own memory, mapped read-write) and
# writes offset/size/flags 0 into their chunks. For each source (driver,
# follower, ALSA), in dsp and in passthrough port configuration: unmuted,
# the spinning reader must catch the signal (the control: the attack
# works), muted it must catch no non-zero sample at all.
. "$(dirname "$0")/lib.sh"

start_stack || exit 1
SPY="$PM_BUILD/tests/tools/pm-spy"

# port_config NODE MODE [FORMAT]: NODE's output PortConfig (see formats.sh
# for the keys pw-cli wants)
port_config() {
	local id fmt=""
	id=$(node_id "$1")
	[ -n "${3:-}" ] && fmt="format = { mediaType = audio mediaSubtype = raw format = $3
		rate = 48000 channels = 2 position = [ FL FR ] }"
	timeout 10 pw-cli set-param "$id" PortConfig "{ direction = Output mode = $2 $fmt }" \
		>/dev/null 2>>"$T/log/clients.log"
}
out_ports() { timeout 5 pw-link -o 2>/dev/null | grep "^$1:"; }
n_out_ports() { test "$(out_ports "$1" | wc -l)" -eq "$2"; }
spy_ports() { timeout 5 pw-link -i 2>/dev/null | grep -c "^$1:input_"; }
has_spy_ports() { test "$(spy_ports "$1")" -ge "$2"; }
said() { grep -q "$2" "$1"; }
# spy_pid OUT: pm-spy's own pid (it runs under timeout, whose pid we have)
spy_pid() { sed -n 's/^ready pid \([0-9]*\)$/\1/p' "$1"; }

# spy OUT SOURCE dsp|s16|f32 [pm-spy args]: pm-spy linked to SOURCE's
# output ports for 5 s; its counts are reset 2 s in, once the link runs,
# so the total covers the last 3 s. Its output goes to OUT.
SPY_N=0
spy_once() {
	local out=$1 src=$2 mode=$3 name pid a b
	shift 3
	SPY_N=$((SPY_N + 1))
	name="pm-spy-$SPY_N"
	if [ "$mode" = dsp ]; then
		set -- --ports 2 "$@"
	else
		set -- --format "$mode" "$@"
	fi
	timeout -s INT 15 "$SPY" --name "$name" --seconds 5 "$@" > "$out" 2>>"$T/log/clients.log" &
	pid=$!
	if wait_for 5 has_spy_ports "$name" "$([ "$mode" = dsp ] && echo 2 || echo 1)"; then
		if [ "$mode" = dsp ]; then
			timeout 5 pw-link "$src:capture_FL" "$name:input_0" 2>>"$T/log/clients.log"
			timeout 5 pw-link "$src:capture_FR" "$name:input_1" 2>>"$T/log/clients.log"
		else
			a=$(out_ports "$src" | head -n 1)
			timeout 5 pw-link "$a" "$name:input_0" 2>>"$T/log/clients.log"
		fi
		wait_for 5 said "$out" "^interval 1:"
		[ -n "${SPY_FOLLOWER:-}" ] && is_follower "$src" && echo yes > "$out.follower"
		kill -USR1 "$(spy_pid "$out")" 2>/dev/null
	fi
	wait "$pid"
}

# A graph that stalls ("audiotestsrc: out of buffers", seen with this
# module before shadow buffers too, not without it) gives a run with no
# cycles, which proves nothing: such a run is made again, twice at most.
spy() {
	local n
	for n in 1 2 3; do
		spy_once "$@"
		ran "$1" && return 0
		log "       (run $n of pm-spy on $2 had no cycles: again)"
	done
}

# field OUT WORD: the number after WORD in OUT's total line
field() { sed -n "s/^total: .*$2 \([0-9]*\).*/\1/p" "$1"; }
ran() { # OUT: the spy ran its cycles after the reset and had buffers
	grep -q '^reset$' "$1" && test "$(field "$1" cycles)" -ge 50 &&
	test "$(sed -n 's/^total: .*buffers \([0-9]*\).*/\1/p' "$1")" -gt 0
}
caught_some() { ran "$1" && test "$(field "$1" caught)" -gt 0; }
caught_none() { ran "$1" && test "$(field "$1" caught)" -eq 0 && test "$(field "$1" delivered)" -eq 0; }
show() { log "       $(grep '^total:' "$1")"; }

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
SPY_FOLLOWER=1 attack followmic dsp
check "followmic ran as a follower of another driver" test -s "$T/spy-followmic-dsp-muted.follower"
attack alsamic dsp

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
passthrough followmic S16LE s16
passthrough testmic S16LE s16

finish
