# privacy-mute integration tests: a private, headless PipeWire session.
# Source this file from a test script; it needs PM_BUILD (the meson build
# dir) and PM_SRC (the source dir) in the environment (meson test sets them).
#
# Everything runs in a private runtime dir under /tmp: a dbus-daemon, the
# policy service, pipewire, wireplumber and pipewire-pulse. Every daemon is
# stopped by its process id when the test exits.

set -u

: "${PM_BUILD:?PM_BUILD must point at the build directory}"
: "${PM_SRC:?PM_SRC must point at the source directory}"

PM_PCM="$PM_BUILD/tests/tools/pm-pcm"
PM_CLI="$PM_BUILD/policy/privacy-mute"
PM_POLICY="$PM_BUILD/policy/privacy-mute-policy"
# The enforcers and the CLI believe only a policy that runs the installed
# executable: here it is the build tree's (module option policy.executable,
# added by the *_module_conf helpers unless the args name it; pm-host reads
# PM_MODULE_TRUST; the CLI reads PRIVACY_MUTE_POLICY_EXECUTABLE)
pm_trust() { # [EXECUTABLE]
	PM_TRUSTED_POLICY=${1:-$PM_POLICY}
	export PM_MODULE_TRUST="policy.executable = \"$PM_TRUSTED_POLICY\""
	export PRIVACY_MUTE_POLICY_EXECUTABLE="$PM_TRUSTED_POLICY"
}
pm_trust
# pm_dropin SRC DST: a drop-in the project ships, copied with the trusted
# policy's executable added to its module args (its one "args = {")
pm_dropin() {
	[ "$(grep -c 'args = {' "$1")" = 1 ] || { echo "$1: not one 'args = {'"; return 1; }
	sed "s|args = {|args = { $PM_MODULE_TRUST|" "$1" > "$2"
}
# module args with the trusted policy's executable, unless they name one
pm_module_args() {
	case "${1:-}" in
	*policy.executable*) printf '%s' "$1" ;;
	*) printf '%s %s' "$PM_MODULE_TRUST" "${1:-}" ;;
	esac
}
SYS_MODULE_DIR=$(pkg-config --variable=moduledir libpipewire-0.3)

# In memory where the machine has a tmpfs: a capture client that writes
# its samples to a disk busy with other work (an install, a build) stalls
# in write(), stops returning buffers, and the source runs out of them.
if [ -z "${PM_TMPDIR:-}" ]; then
	PM_TMPDIR=/tmp
	[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ] && PM_TMPDIR=/dev/shm
fi
T=$(mktemp -d "$PM_TMPDIR/pm-test.XXXXXX")
declare -A PM_PID=()
PM_FAILS=0
PM_CHECKS=0

export XDG_RUNTIME_DIR="$T/run" XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
export HOME="$T/home" PIPEWIRE_MODULE_DIR="$PM_BUILD/module:$SYS_MODULE_DIR"
export PIPEWIRE_RUNTIME_DIR="$T/run" PULSE_RUNTIME_PATH="$T/run/pulse"
export PIPEWIRE_LOG_SYSTEMD=false DISABLE_RTKIT=1 LC_ALL=C
unset PIPEWIRE_REMOTE PULSE_SERVER DBUS_SYSTEM_BUS_ADDRESS
mkdir -p "$T/run" "$T/config/pipewire/pipewire.conf.d" "$T/config/wireplumber/wireplumber.conf.d" \
	"$T/config/pipewire/pipewire-pulse.conf.d" "$T/state" "$T/home" "$T/services" "$T/log"
chmod 700 "$T/run"

