# privacy-mute integration tests: helpers for the trusted mute awareness
# tests (capture log, speech while muted). Source after lib.sh.

NOTIFY_OUT="$T/notifications.jsonl"
FAKE="$PM_SRC/tests/integration/fake-enforcer.py"

notify_owned() {
	dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null |
		grep -q 'boolean true'
}

# start_notify_server [--slow SECONDS]: the test notification server on the
# private session bus; each Notify becomes a JSON line in $NOTIFY_OUT
start_notify_server() {
	touch "$NOTIFY_OUT"
	# Debian's python3, where python3-dbus and python3-gi are installed
	# (a python3 earlier in PATH may not have them)
	/usr/bin/python3 "$PM_SRC/tests/integration/notify-server.py" "$NOTIFY_OUT" "$@" \
		>>"$T/log/notify.log" 2>&1 &
	PM_PID[notify]=$!
	wait_for 10 notify_owned || { start_failed notify-server; return 1; }
}

stop_notify_server() {
	stop_daemon notify
	wait_for 10 sh -c '! dbus-send --session --print-reply --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
		string:org.freedesktop.Notifications | grep -q "boolean true"'
}

# notifications SUMMARY: how many notifications with exactly that summary
notifications() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    if line.strip() and json.loads(line)["summary"] == sys.argv[2]:
        n += 1
print(n)' "$NOTIFY_OUT" "$1"
}

# start_signal_listener: a plain session client (tests/integration/
# signal-listener.py) with match rules for every signal of the policy;
# each signal it gets is a JSON line in $SIGNALS_OUT
SIGNALS_OUT="$T/signals.jsonl"
start_signal_listener() {
	touch "$SIGNALS_OUT"
	/usr/bin/python3 "$PM_SRC/tests/integration/signal-listener.py" "$SIGNALS_OUT" \
		> "$T/listener.out" 2>>"$T/log/listener.log" &
	PM_PID[listener]=$!
	wait_for 10 grep -qx listening "$T/listener.out"
}

# signals_received: how many signals of the policy the listener got
signals_received() { grep -c . "$SIGNALS_OUT"; }

# speech_signals: how many of them are SpeechWhileMuted, or mention speech
# at all (a member, an argument, a property name)
speech_signals() { grep -ci speech "$SIGNALS_OUT"; }

# stream_app_names: application.name of every capture stream in the graph
stream_app_names() {
	pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    p = (o.get("info") or {}).get("props") or {}
    if o.get("type") == "PipeWire:Interface:Node" and p.get("media.class") == "Stream/Input/Audio":
        print(p.get("application.name", ""))'
}

unix_us() { date +%s%6N; }

# for wait_for (which runs its command again each time; a $(...) in its
# arguments would be read only once)
notifications_at_least() { test "$(notifications "$1")" -ge "$2"; }
notifications_are() { test "$(notifications "$1")" -eq "$2"; }
