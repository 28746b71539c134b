#!/bin/bash
# Trusted mute awareness, the capture log: applications that capture while
# muted are logged by the policy (GetCaptureLog, `privacy-mute log`) with
# their names and the policy's times, survive a policy restart, and bring a
# desktop notification "<app> is trying to use the microphone while it is
# muted"; captures while unmuted are not logged. Then the policy side alone,
# driven by a stand-in enforcer: who may report, limits, duplicates, a
# vanished enforcer, the notification rate limit, a hung notification
# server, no notification server at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify-lib.sh"

start_stack || exit 1
start_notify_server || exit 1

# capture_bg NAME KIND FILE SECONDS: a capture in the background, its pid
# in PM_PID[NAME]; the application name the graph gives it in $T/NAME.app
capture_bg() {
	local name=$1 kind=$2 f=$3 s=$4
	case $kind in
	pw) cap_pw_record "$f" "$s" --target testmic & ;;
	pulse) cap_parec "$f" "$s" --device=testmic & ;;
	esac
	PM_PID[$name]=$!
	wait_for 10 have_stream
	sleep 0.5
	stream_app_names > "$T/$name.app"
}
have_stream() { test -n "$(stream_app_names)"; }
capture_wait() { wait "${PM_PID[$1]}" 2>/dev/null; unset "PM_PID[$1]"; }

t0=$(unix_us)
check "mute on, enforced" mute_on
capture_bg rec pw "$T/rec.raw" 3
capture_wait rec
capture_bg parec pulse "$T/parec.raw" 3
capture_wait parec
REC_APP=$(head -1 "$T/rec.app")
PAREC_APP=$(head -1 "$T/parec.app")
check "pw-record's stream has an application.name ('$REC_APP')" test -n "$REC_APP"
check "parec's stream has an application.name ('$PAREC_APP')" test -n "$PAREC_APP"
check "pw-record got silence while muted (samples arrived)" expect silence "$T/rec.raw"
check "parec got silence while muted (samples arrived)" expect silence "$T/parec.raw"

# both entries closed (the module reports the links' end)
log_closed() {
	"$PM_CLI" log --json | python3 -c '
import json, sys
log = json.load(sys.stdin)
apps = sys.argv[1:]
ok = all(any(e["application"] == a and e["stop_us"] > 0 for e in log) for a in apps)
sys.exit(0 if ok else 1)' "$REC_APP" "$PAREC_APP"
}
check "the log has both captures, closed, within 10 s" wait_for 10 log_closed
t1=$(unix_us)
"$PM_CLI" log --json > "$T/log1.json"
check "log --json is one JSON array on one line" \
	sh -c "test \$(wc -l < '$T/log1.json') -eq 1 && python3 -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), list)' '$T/log1.json'"
check_entry() { # APP KIND
	python3 -c '
import json, sys
log = json.load(open(sys.argv[1]))
app, t0, t1, src = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
es = [e for e in log if e["application"] == app]
print(es)
assert len(es) == 1, "one entry of %s, got %d" % (app, len(es))
e = es[0]
assert t0 <= e["start_us"] < e["stop_us"] <= t1, "times %d <= %d < %d <= %d" % (t0, e["start_us"], e["stop_us"], t1)
assert e["source"] == src, "source %r" % e["source"]
assert e["pid"] > 0, "pid %r" % e["pid"]
' "$T/log1.json" "$1" "$t0" "$t1" testmic
}
check "log: pw-record ('$REC_APP') on testmic, pid, start < stop within the test's window" check_entry "$REC_APP"
check "log: parec ('$PAREC_APP') on testmic, pid, start < stop within the test's window" check_entry "$PAREC_APP"
check "log: pw-record started before parec" python3 -c '
import json, sys
log = json.load(open(sys.argv[1]))
r = [e for e in log if e["application"] == sys.argv[2]][0]
p = [e for e in log if e["application"] == sys.argv[3]][0]
assert r["stop_us"] <= p["start_us"], (r, p)' "$T/log1.json" "$REC_APP" "$PAREC_APP"
"$PM_CLI" log > "$T/log1.txt"
check "log (text) names both applications, one line each" \
	sh -c "grep -c \"^[0-9-]* [0-9:]* - [0-9:]*  $REC_APP (.*, pid [0-9]*) on testmic\$\" '$T/log1.txt' | grep -qx 1 &&
	       grep -c \"^[0-9-]* [0-9:]* - [0-9:]*  $PAREC_APP (.*, pid [0-9]*) on testmic\$\" '$T/log1.txt' | grep -qx 1"
check "policy log: a line per capture while muted" \
	sh -c "grep -q 'capture while muted: $REC_APP' '$T/log/policy.log' && grep -q 'capture while muted: $PAREC_APP' '$T/log/policy.log'"

# the notifications
check "notification: '$REC_APP is trying to use the microphone while it is muted'" \
	test "$(notifications "$REC_APP is trying to use the microphone while it is muted")" = 1
check "notification: '$PAREC_APP is trying to use the microphone while it is muted'" \
	test "$(notifications "$PAREC_APP is trying to use the microphone while it is muted")" = 1