# A sanitized build (make test-asan; meson sets PM_SANITIZE from
# b_sanitize): our programs write ASan/UBSan reports to $T/log/asan.PID and
# ubsan.PID, and any report fails the test (pm_sanitizer_reports). The
# daemons are not built with ASan: wrappers first in PATH preload its
# runtime so the sanitized module can load into them; modules stay mapped
# (PIPEWIRE_DLCLOSE=false) so leak stacks name their functions.
PM_SANITIZE=${PM_SANITIZE:-none}
if [ "$PM_SANITIZE" != none ]; then
	pm_asan_rt=$(ldd "$PM_BUILD/module/libpipewire-module-privacy-mute.so" | awk '/libasan/ { print $3 }')
	mkdir -p "$T/bin"
	for d in pipewire wireplumber pipewire-pulse; do
		# they have no frame pointers: unwind malloc stacks the slow
		# way, so that a leak report names where it came from
		printf '#!/bin/sh\nASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" LD_PRELOAD="%s${LD_PRELOAD:+ $LD_PRELOAD}" exec %s "$@"\n' \
			"$pm_asan_rt" "$(command -v "$d")" > "$T/bin/$d"
		chmod +x "$T/bin/$d"
	done
	export PATH="$T/bin:$PATH" PIPEWIRE_DLCLOSE=false
	export ASAN_OPTIONS="log_path=$T/log/asan:detect_leaks=1:abort_on_error=0"
	export LSAN_OPTIONS="suppressions=$PM_SRC/tests/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="log_path=$T/log/ubsan:print_stacktrace=1"
fi

log() { printf '%s\n' "$*" >&2; }

# Every client tool a test calls runs under a timeout, so that a call that
# never returns (a daemon stuck, a peer frozen) costs PM_CMD_TIMEOUT seconds,
# not the whole test: wrappers first in PATH (so `sh -c` and python see them
# too) run the real tool under timeout(1). When one fires it says so on
# stderr, naming the command, and writes the same line to
# $T/log/timeouts.log; finish() fails a test that has any. Long-running
# uses (`privacy-mute watch`) are left alone.
PM_CMD_TIMEOUT=${PM_CMD_TIMEOUT:-20}
PM_CLIENT_TOOLS="pw-cli pw-dump pw-link pw-metadata pw-top pactl wpctl gdbus busctl dbus-send"
mkdir -p "$T/bin"
pm_wrap_tool() { # NAME REAL [LINE]: LINE goes before the timeout
	cat > "$T/bin/$1" <<WRAP
#!/bin/sh
# $1 under a timeout (tests/integration/lib.sh)
${3:-}
timeout -k 2 "\${PM_CMD_TIMEOUT:-$PM_CMD_TIMEOUT}" "$2" "\$@"
rc=\$?
if [ \$rc -eq 124 ] || [ \$rc -eq 137 ]; then
	echo "TIMEOUT: '$1 \$*' did not return within \${PM_CMD_TIMEOUT:-$PM_CMD_TIMEOUT} s" |
		tee -a "$T/log/timeouts.log" >&2
fi
exit \$rc
WRAP
	chmod +x "$T/bin/$1"
}
for pm_tool in $PM_CLIENT_TOOLS; do
	pm_real=$(command -v "$pm_tool") && pm_wrap_tool "$pm_tool" "$pm_real"
done
pm_wrap_tool privacy-mute "$PM_CLI" "case \"\$1\" in watch) exec \"$PM_CLI\" \"\$@\" ;; esac"
PM_CLI_REAL=$PM_CLI
PM_CLI="$T/bin/privacy-mute"
export PATH="$T/bin:$PATH"
unset pm_tool pm_real

# a daemon did not come up: count it as a failure, so the logs are shown
start_failed() {
	log "FAIL - $1 did not start"
	PM_FAILS=$((PM_FAILS + 1))
}

pm_stop_pids() { # NAME...: TERM them all, then wait for each (KILL after 5 s)
	local name pid
	for name in "$@"; do
		pid=${PM_PID[$name]:-}
		[ -n "$pid" ] || continue
		kill "$pid" 2>/dev/null
	done
	for name in "$@"; do
		pid=${PM_PID[$name]:-}
		[ -n "$pid" ] || continue
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "PM_PID[$name]"
	done
}

