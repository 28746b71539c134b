#!/bin/bash
# privacy-mute benchmark: overhead, engage time and scale, side by side with
# no module and with a filter-chain gate, on the headless test stack; and
# the guard's own cost per cycle, in-process (bench/pm-bench-guard).
#
#   bench/bench.sh BUILD_DIR OUT_DIR
#
# Writes OUT_DIR/guard-cycle.tsv and OUT_DIR/guard-cycle-paced.tsv (guard),
# raw measurements under OUT_DIR/raw, then (bench/report.py)
# OUT_DIR/results.csv, OUT_DIR/results.md and OUT_DIR/bench-overhead.png.
# Every size below can be changed in the environment (bench/smoke.sh runs a
# tiny version in the test suite).
set -u

: "${BENCH_QUANTA:=64 256 1024}"
: "${BENCH_CLIENTS:=1 8 32 64}"
: "${BENCH_WINDOW:=2}"		# seconds per CPU window
: "${BENCH_REPEATS:=3}"		# CPU windows per point, setups interleaved
: "${BENCH_PROFILE:=1.5}"	# seconds of profiler data per point
: "${BENCH_ENGAGE_CALLS:=400}"	# half mute, half unmute
: "${BENCH_SCALE_QUANTA:=$BENCH_QUANTA}"
: "${BENCH_SCALE_SOURCES:=16}"
: "${BENCH_SCALE_CLIENTS:=64}"
: "${BENCH_SCALE_SECONDS:=30}"
: "${BENCH_SCALE_HZ:=20}"
: "${BENCH_GUARD_CHANNELS:=2 8}"
: "${BENCH_GUARD_CYCLES:=2000}"	# timed cycles per variant, back to back
: "${BENCH_GUARD_PACED_CYCLES:=600}"	# ... one period apart (~100 s in all)
: "${BENCH_GUARD_ROUNDS:=10}"
: "${BENCH_PARTS:=guard overhead engage scale}"	# a subset while working on one
: "${BENCH_NOTE:=}"		# a line for the report, e.g. that the machine was shared

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
PM_BUILD=$(realpath "$1")
PM_SRC=$(realpath "$(dirname "$0")/..")
OUT=$(realpath -m "$2")
export PM_BUILD PM_SRC
. "$PM_SRC/tests/integration/lib.sh"

PROFILE="$PM_BUILD/bench/pm-bench-profile"
GUARD="$PM_BUILD/bench/pm-bench-guard"
TOGGLE="$PM_BUILD/bench/pm-bench-toggle"
CAPTURE="$PM_BUILD/tests/tools/pm-capture"
RAW=$OUT/raw
rm -rf "$RAW" "$OUT"/guard-cycle*.tsv
mkdir -p "$RAW"
BENCH_START=$(date +%s)

