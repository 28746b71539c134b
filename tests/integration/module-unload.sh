#!/bin/bash
# Loading and unloading the module at run time in a process that hosts its
# own microphone (as WirePlumber does for Bluetooth): every enforcer counts,
# unload restores the node's own methods and the process keeps running,
# reload guards again; nothing the module allocated is leaked.
. "$(dirname "$0")/lib.sh"

start_stack || exit 1
PM_HOST="$PM_BUILD/tests/tools/pm-host"

# start_host [valgrind args...]: pm-host in the background, its output in host.out
start_host() {
	: > "$T/host.out"
	"$@" "$PM_HOST" --name hostmic > "$T/host.out" 2>>"$T/log/host.log" &
	PM_PID[host]=$!
	wait_for 30 grep -q ready "$T/host.out" && wait_for 20 sh -c "pw-link -o | grep -q hostmic:"
}
# host_says WORD N: the host printed WORD at least N times
host_says() { test "$(grep -c "^$1\$" "$T/host.out")" -ge "$2"; }
# unguarded NAME: status lists NAME among the sources no enforcer guards
unguarded() {
	"$PM_CLI" status --json | python3 -c '
import json, sys
sys.exit(0 if sys.argv[1] in [u["name"] for u in json.load(sys.stdin)["unguarded"]] else 1)' "$1"
}
guarded() { ! unguarded "$1"; }
# n_enforcers N: the policy lists exactly N enforcers
n_enforcers() {
	"$PM_CLI" status --json | python3 -c '
import json, sys
sys.exit(0 if len(json.load(sys.stdin)["enforcers"]) == int(sys.argv[1]) else 1)' "$1"
}

start_host
check "pm-host runs and exports hostmic" sh -c "pw-link -o | grep -q hostmic:"
check "hostmic, guarded by pm-host, is not listed as unguarded" wait_for 10 guarded hostmic
check "testmic, guarded by the daemon, is not listed as unguarded" guarded testmic
check "two enforcers registered (pipewire, pm-host)" wait_for 10 n_enforcers 2
check "mute on: both enforcers confirmed" mute_on
cap_pw_record "$T/a.raw" 2 --target hostmic
check "hostmic (hosted in pm-host): silence while muted" expect silence "$T/a.raw"
cap_parec "$T/a-pulse.raw" 3 --device=hostmic
check "hostmic through pulse: silence while muted" expect silence "$T/a-pulse.raw"

# unload while muted: the host keeps running, the enforcer leaves the policy
kill -USR1 "${PM_PID[host]}"
check "module unloaded in pm-host" wait_for 10 host_says unloaded 1
check "pm-host still running after the unload" kill -0 "${PM_PID[host]}"
check "status lists hostmic as unguarded" wait_for 10 unguarded hostmic
"$PM_CLI" status > "$T/status.txt"
check "status (human) names it under 'unguarded:'" sh -c "sed -n '/^unguarded:/,\$p' '$T/status.txt' | grep -q hostmic"
check "its enforcer left the policy (1 left)" wait_for 10 n_enforcers 1
# the daemon's enforcer still sees hostmic, now guarded by nobody
check "hostmic unguarded: the mute is no longer confirmed" not_enforced
cap_pw_record "$T/b.raw" 2 --target hostmic
check "unloaded: hostmic passes its own signal again" expect signal "$T/b.raw"
cap_pw_record "$T/b-daemon.raw" 2 --target testmic
check "unloaded in pm-host: the daemon's testmic is still silent" expect silence "$T/b-daemon.raw"

# load again: guards the existing node (suspended between captures)
kill -USR2 "${PM_PID[host]}"
check "module loaded again" wait_for 10 host_says loaded 2
check "hostmic is no longer listed as unguarded" wait_for 10 guarded hostmic
two_and_muted() { n_enforcers 2 && muted_enforced; }
check "two enforcers again, mute confirmed by both" wait_for 10 two_and_muted
cap_pw_record "$T/c.raw" 2 --target hostmic
check "reloaded: hostmic silent again" expect silence "$T/c.raw"
check "mute off" mute_off
cap_pw_record "$T/d.raw" 2 --target hostmic
check "unmuted: hostmic signal" expect signal "$T/d.raw"

# an enforcer that does not answer: SetMuted gives up after its bounded
# wait and says so; the one that answered has muted its sources anyway
kill -STOP "${PM_PID[host]}"
"$PM_CLI" on > "$T/stopped.out" 2> "$T/stopped.err"
rc=$?
kill -CONT "${PM_PID[host]}"
check "an enforcer that does not answer: 'on' exits 1 (exit $rc)" test "$rc" -eq 1
check "... and says 1 of 2 acknowledged" grep -q '1 of 2' "$T/stopped.err"
check "it answers once resumed: muted and enforced" wait_for 10 muted_enforced
cap_pw_record "$T/e.raw" 2 --target hostmic
check "hostmic silent after its host resumed" expect silence "$T/e.raw"

# an enforcer whose process dies is dropped; Enforced reflects the rest
stop_daemon host KILL
check "a killed enforcer is dropped (1 left)" wait_for 10 n_enforcers 1
check "Enforced reflects the remaining enforcer" muted_enforced
check "mute off" mute_off

# leaks: load/unload cycles under valgrind, then a clean exit (modules stay
# mapped, PIPEWIRE_DLCLOSE=false, so the report can name their functions)
# A sanitized build (make test-asan) cannot run under valgrind: there the
# same cycles run under ASan, whose reports fail the test (lib.sh).
if [ "$PM_SANITIZE" != none ]; then
	PIPEWIRE_DLCLOSE=false start_host
	check "pm-host (ASan) started" host_says ready 1
	check "mute on" mute_on
	for i in 2 3 4; do
		cap_pw_record "$T/vg.raw" 5 --target hostmic
		check "ASan, round $((i - 1)): silence" expect silence "$T/vg.raw" s16 4800
		kill -USR1 "${PM_PID[host]}"; wait_for 20 host_says unloaded $((i - 1))
		kill -USR2 "${PM_PID[host]}"; wait_for 20 host_says loaded "$i"
		wait_for 20 muted_enforced
	done
	check "three unload/load cycles under ASan" host_says loaded 4
	stop_daemon host
	check "no ASan report from pm-host after the cycles" \
		sh -c "! ls '$T'/log/asan.* 2>/dev/null"
elif command -v valgrind >/dev/null; then
	PIPEWIRE_DLCLOSE=false start_host valgrind --leak-check=full \
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--log-file="$T/log/valgrind.log"
	check "pm-host under valgrind started" host_says ready 1
	check "mute on under valgrind" mute_on
	for i in 2 3 4; do
		# a capture each round runs the data path and buffer negotiation;
		# under valgrind the host is too slow to keep up with the graph
		# and may drop out after its first cycle, so one quantum of
		# samples (2048) is what is asked here: memory errors are the point
		cap_pw_record "$T/vg.raw" 5 --target hostmic
		check "under valgrind, round $((i - 1)): silence" expect silence "$T/vg.raw" s16 2048
		kill -USR1 "${PM_PID[host]}"; wait_for 20 host_says unloaded $((i - 1))
		kill -USR2 "${PM_PID[host]}"; wait_for 20 host_says loaded "$i"
		wait_for 20 muted_enforced
	done
	check "three unload/load cycles under valgrind" host_says loaded 4
	stop_daemon host
	check "valgrind: no leak and no memory error in pm-host with the module" \
		grep -q 'ERROR SUMMARY: 0 errors' "$T/log/valgrind.log"
else
	check "valgrind is installed (tools/install-deps.sh)" false
fi

finish