pm_cleanup() {
	local names
	# helpers a test started (any other key) first: once their links are
	# gone, pipe sources stop driving, and only then do their hosts exit
	# (PipeWire's module-pipe-tunnel crashes its host when it is destroyed
	# while it drives: tests/upstream/README.md)
	names="$(printf '%s\n' "${!PM_PID[@]}" | grep -vxE 'pulse|wireplumber|pipewire|policy|bus')"
	# shellcheck disable=SC2086
	pm_stop_pids $names
	if [ -n "${PM_PID[pipewire]:-}" ] && kill -0 "${PM_PID[pipewire]}" 2>/dev/null; then
		PM_CMD_TIMEOUT=3 wait_for 3 no_stream_source_runs
	fi
	pm_stop_pids pulse wireplumber pipewire policy bus
	pm_sanitizer_reports || PM_FAILS=$((PM_FAILS + 1)) PM_SAN_FAILED=1
	if [ "${PM_KEEP:-0}" = 1 ] || [ "$PM_FAILS" -gt 0 ]; then
		for f in "$T"/log/*.log; do
			[ -s "$f" ] || continue
			log "---- last lines of $(basename "$f")"
			tail -n 30 "$f" >&2
		done
	fi
	[ "${PM_KEEP:-0}" = 1 ] && log "kept $T" || rm -rf "$T"
	# the test's own verdict was given before the daemons stopped
	[ "${PM_SAN_FAILED:-0}" = 0 ] || exit 1
}

# Sanitized build: fail (and show them) when any process wrote a report.
pm_sanitizer_reports() {
	local f found=0
	[ "$PM_SANITIZE" != none ] || return 0
	for f in "$T"/log/asan.* "$T"/log/ubsan.*; do
		[ -s "$f" ] || continue
		found=1
		log "FAIL - sanitizer report $(basename "$f"):"
		head -n 100 "$f" >&2
	done
	[ "$found" = 0 ]
}
trap pm_cleanup EXIT

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds
# against a deadline: a command that is slow to fail (a timeout) does not
# stretch the wait by its own length each round
wait_for() {
	local limit=$1; shift
	local end=$(($(date +%s%N) + limit * 1000000000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# check NAME COMMAND...: one assertion; failures are counted, not fatal.
# COMMAND runs in a subshell: it cannot start daemons for PM_PID.
check() {
	local name=$1; shift
	local out rc
	PM_CHECKS=$((PM_CHECKS + 1))
	out=$("$@" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then
		log "ok   - $name"
	else
		log "FAIL - $name"
		printf '%s\n' "$out" | sed 's/^/       /' >&2
		PM_FAILS=$((PM_FAILS + 1))
	fi
	return $rc
}

# a client call that timed out is a failure of the test, even where the
# check around it passed (a negated or ignored result)
pm_timeouts() {
	[ -s "$T/log/timeouts.log" ] || return 0
	log "FAIL - client calls timed out:"
	sed 's/^/       /' "$T/log/timeouts.log" >&2
	: > "$T/log/timeouts.log"
	return 1
}

finish() {
	pm_timeouts || PM_FAILS=$((PM_FAILS + 1))
	log "$PM_CHECKS checks, $PM_FAILS failed"
	[ "$PM_FAILS" -eq 0 ] && [ "$PM_CHECKS" -gt 0 ]
	exit $?
}

# ---- daemons ----

# PM_BUS_EXTRA_CONF: more busconfig elements, e.g. <standard_session_servicedirs/>
start_bus() {
	cat > "$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$T/run/bus</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$T/services</servicedir>${PM_BUS_EXTRA_CONF:+
  $PM_BUS_EXTRA_CONF}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
	# D-Bus activation only where a test asks for it: an activated policy
	# is the bus's child, not ours, and would race with start_policy
	if [ "${PM_ACTIVATION:-0}" = 1 ]; then
		cat > "$T/services/org.privacymute.Policy1.service" <<SVC
[D-BUS Service]
Name=org.privacymute.Policy1
Exec=$PM_POLICY
SVC
	fi
	dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/log/bus.log" 2>&1 &
	PM_PID[bus]=$!
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$T/run/bus"
	wait_for 10 test -S "$T/run/bus" || { start_failed dbus-daemon; return 1; }
}

start_policy() {
	"$PM_POLICY" "$@" >>"$T/log/policy.log" 2>&1 &
	PM_PID[policy]=$!
	wait_for 10 "$PM_CLI" status || { start_failed policy; return 1; }
}

stop_policy() { stop_daemon policy "${1:-TERM}"; }

# module_conf [ARGS]: load the module into pipewire with these args
module_conf() {
	cat > "$T/config/pipewire/pipewire.conf.d/50-privacy-mute.conf" <<CONF
context.modules = [
    { name = libpipewire-module-privacy-mute args = { $(pm_module_args "${1:-}") } }
]
CONF
}

no_module_conf() {
	rm -f "$T/config/pipewire/pipewire.conf.d/50-privacy-mute.conf"
}

# fake microphones: "testmic" (an audiotestsrc sine) and "followmic", both
# scheduled by "pm-clock", a timer driver like the daemon's Dummy-Driver; and
# an ALSA source reading a known noise file through alsa-lib ("alsamic", its
# own driver, as a sound card is).
#
# audiotestsrc is not a driver here: as one (PipeWire 1.4.2) it takes a free
# buffer on each timer tick and, when a cycle was late and none is free,
# logs "out of buffers" and stops its timer for good; its captures then get
# nothing. Seen with and without privacy-mute, in about one of five runs
# where 32 clients join at once. A follower gets its buffers back on every
# cycle instead.
mics_conf() {
	"$PM_PCM" noise 60 > "$T/noise.raw"
	cat > "$HOME/.asoundrc" <<ASOUND
pcm.fakemic {
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "$T/noise.raw"
    format "raw"
}
ASOUND
	cat > "$T/config/pipewire/pipewire.conf.d/40-fake-mics.conf" <<CONF
context.spa-libs = {
    audiotestsrc = audiotestsrc/libspa-audiotestsrc
}
context.objects = [
    { factory = spa-node-factory
      args = {
          factory.name = support.node.driver
          node.name = pm-clock
          node.group = pm-test-mics
          priority.driver = 30000
          clock.id = monotonic
      }
    }
    { factory = adapter
      args = {
          factory.name = audiotestsrc
          node.name = testmic
          node.description = "Test microphone"
          media.class = Audio/Source
          audio.rate = 48000
          audio.channels = 2
          audio.position = [ FL FR ]
          node.param.Props = { volume = 0.5 live = false }
          node.group = pm-test-mics
          priority.driver = 200
          priority.session = 2000
      }
    }
    { factory = adapter
      args = {
          factory.name = api.alsa.pcm.source
          node.name = alsamic
          node.description = "ALSA test microphone"
          media.class = Audio/Source
          api.alsa.path = "fakemic"
          audio.format = S16LE
          audio.rate = 48000
          audio.channels = 2
          audio.position = [ FL FR ]
          api.alsa.disable-mmap = true
          api.alsa.disable-batch = true
          priority.session = 1000
      }
    }
    # a follower like testmic: pm-clock's higher priority.driver makes it
    # the driver of the group (audiotestsrc always claims node.driver)
    { factory = adapter
      args = {
          factory.name = audiotestsrc
          node.name = followmic
          node.description = "Follower test microphone"
          media.class = Audio/Source
          audio.rate = 48000
          audio.channels = 2
          audio.position = [ FL FR ]
          node.group = pm-test-mics
          node.param.Props = { live = false }
          priority.driver = 100
          priority.session = 500
      }
    }
]
CONF
}

pw_ready() { pw-cli info 0 >/dev/null 2>&1; }

start_pipewire() {
	pipewire >>"$T/log/pipewire.log" 2>&1 &
	PM_PID[pipewire]=$!
	wait_for 20 pw_ready || { start_failed pipewire; return 1; }
}

# stop_daemon NAME [SIGNAL]: stop one daemon we started, by its pid
stop_daemon() {
	local pid=${PM_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "PM_PID[$1]"
}

stop_pipewire() { stop_daemon pipewire "${1:-TERM}"; }

# stop pipewire-pulse, wireplumber and pipewire, in that order
stop_audio() {
	stop_daemon pulse; stop_daemon wireplumber; stop_daemon pipewire
}

wp_ready() { wpctl inspect @DEFAULT_AUDIO_SOURCE@ >/dev/null 2>&1; }

start_wireplumber() {
	wireplumber >>"$T/log/wireplumber.log" 2>&1 &
	PM_PID[wireplumber]=$!
	wait_for 20 wp_ready || { start_failed wireplumber; return 1; }
}

start_pulse() {
	# made here, not raced for: pipewire-pulse gives up when the pactl
	# polling below creates its runtime dir between its stat and mkdir
	mkdir -p -m 700 "$PULSE_RUNTIME_PATH"
	pipewire-pulse >>"$T/log/pulse.log" 2>&1 &
	PM_PID[pulse]=$!
	wait_for 20 pactl info || { start_failed pipewire-pulse; return 1; }
}

# The whole stack, with the module loaded into pipewire.
start_stack() {
	mics_conf
	module_conf "${1:-}"
	start_bus && start_policy && start_pipewire && start_wireplumber && start_pulse
}

# node id of a node by name
node_id() {
	pw-cli ls Node 2>/dev/null | awk -v n="$1" '
		/^[ \t]*id [0-9]+,/ { id = $2; sub(",", "", id) }
		$0 ~ "node.name = \"" n "\"" { print id; exit }'
}

# ---- captures: each writes raw little endian PCM to the file named first ----

# A capture runs SECONDS, and then on until its FILE holds half of that
# much audio (s16 stereo at 48 kHz), for at most PM_CAP_GRACE more seconds:
# on a busy machine a client can take seconds to be linked, and a fixed
# window would then judge an empty file. Stopped with SIGINT, as a user
# would, so that clients flush what they have, and killed 5 s later if that
# did not end it (gst-launch -e waits for an EOS that a stalled pipewiresrc
# never sends; seen with PipeWire 1.6.9).
PM_CAP_GRACE=${PM_CAP_GRACE:-20}
cap_run() { # FILE SECONDS CMD...
	local f=$1 s=$2 pid now size; shift 2
	local start min t_min t_max
	# (awk for the fraction only: mawk's %d stops at 2^31)
	start=$(date +%s%N)
	t_min=$((start + $(awk -v s="$s" 'BEGIN { printf "%.0f", s * 1e9 }')))
	t_max=$((t_min + PM_CAP_GRACE * 1000000000))
	min=$(awk -v s="$s" 'BEGIN { printf "%.0f", s * 96000 }')
	# under timeout(1) too: it ends even when whoever waits here is killed
	timeout -s INT -k 5 "$(awk -v s="$s" -v g="$PM_CAP_GRACE" 'BEGIN { printf "%.0f", s + g + 1 }')" \
		"$@" > "$f" 2>>"$T/log/clients.log" &
	pid=$!
	# stopped itself (cap_pw_record ... &): stop the capture now
	trap 'kill -INT '"$pid"' 2>/dev/null; t_max=0' TERM
	while kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		now=$(date +%s%N)
		[ "$now" -ge "$t_min" ] || continue
		size=$(stat -c %s "$f" 2>/dev/null || echo 0)
		[ "$size" -ge "$min" ] && break
		if [ "$now" -ge "$t_max" ]; then
			log "capture: '$*' has $size of $min bytes after $s + $PM_CAP_GRACE s"
			break
		fi
	done
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	trap - TERM
	return 0
}

cap_pw_record() { # FILE SECONDS [pw-record args]
	local f=$1 s=$2; shift 2
	cap_run "$f" "$s" pw-record --raw --format s16 --rate 48000 --channels 2 "$@" -
}

cap_parec() { # FILE SECONDS [parec args]
	local f=$1 s=$2; shift 2
	cap_run "$f" "$s" parec --raw --format=s16le --rate=48000 --channels=2 "$@"
}

cap_arecord() { # FILE SECONDS
	local f=$1 s=$2; shift 2
	cap_run "$f" "$s" arecord -q -D pipewire -t raw -f S16_LE -r 48000 -c 2 "$@"
}

cap_gst() { # FILE SECONDS [pipewiresrc props]
	local f=$1 s=$2; shift 2
	cap_run "$f" "$s" gst-launch-1.0 -q -e pipewiresrc "$@" ! audioconvert ! \
		audio/x-raw,format=S16LE,rate=48000,channels=2 ! fdsink fd=1
}

# expect silence|signal FILE [FORMAT] [MIN_SAMPLES]
expect() {
	"$PM_PCM" check "$1" "${3:-s16}" "${4:-9600}" "$2"
}

unmuted_enforced() {
	"$PM_CLI" status --json | grep -q '"muted": *false' &&
	"$PM_CLI" status --json | grep -q '"enforced": *true'
}

muted_enforced() {
	"$PM_CLI" status --json | grep -q '"muted": *true' &&
	"$PM_CLI" status --json | grep -q '"enforced": *true'
}

# ---- the policy, through the CLI ----

# mute_on / mute_off: the CLI exits 0 only once every enforcer confirmed
mute_on() { "$PM_CLI" on; }
mute_off() { "$PM_CLI" off; }

now_ns() { "$PM_PCM" now; }

# One quantum of the graph in ns (the default clock.quantum at 48 kHz).
QUANTUM_NS=$((1024 * 1000000000 / 48000))

# expect_timeline silence|signal FILE FROM_NS TO_NS [MIN_BUFFERS]
expect_timeline() {
	"$PM_PCM" timeline "$2" "$3" "$4" "$1" "${5:-5}"
}

# is_follower NAME: pw-top lists the node under another driver ("+ NAME")
is_follower() {
	pw-top -b -n 2 2>/dev/null | grep -Eq "[0-9]+ +\+ $1\$"
}

# Run in the background (cap_pm ... &), the shell a test stops by its pid
# is this function's: it passes the TERM on to the capture, which would
# otherwise go on for its SECONDS (and keep its source running).
cap_pm() { # FILE SECONDS [pm-capture args]
	local f=$1 s=$2 pid rc; shift 2
	"$PM_BUILD/tests/tools/pm-capture" --seconds "$s" "$@" > "$f" 2>>"$T/log/clients.log" &
	pid=$!
	trap 'kill -TERM '"$pid"' 2>/dev/null' TERM
	wait "$pid"; rc=$?
	if kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; fi
	trap - TERM
	return $rc
}

# ---- hosts other than the daemon: WirePlumber and pipewire-pulse ----

# status_eval PYTHON_EXPR: evaluate PYTHON_EXPR on `privacy-mute status
# --json` (parsed, as `s`); prints the value, succeeds if it is true
status_eval() {
	"$PM_CLI" status --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r)
sys.exit(0 if r else 1)' "$1"
}

enforcer_count() { status_eval 'len(s["enforcers"])'; }
# enforcers_are N: exactly N enforcers registered
enforcers_are() { status_eval "len(s['enforcers']) == $1" >/dev/null; }
# enforcer_pid PID: an enforcer runs in the process PID
enforcer_pid() { status_eval "any(e['pid'] == $1 for e in s['enforcers'])" >/dev/null; }
# enforcer_acked PID: the enforcer in process PID acknowledged the state
enforcer_acked() { status_eval "any(e['pid'] == $1 and e['acknowledged'] for e in s['enforcers'])" >/dev/null; }
not_enforced() { status_eval 's["enforced"] == False' >/dev/null; }

# wp_module_conf [ARGS]: load the module into WirePlumber with these args
wp_module_conf() {
	cat > "$T/config/wireplumber/wireplumber.conf.d/50-privacy-mute.conf" <<CONF
context.modules = [
    { name = libpipewire-module-privacy-mute args = { $(pm_module_args "${1:-}") } }
]
CONF
}

# pulse_module_conf [ARGS]: load the module into pipewire-pulse
pulse_module_conf() {
	cat > "$T/config/pipewire/pipewire-pulse.conf.d/50-privacy-mute.conf" <<CONF
context.modules = [
    { name = libpipewire-module-privacy-mute args = { $(pm_module_args "${1:-}") } }
]
CONF
}

# wp_mic_conf [NAME [test|alsa]]: a microphone hosted in WirePlumber's own
# process as a local adapter node, as WirePlumber hosts Bluetooth sources;
# created by the script component wp-mic.lua. "test" (the default): an
# audiotestsrc sine, a follower of pm-clock; "alsa": the ALSA file-backed fakemic of
# mics_conf (known noise, so a capture can be checked bit-exact)
wp_mic_conf() {
	local node
	if [ "${2:-test}" = alsa ]; then
		node='factory.name = api.alsa.pcm.source
          api.alsa.path = "fakemic"
          audio.format = S16LE
          api.alsa.disable-mmap = true
          api.alsa.disable-batch = true'
	else
		# a follower of pm-clock, as testmic (see mics_conf)
		node='factory.name = audiotestsrc
          node.param.Props = "{ volume = 0.5 live = false }"
          node.group = pm-test-mics'
	fi
	cat > "$T/config/wireplumber/wireplumber.conf.d/40-pm-wpmic.conf" <<CONF
context.spa-libs = {
    audiotestsrc = audiotestsrc/libspa-audiotestsrc
}
wireplumber.components = [
    { name = $PM_SRC/tests/integration/wp-mic.lua, type = script/lua
      arguments = {
          $node
          node.name = ${1:-wpmic}
          node.description = "WirePlumber-hosted test microphone"
          media.class = Audio/Source
          audio.rate = 48000
          audio.channels = 2
          audio.position = "[ FL FR ]"
          priority.session = 100
      }
      provides = custom.pm-wpmic
      requires = [ support.export-core, pw.client-node, pw.node-factory.adapter ]
    }
]
wireplumber.profiles = {
    main = { custom.pm-wpmic = required }
}
CONF
}

# node_client_pid NAME: the process id (as the daemon saw it on the socket)
# of the client that owns node NAME; empty for the daemon's own nodes
node_client_pid() {
	pw-dump 2>/dev/null | python3 -c '
import json, sys
objs = json.load(sys.stdin)
by_id = {o["id"]: o for o in objs}
for o in objs:
    p = (o.get("info") or {}).get("props") or {}
    if o.get("type") == "PipeWire:Interface:Node" and p.get("node.name") == sys.argv[1]:
        c = by_id.get(int(p.get("client.id", -1)))
        if c:
            print(c["info"]["props"].get("pipewire.sec.pid", ""))
        break' "$1"
}

# node_hosted_by NAME PID: node NAME is made in process PID
node_hosted_by() { test "$(node_client_pid "$1")" = "$2"; }

has_node() { test -n "$(node_id "$1")"; }

# timeline_tail RAW TIMELINE FROM_NS: the bytes pm-capture wrote for the
# buffers after FROM_NS (the timeline has one line per buffer, in order)
timeline_tail() {
	local skip
	skip=$(awk -v from="$3" '$1 > from { exit } { n += $2 * 4 } END { print n + 0 }' "$2")
	tail -c +$((skip + 1)) "$1"
}

# sm-objects: WirePlumber loads a PipeWire module into its own process while
# the key is set, and unloads it when the key is cleared
wp_load_module() { # KEY [ARGS]
	pw-metadata -n sm-objects 0 "$1" \
		"{ type = pw-module, name = libpipewire-module-privacy-mute args = { $(pm_module_args "${2:-}") } }" \
		Spa:String:JSON >/dev/null 2>>"$T/log/clients.log"
}
wp_unload_module() { # KEY
	pw-metadata -n sm-objects -d 0 "$1" >/dev/null 2>>"$T/log/clients.log"
}

# skip_head FILE SECONDS: FILE (s16le stereo 48 kHz) without its first
# SECONDS, e.g. a pipe source's start-up resync
skip_head() {
	tail -c +$(( $(awk -v s="$2" 'BEGIN { printf "%d", s * 48000 }') * 4 + 1 )) "$1"
}

# ---- node states, and pipe sources ----

# node_state NAME: the state the daemon reports for node NAME (running,
# idle, suspended...); empty when there is none
node_state() {
	pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    i = o.get("info") or {}
    if o.get("type") == "PipeWire:Interface:Node" and (i.get("props") or {}).get("node.name") == sys.argv[1]:
        print(i.get("state") or "")
        break' "$1"
}
node_not_running() { test "$(node_state "$1")" != running; }

# no_stream_source_runs: no capture source that a client exports as a
# stream (a pipe or tunnel source: it has a client and no factory of the
# daemon's own) is running
no_stream_source_runs() {
	pw-dump 2>/dev/null | python3 -c '
import json, sys
objs = json.load(sys.stdin)
run = [((o.get("info") or {}).get("props") or {}).get("node.name") for o in objs
       if o.get("type") == "PipeWire:Interface:Node"
       and (o.get("info") or {}).get("state") == "running"
       and ((o.get("info") or {}).get("props") or {}).get("media.class") == "Audio/Source"
       and "client.id" in ((o.get("info") or {}).get("props") or {})]
print(run)
sys.exit(1 if run else 0)'
}

# remove_pipe_source KEY NAME: unload a pipe source that WirePlumber loaded
# from sm-objects KEY. PipeWire's module-pipe-tunnel crashes its host when
# it is unloaded while its stream drives the graph (its data-loop timer
# outlives the stream: tests/upstream/README.md), so this waits until the
# source no longer runs (the caller stops its consumers first); a source
# that still runs after 10 s is a failure, not a crash to risk.
remove_pipe_source() {
	wait_for 10 node_not_running "$2" || {
		echo "$2 still runs ($(node_state "$2")): not unloaded; its links:"
		pw-link -l 2>&1 | grep -A3 "^$2:" | sed 's/^/  /'
		return 1
	}
	pw-metadata -n sm-objects -d 0 "$1" >/dev/null 2>>"$T/log/clients.log"
	wait_for 20 sh -c "! pw-cli ls Node | grep -q 'node.name = \"$2\"'"
}