say() { printf '[bench %4ds] %s\n' $(($(date +%s) - BENCH_START)) "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# ---- the stack ----

# bench_mics_conf N: N sine microphones benchmic1..N (audiotestsrc behind an
# adapter, like testmic in lib.sh), each scheduled by a timer driver of its
# own (benchclockI), as separate devices are: audiotestsrc as a driver stops
# for good after one late cycle (lib.sh, mics_conf)
bench_mics_conf() {
	local i
	{
		echo 'context.spa-libs = { audiotestsrc = audiotestsrc/libspa-audiotestsrc }'
		echo 'context.objects = ['
		for i in $(seq "$1"); do
			cat <<OBJ
    { factory = spa-node-factory
      args = {
          factory.name = support.node.driver
          node.name = benchclock$i
          node.group = benchgroup$i
          priority.driver = 30000
          clock.id = monotonic
      }
    }
    { factory = adapter
      args = {
          factory.name = audiotestsrc
          node.name = benchmic$i
          node.description = "Bench microphone $i"
          media.class = Audio/Source
          audio.rate = 48000
          audio.channels = 2
          audio.position = [ FL FR ]
          node.param.Props = { volume = 0.5 live = false }
          node.group = benchgroup$i
          priority.driver = 100
      }
    }
OBJ
		done
		echo ']'
	} > "$T/config/pipewire/pipewire.conf.d/40-bench-mics.conf"
}

# the alternative a user would build today: a filter-chain virtual source
# capturing benchmic1 through a builtin linear node with gain 0, loaded into
# the daemon; clients record from it
gate_conf() {
	cat > "$T/config/pipewire/pipewire.conf.d/60-bench-gate.conf" <<'CONF'
context.modules = [
    { name = libpipewire-module-filter-chain
      args = {
          node.description = "Bench gate"
          media.name = "Bench gate"
          audio.channels = 2
          audio.position = [ FL FR ]
          filter.graph = {
              nodes = [
                  { type = builtin name = gate label = linear
                    control = { "Mult" = 0.0 "Add" = 0.0 } }
              ]
          }
          capture.props = {
              node.name = "bench-gate-in"
              target.object = "benchmic1"
              node.passive = true
          }
          playback.props = {
              node.name = "bench-gate"
              media.class = Audio/Source
          }
      }
    }
]
CONF
}

# start_group none|module|gate [SOURCES]
start_group() {
	rm -f "$T"/config/pipewire/pipewire.conf.d/*.conf
	bench_mics_conf "${2:-1}"
	case $1 in
	module) module_conf ;;
	gate) gate_conf ;;
	esac
	start_pipewire && start_wireplumber || die "the stack did not start ($1)"
	wait_for 20 has_node benchmic1 || die "benchmic1 did not appear"
	if [ "$1" = gate ]; then
		wait_for 20 has_node bench-gate || die "the filter-chain gate did not appear"
	fi
	if [ "$1" = module ]; then
		"$PM_CLI" off >/dev/null || die "the module did not enforce"
	fi
}

stop_group() {
	stop_clients
	stop_daemon wireplumber
	stop_daemon pipewire
}

set_quantum() {
	pw-metadata -n settings 0 clock.force-rate 48000 >/dev/null 2>>"$T/log/clients.log"
	pw-metadata -n settings 0 clock.force-quantum "$1" >/dev/null 2>>"$T/log/clients.log"
	sleep 0.5
}

# ---- capture clients ----

N_CLIENTS=0

# add_clients N TARGET... [-- TIMELINE_DIR]: start clients up to N in all,
# spread round robin over the targets, each a pm-capture
add_clients() {
	local n=$1 tl=""; shift
	local targets=()
	while [ $# -gt 0 ]; do
		[ "$1" = -- ] && { tl=$2; break; }
		targets+=("$1"); shift
	done
	# join unmuted: many clients joining a muted source at once were seen
	# not to be scheduled until the next unmute (see BENCHMARKS.md)
	[ -n "${PM_PID[policy]:-}" ] && "$PM_CLI" off >/dev/null 2>&1
	while [ "$N_CLIENTS" -lt "$n" ]; do
		local i=$N_CLIENTS name
		name=bench-cap-$i
		local args=(--name "$name" --seconds 36000 --target "${targets[$((i % ${#targets[@]}))]}")
		[ -n "$tl" ] && args+=(--timeline "$tl/$name.tl")
		"$CAPTURE" "${args[@]}" > /dev/null 2>>"$T/log/clients.log" &
		PM_PID[cap$i]=$!
		N_CLIENTS=$((N_CLIENTS + 1))
	done
	# each try takes about a second: poll against a deadline
	local deadline=$(($(date +%s) + 40 + n))
	until clients_running "$n" >/dev/null; do
		[ "$(date +%s)" -lt "$deadline" ] && continue
		daemon_ok || return 1
		[ "${CLIENTS_SOFT:-0}" = 1 ] && return 2
		die "only $(clients_running "$n") of $n clients run"
	done
	sleep 1
}

# clients_running N: at least N bench-cap nodes ran cycles, as the
# profiler saw them (lighter on the daemon than pw-dump with 64 clients)
clients_running() {
	local n
	n=$("$PROFILE" --seconds 0.5 2>/dev/null | awk -F'\t' '$1 ~ /^bench-cap-/ && $4 > 0' | wc -l)
	echo "$n"
	[ "$n" -ge "$1" ]
}

stop_clients() {
	local k pid
	for k in "${!PM_PID[@]}"; do
		case $k in cap*) kill -INT "${PM_PID[$k]}" 2>/dev/null ;; esac
	done
	for k in "${!PM_PID[@]}"; do
		case $k in cap*) ;; *) continue ;; esac
		pid=${PM_PID[$k]}
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "PM_PID[$k]"
	done
	N_CLIENTS=0
}

# ---- measurements ----

# cpu_ns PID: CPU time of all threads of PID, in ns (schedstat)
cpu_ns() {
	local f a s=0
	for f in /proc/"$1"/task/*/schedstat; do
		read -r a _ < "$f" 2>/dev/null && s=$((s + a))
	done
	echo "$s"
}
# cpu_ticks PID: utime + stime of PID in clock ticks, as /proc/PID/stat has it
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$1"/stat; }
wall_us() { echo "${EPOCHREALTIME/./}"; }

# daemon_ok: pipewire still runs (kill -0 also succeeds on a zombie)
daemon_ok() {
	local st
	st=$(awk '{ print $3 }' /proc/"${PM_PID[pipewire]}"/stat 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# crashed WHAT: pipewire ended under us (it has, on this machine, crashed
# in libpipewire-module-protocol-native under load, with and without the
# module): record it, stop what is left; the caller starts over
MAX_CRASHES=${BENCH_MAX_CRASHES:-5}
crashed() {
	local pid=${PM_PID[pipewire]} rc
	wait "$pid" 2>/dev/null; rc=$?
	unset "PM_PID[pipewire]"
	printf '%s\t%s\t%s\n' "$(date +%s)" "$rc" "$1" >> "$RAW/crashes.tsv"
	{ echo "---- $1: exit status $rc"; tail -n 5 "$T/log/pipewire.log"; } >> "$RAW/crashes.log"
	say "pipewire ended during $1 (exit status $rc); starting over"
	stop_group
	[ "$(wc -l < "$RAW/crashes.tsv")" -lt "$MAX_CRASHES" ] || die "pipewire ended $MAX_CRASHES times"
}

# cpu_window GROUP SETUP Q N REP: one window of the daemon's CPU time,
# appended to $RAW/point.tmp; fails if the daemon ended
cpu_window() {
	local pid=${PM_PID[pipewire]} c0 c1 k0 k1 w0 w1
	daemon_ok || return 1
	c0=$(cpu_ns "$pid"); k0=$(cpu_ticks "$pid"); w0=$(wall_us)
	sleep "$BENCH_WINDOW"
	c1=$(cpu_ns "$pid"); k1=$(cpu_ticks "$pid"); w1=$(wall_us)
	daemon_ok || return 1
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" \
		$((c1 - c0)) $(((w1 - w0) * 1000)) $((k1 - k0)) >> "$RAW/point.tmp"
}

set_setup() {
	case $1 in
	unmuted) "$PM_CLI" off >/dev/null || { daemon_ok && die "unmute not enforced"; return 1; } ;;
	muted) "$PM_CLI" on >/dev/null || { daemon_ok && die "mute not enforced"; return 1; } ;;
	esac
	sleep 0.3
}

# point GROUP Q N SETUP...: the setups in interleaved windows, then the
# profiler for each; kept only if the daemon lived through all of it
point() {
	local group=$1 q=$2 n=$3 r s; shift 3
	: > "$RAW/point.tmp"
	set_quantum "$q"
	for r in $(seq "$BENCH_REPEATS"); do
		for s in "$@"; do
			set_setup "$s" && cpu_window "$group" "$s" "$q" "$n" "$r" || return 1
		done
	done
	for s in "$@"; do
		set_setup "$s" || return 1
		"$PROFILE" --seconds "$BENCH_PROFILE" > "$RAW/profile-$s-q$q-n$n.tsv" \
			2>>"$T/log/clients.log" && daemon_ok || return 1
	done
	cat "$RAW/point.tmp" >> "$RAW/overhead.tsv"
}

# overhead GROUP SETUP...: every client count and quantum, the group's
# setups measured on one stack
overhead() {
	local group=$1; shift
	local target=benchmic1 n q
	[ "$group" = gate ] && target=bench-gate
	say "overhead: $group ($*)"
	start_group "$group"
	for n in $BENCH_CLIENTS; do
		add_clients "$n" "$target"
		for q in $BENCH_QUANTA; do
			until point "$group" "$q" "$n" "$@"; do
				crashed "overhead $group, $n clients, quantum $q"
				start_group "$group"
				add_clients "$n" "$target"
			done
			say "  $n clients, quantum $q done"
		done
	done
	stop_group
}

# engage_q Q: SetMuted calls, timed to the reply (Enforced) and to the
# first silent / signal buffer a recording client gets
engage_q() {
	local q=$1 qms gap
	set_quantum "$q"
	"$PM_CLI" off >/dev/null || return 1
	"$CAPTURE" --target benchmic1 --name bench-engage --seconds 36000 \
		--timeline "$RAW/engage-q$q.tl" > /dev/null 2>>"$T/log/clients.log" &
	PM_PID[capengage]=$!
	wait_for 20 test -s "$RAW/engage-q$q.tl" || { daemon_ok && die "the engage client got no buffers"; return 1; }
	sleep 1
	# calls at a random phase of the cycle, three quanta plus 20 ms apart
	qms=$(awk -v q="$q" 'BEGIN { printf "%.3f", q * 1000 / 48000 }')
	gap=$(awk -v q="$qms" 'BEGIN { printf "%.3f", 3 * q + 20 }')
	"$TOGGLE" --count "$BENCH_ENGAGE_CALLS" --period-ms 0 --gap-ms "$gap" \
		--jitter-ms "$qms" > "$RAW/engage-q$q.calls" 2>>"$T/log/clients.log" ||
		die "SetMuted failed"
	sleep 0.5
	stop_clients
	daemon_ok
}

engage() {
	local q
	say "engage: $BENCH_ENGAGE_CALLS calls per quantum"
	start_group module
	for q in $BENCH_QUANTA; do
		until engage_q "$q"; do
			crashed "engage, quantum $q"
			start_group module
		done
		say "  quantum $q done"
	done
	stop_group
}

# scale_q Q: many sources and clients, the mute toggled at BENCH_SCALE_HZ,
# against the same run without toggling
scale_q() {
	local q=$1 srcs=() i pid
	for i in $(seq "$BENCH_SCALE_SOURCES"); do srcs+=("benchmic$i"); done
	rm -rf "$RAW/scale-q$q"
	mkdir -p "$RAW/scale-q$q"
	set_quantum "$q"
	"$PM_CLI" off >/dev/null || return 1
	CLIENTS_SOFT=1 add_clients "$BENCH_SCALE_CLIENTS" "${srcs[@]}" -- "$RAW/scale-q$q"
	case $? in
	0) ;;
	2)	# the graph does not run this many at this quantum here: a result
		clients_running "$BENCH_SCALE_CLIENTS" > "$RAW/scale-q$q.stalled"
		say "  quantum $q: the clients never ran ($(cat "$RAW/scale-q$q.stalled") of $BENCH_SCALE_CLIENTS)"
		stop_clients
		return 0 ;;
	*) return 1 ;;
	esac
	"$PROFILE" --seconds "$BENCH_SCALE_SECONDS" > "$RAW/scale-q$q-steady.tsv" \
		2>>"$T/log/clients.log" && daemon_ok || return 1
	"$PROFILE" --seconds "$BENCH_SCALE_SECONDS" > "$RAW/scale-q$q-toggle.tsv" \
		2>>"$T/log/clients.log" &
	pid=$!
	sleep 0.3
	"$TOGGLE" --count $((BENCH_SCALE_SECONDS * BENCH_SCALE_HZ / 2 * 2)) \
		--period-ms "$(awk -v h="$BENCH_SCALE_HZ" 'BEGIN { print 1000 / h }')" \
		> "$RAW/scale-q$q.calls" 2>>"$T/log/clients.log" || die "SetMuted failed"
	wait "$pid" || return 1
	sleep 0.5
	stop_clients
	daemon_ok
}

