# The hostile reader, for the tests that attack a source with it: pm-spy
# (tests/tools/pm-spy.c), a pw_filter linked by hand to a source's output
# ports, spinning on another core over the buffers it was handed. Sourced
# after lib.sh.
SPY="$PM_BUILD/tests/tools/pm-spy"

# port_config NODE MODE [FORMAT]: NODE's output PortConfig (see formats.sh
# for the keys pw-cli wants)
port_config() {
	local id fmt=""
	id=$(node_id "$1")
	[ -n "${3:-}" ] && fmt="format = { mediaType = audio mediaSubtype = raw format = $3
		rate = 48000 channels = 2 position = [ FL FR ] }"
	pw-cli set-param "$id" PortConfig "{ direction = Output mode = $2 $fmt }" \
		>/dev/null 2>>"$T/log/clients.log"
}
out_ports() { pw-link -o 2>/dev/null | grep "^$1:"; }
n_out_ports() { test "$(out_ports "$1" | wc -l)" -eq "$2"; }
spy_ports() { pw-link -i 2>/dev/null | grep -c "^$1:input_"; }
has_spy_ports() { test "$(spy_ports "$1")" -ge "$2"; }
said() { grep -q "$2" "$1"; }
# is_driver NAME: pw-top shows NAME running, with a quantum, under no driver
is_driver() {
	pw-top -b -n 2 2>/dev/null | grep -Eq "^R +[0-9]+ +[1-9][0-9]* +[0-9]+ .*[0-9] $1\$"
}
# spy_pid OUT: pm-spy's own pid (it runs under timeout, whose pid we have)
spy_pid() { sed -n 's/^ready pid \([0-9]*\)$/\1/p' "$1"; }

# spy_once OUT SOURCE dsp|s16|f32 [pm-spy args]: pm-spy linked to SOURCE's
# output ports (dsp: its first two, FL and FR; otherwise its first) for
# 4 s; its counts are reset after the first second in which the link ran
# cycles, so the total covers the 2 to 3 s after that (about 100 to 140
# cycles; ran() wants 50). Its output goes to OUT.
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
	timeout -s INT 15 "$SPY" --name "$name" --seconds 4 "$@" > "$out" 2>>"$T/log/clients.log" &
	pid=$!
	if wait_for 5 has_spy_ports "$name" "$([ "$mode" = dsp ] && echo 2 || echo 1)"; then
		# by the ports it has: capture_FL/FR for a source, output_FL/FR
		# for a node that calls itself a stream
		a=$(out_ports "$src" | sed -n 1p)
		pw-link "$a" "$name:input_0" 2>>"$T/log/clients.log"
		if [ "$mode" = dsp ]; then
			b=$(out_ports "$src" | sed -n 2p)
			pw-link "$b" "$name:input_1" 2>>"$T/log/clients.log"
		fi
		wait_for 5 said "$out" "^interval [0-9]*: cycles [1-9]"
		# SPY_ROLE=follower|driver: note whether SOURCE ran as one
		[ -n "${SPY_ROLE:-}" ] && "is_$SPY_ROLE" "$src" && echo yes > "$out.$SPY_ROLE"
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
