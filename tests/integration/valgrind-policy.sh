#!/bin/bash
# privacy-mute-policy and every CLI command under valgrind memcheck, on the
# real stack (enforcers register, report sources and acknowledge): no
# memory error and no definite or indirect leak, in the policy over its
# whole life and in each CLI run, including the error paths.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
	check "valgrind is installed (tools/install-deps.sh)" false
	finish
fi

VG_ERR=99
# memcheck, exit VG_ERR on any error; then --log-file=LOG PROGRAM ARGS...
# (valgrind itself, not a shell function, is started in the background, so
# that $! is the pid of the program under it)
VG=(valgrind -q --error-exitcode=$VG_ERR --leak-check=full
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect)
vg() { # LOG PROGRAM ARGS...
	local log=$1; shift
	"${VG[@]}" --log-file="$T/log/$log" "$@"
}
# vg_clean LOG: valgrind wrote no error into LOG (-q: only errors go there)
vg_clean() {
	[ -f "$T/log/$1" ] && ! grep -q . "$T/log/$1" || { cat "$T/log/$1"; return 1; }
}

N=0
# cli EXPECTED_RC ARGS...: the CLI under valgrind exits EXPECTED_RC, no error
cli() {
	local want=$1 rc; shift
	N=$((N + 1))
	vg "cli.$N.vg" "$PM_CLI" --timeout 20000 "$@" > "$T/cli.$N.out" 2>&1; rc=$?
	check "valgrind privacy-mute $* (exit $rc, want $want)" test "$rc" = "$want"
	check "valgrind privacy-mute $*: no memory error or leak" vg_clean "cli.$N.vg"
}

# the policy runs as valgrind's tool: that is the executable the enforcers
# and the CLI see behind its pid, so that is the one they are told to trust
pm_trust "$(valgrind -q sh -c 'readlink /proc/$$/exe')"
check "the executable of a program under valgrind is valgrind's tool ($PM_TRUSTED_POLICY)" \
	sh -c "case '$PM_TRUSTED_POLICY' in /*valgrind*) true ;; *) false ;; esac"

# the module in all three daemons: three enforcers talk to the policy
mics_conf
module_conf
wp_module_conf
pulse_module_conf
start_bus || exit 1

# error paths first: no policy on the bus
cli 2 status
cli 2 status --json
cli 0 --help
cli 0 --version
cli 2 bogus
cli 2 --timeout
cli 2 on extra
cli 2 on

# the policy under valgrind for its whole life; slow, so the CLI waits
# generously (--timeout above) and so does the start
"${VG[@]}" --log-file="$T/log/policy.vg" "$PM_POLICY" --ack-timeout 10000 >>"$T/log/policy.log" 2>&1 &
PM_PID[policy]=$!
check "policy under valgrind answers" wait_for 60 "$PM_CLI" status || finish
start_pipewire && start_wireplumber && start_pulse || finish
check "the enforcers registered with the policy under valgrind" wait_for 30 enforcers_are 3

# a CLI that watches the whole run, text and JSON
"${VG[@]}" --log-file="$T/log/watch.vg" "$PM_CLI" watch > "$T/watch.out" 2>&1 &
PM_PID[watch]=$!
"${VG[@]}" --log-file="$T/log/watchjson.vg" "$PM_CLI" watch --json > "$T/watchjson.out" 2>&1 &
PM_PID[watchjson]=$!
wait_for 30 grep -q . "$T/watch.out"
wait_for 30 grep -q . "$T/watchjson.out"

cli 0 on
cap_pw_record "$T/muted.raw" 3
check "policy under valgrind: capture is silent while muted" expect silence "$T/muted.raw"
cli 0 status
cli 0 status --json
cli 0 toggle
cli 0 off
cap_pw_record "$T/unmuted.raw" 3
check "policy under valgrind: signal while unmuted" expect signal "$T/unmuted.raw"
cli 0 toggle
cli 0 toggle