scale() {
	local q
	say "scale: $BENCH_SCALE_SOURCES sources, $BENCH_SCALE_CLIENTS clients, ${BENCH_SCALE_SECONDS}s at ${BENCH_SCALE_HZ} Hz"
	start_group module "$BENCH_SCALE_SOURCES"
	wait_for 20 has_node "benchmic$BENCH_SCALE_SOURCES" || die "not all sources appeared"
	for q in $BENCH_SCALE_QUANTA; do
		until scale_q "$q"; do
			crashed "scale, quantum $q"
			start_group module "$BENCH_SCALE_SOURCES"
		done
		say "  quantum $q done"
	done
	stop_group
}

# guard: the guard's cost per cycle on a real adapter source in this
# process, no daemon: back to back (hot caches) and paced at the period
# (each cycle from cold, as in the daemon)
guard() {
	local q c common
	q=$(echo $BENCH_QUANTA | tr ' ' ,)
	c=$(echo $BENCH_GUARD_CHANNELS | tr ' ' ,)
	common=(--quanta "$q" --channels "$c" --rounds "$BENCH_GUARD_ROUNDS")
	say "guard: ${BENCH_GUARD_CYCLES} cycles back to back, ${BENCH_GUARD_PACED_CYCLES} paced, per variant"
	"$GUARD" "${common[@]}" --cycles "$BENCH_GUARD_CYCLES" > "$OUT/guard-cycle.tsv" \
		2>>"$RAW/guard.log" || die "pm-bench-guard failed (see $RAW/guard.log)"
	"$GUARD" "${common[@]}" --cycles "$BENCH_GUARD_PACED_CYCLES" --paced \
		> "$OUT/guard-cycle-paced.tsv" 2>>"$RAW/guard.log" ||
		die "pm-bench-guard --paced failed (see $RAW/guard.log)"
}