check "notifications come from privacy-mute" python3 -c '
import json, sys
ns = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert ns and all(n["app_name"] == "privacy-mute" and n["expire_timeout"] == -1 for n in ns), ns' "$NOTIFY_OUT"

# a restart of the policy keeps the log
stop_policy
check "the capture log is a file in the state dir" test -s "$XDG_STATE_HOME/privacy-mute/capture-log"
start_policy || exit 1
wait_for 20 muted_enforced
"$PM_CLI" log --json > "$T/log2.json"
check "the log survives a restart of the policy (same entries)" python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a == b, (a, b)' "$T/log1.json" "$T/log2.json"

# unmuted captures are not logged
check "mute off, enforced" mute_off
capture_bg rec2 pw "$T/rec2.raw" 2
capture_wait rec2
check "unmuted: pw-record got the signal" expect signal "$T/rec2.raw"
sleep 1
"$PM_CLI" log --json > "$T/log3.json"
check "unmuted: no new log entry" python3 -c '
import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))' "$T/log1.json" "$T/log3.json"

# ---- the policy side alone, through a stand-in enforcer ----
check "mute on again" sh -c "'$PM_CLI' on >/dev/null; '$PM_CLI' status --json | grep -q '\"muted\": true'"
python3 "$FAKE" start:1:X::1:m stop:1 speech:m > "$T/unreg.out" 2>&1
check "an unregistered caller: CaptureStarted, CaptureStopped, SpeechWhileMuted -> NotRegistered" \
	test "$(grep -c 'org.privacymute.Error.NotRegistered' "$T/unreg.out")" = 3
python3 "$FAKE" register start:1:FakeApp:fake-bin:4321:fakemic start:1:FakeApp:fake-bin:4321:fakemic \
	startlong:2 log stop:1 start:3:FakeApp:fake-bin:4321:fakemic log sleep:0.3 > "$T/fake.out" 2>&1
cat "$T/fake.out" >&2
check "stand-in: registered, CaptureStarted accepted (twice for one id)" \
	test "$(grep -c '^\(register\|start:1:.*\) -> ok$' "$T/fake.out")" = 3
check "stand-in: a 257-byte application name -> InvalidArgs" \
	grep -q '^startlong:2 -> org.privacymute.Error.InvalidArgs: .*256' "$T/fake.out"
check "stand-in: one open entry for the id started twice, with every field" python3 -c '
import json, sys
log = json.loads(open(sys.argv[1]).read().splitlines()[4])
es = [e for e in log if e[0] == "FakeApp"]
assert len(es) == 1 and es[0][1:4] == ["fake-bin", 4321, "fakemic"] and es[0][5] == 0, es' "$T/fake.out"
fake_closed() {
	python3 "$FAKE" log | tail -1 | python3 -c '
import json, sys
log = json.load(sys.stdin)
es = [e for e in log if e[0] == "FakeApp"]
print(es)
assert len(es) == 2 and all(e[5] >= e[4] > 0 for e in es), es'
}
check "stand-in gone: its open capture is closed" wait_for 10 fake_closed
check "one notification for FakeApp's two captures (once per application per 60 s)" \
	test "$(notifications "FakeApp is trying to use the microphone while it is muted")" = 1

# a notification server that does not answer does not hold up the policy
stop_notify_server
start_notify_server --slow 30 || exit 1
python3 "$FAKE" register start:5:SlowApp::1:fakemic > "$T/slow.out" 2>&1
check "hung notification server: the notification was sent" \
	wait_for 10 notifications_are "SlowApp is trying to use the microphone while it is muted" 1
check "hung notification server: the policy still answers" "$PM_CLI" --timeout 3000 status
check "hung notification server: the policy still logs" \
	sh -c "'$PM_CLI' --timeout 3000 log | grep -q SlowApp"

# no notification server at all: skipped, one log line
stop_notify_server
python3 "$FAKE" register start:6:LonelyApp::1:fakemic > "$T/none.out" 2>&1
check "no notification server: the capture is logged" sh -c "'$PM_CLI' log | grep -q LonelyApp"
check "no notification server: one log line says it was not shown" \
	wait_for 5 grep -q 'no notification server.*not shown' "$T/log/policy.log"

# a corrupt log file: the policy starts with an empty log, and says so
stop_policy
echo '{ "entries": [ { "start": 5, "stop": 1 } ] }' > "$XDG_STATE_HOME/privacy-mute/capture-log"
start_policy --no-notify-capture || exit 1
check "corrupt capture log: the policy says why" grep -q 'capture-log is invalid: an entry stops before it starts' "$T/log/policy.log"
check "corrupt capture log: an empty log" sh -c "test \"\$('$PM_CLI' log --json)\" = '[]'"
check "corrupt capture log: 'log' says nothing is logged" \
	sh -c "'$PM_CLI' log | grep -qx 'no capture while muted is logged'"
check "--no-notify-capture: NotifyCapture is false" status_eval 's["notify_capture"] is False'

finish