# trusted mute awareness and the lock: notifications (answered, and one a
# server never answers, left pending when the policy stops), the capture
# log, speech reports, SetLocked (the test runs as root) and refusals
. "$(dirname "$0")/notify-lib.sh"
start_notify_server || finish
cli 0 on
cap_pw_record "$T/muted2.raw" 2
logged() { "$PM_CLI" --timeout 20000 log | grep -q pw-record; }
check "policy under valgrind: the capture while muted is logged" wait_for 30 logged
cli 0 log
cli 0 log --json
python3 "$FAKE" register speech:vgmic start:1:VgApp:vg:1:vgmic stop:1 start:2:VgApp2::2:vgmic \
	startlong:3 > "$T/vgfake.out" 2>&1
check "policy under valgrind: the stand-in's reports answered" \
	sh -c "test \$(grep -c ' -> ok\$' '$T/vgfake.out') = 5 && grep -q 'InvalidArgs' '$T/vgfake.out'"
check "policy under valgrind: notifications sent" wait_for 30 notifications_at_least "You are muted" 1
cli 0 lock
cli 1 off
cli 1 toggle
cli 0 unlock
cli 0 off
stop_notify_server
start_notify_server --slow 600 || finish
cli 0 on
python3 "$FAKE" register start:4:VgApp4::4:vgmic > /dev/null 2>&1
check "policy under valgrind: a notification waits for the hung server" \
	wait_for 30 notifications_are "VgApp4 is trying to use the microphone while it is muted" 1

# bad calls: each error path of the service
call() { # INTERFACE.METHOD [ARGS as GVariant text]
	gdbus call --session --dest org.privacymute.Policy1 \
		--object-path /org/privacymute/Policy1 --method "$@"
}
refused() { ! call "$@"; }
check "SetMuted with a string refused" refused org.privacymute.Policy1.SetMuted "'x'"
check "unknown method refused" refused org.privacymute.Policy1.Nope
check "unknown property refused" refused org.freedesktop.DBus.Properties.Get \
	org.privacymute.Policy1 Nope
check "Set refused (read-only)" refused org.freedesktop.DBus.Properties.Set \
	org.privacymute.Policy1 Muted "<false>"
check "ReportSources from a stranger refused" refused org.privacymute.Policy1.ReportSources \
	"[(uint32 7, 'x', 'Audio/Source', false)]"
check "Acknowledge from a stranger refused" refused org.privacymute.Policy1.Acknowledge \
	"uint64 1" true "uint32 0"
check "RegisterEnforcer with a wrong type refused" refused \
	org.privacymute.Policy1.RegisterEnforcer "{'pid': <'x'>}"
check "GetAll answers" call org.freedesktop.DBus.Properties.GetAll "''"
check "Introspect answers" call org.freedesktop.DBus.Introspectable.Introspect
# an enforcer that registers, reports, acknowledges, unregisters
check "a client registers (and leaves the bus)" call org.privacymute.Policy1.RegisterEnforcer \
	"{'process': <'x'>, 'pid': <uint32 1>}"
cli 0 status

# the enforcers leave (one by one, as the bus tells the policy), then it stops
stop_audio
check "policy under valgrind: enforcers gone" wait_for 30 enforcers_are 0
cli 1 on
kill -TERM "${PM_PID[policy]}"
wait "${PM_PID[policy]}"; rc=$?
unset "PM_PID[policy]"
check "policy under valgrind exits 0 on SIGTERM (exit $rc)" test "$rc" = 0
check "policy: no memory error or leak over its life" vg_clean policy.vg
cli 2 status

# the watchers end when the bus goes
stop_daemon bus
for w in watch watchjson; do
	pid=${PM_PID[$w]}
	check "privacy-mute $w ends when the bus goes" wait_for 30 sh -c "! kill -0 $pid" ||
		kill -9 "$pid"
	wait "$pid"; rc=$?
	unset "PM_PID[$w]"
	check "valgrind privacy-mute $w ends with the bus (exit $rc, not $VG_ERR)" \
		test "$rc" != "$VG_ERR" -a "$rc" -lt 128
	check "valgrind privacy-mute $w: no memory error or leak" vg_clean "$w.vg"
done
check "watch saw muted and unmuted" sh -c "grep -q '^muted' '$T/watch.out' && grep -q '^unmuted' '$T/watch.out'"

finish