machine() {
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores"
	echo "kernel: $(uname -r)"
	echo "pipewire: $(pipewire --version | awk '/Linked with/ { print $NF }')"
	echo "wireplumber: $(wireplumber --version | awk '/Linked with/ { print $NF }')"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "params: parts=$BENCH_PARTS quanta=$BENCH_QUANTA clients=$BENCH_CLIENTS window=${BENCH_WINDOW}s x$BENCH_REPEATS profile=${BENCH_PROFILE}s engage_calls=$BENCH_ENGAGE_CALLS scale=${BENCH_SCALE_SOURCES}x${BENCH_SCALE_CLIENTS} ${BENCH_SCALE_SECONDS}s ${BENCH_SCALE_HZ}Hz quanta=$BENCH_SCALE_QUANTA guard=${BENCH_GUARD_CYCLES}/${BENCH_GUARD_PACED_CYCLES}x$BENCH_GUARD_ROUNDS channels=$BENCH_GUARD_CHANNELS"
	[ -n "$BENCH_NOTE" ] && echo "note: $BENCH_NOTE"
	return 0
}

machine > "$RAW/machine.txt"
start_bus || die "no bus"
start_policy || die "no policy"
: > "$RAW/overhead.tsv"
: > "$RAW/crashes.tsv"
for part in $BENCH_PARTS; do
	case $part in
	overhead)
		overhead none none
		overhead module unmuted muted
		overhead gate filter-chain ;;
	guard) guard ;;
	engage) engage ;;
	scale) scale ;;
	*) die "unknown part $part" ;;
	esac
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$RAW/machine.txt"
echo "duration: $(($(date +%s) - BENCH_START)) s" >> "$RAW/machine.txt"
say "measured; writing the report"
python3 "$PM_SRC/bench/report.py" "$OUT" || die "report failed"
say "done: $OUT/results.md"
