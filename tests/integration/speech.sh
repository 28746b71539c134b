#!/bin/bash
# Trusted mute awareness, speech while muted: with the fake microphone
# playing a tone and a capture client linked while muted, the module's
# level decision reaches the policy, which logs a line and sends exactly
# one "You are muted" notification; with no capture client linked, or
# unmuted, none. Nothing audio-derived reaches other clients: a plain
# session client with match rules for every signal of the policy gets no
# SpeechWhileMuted, nothing that mentions speech, and no property or
# capture-log entry says it. Then the policy side alone through a stand-in
# enforcer: rate limit per source, bad input, --no-notify-speech,
# --no-speech-detection.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify-lib.sh"

start_stack || exit 1
start_notify_server || exit 1
start_signal_listener || { start_failed signal-listener; exit 1; }

MUTED_NOTE="You are muted"
# notes_for SOURCE: "You are muted" notifications that name SOURCE
notes_for() {
	python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if l.strip()
          and json.loads(l)["summary"] == "You are muted"
          and ("\"%s\"" % sys.argv[2] in json.loads(l)["body"] or sys.argv[2] in json.loads(l)["body"])))' \
		"$NOTIFY_OUT" "$1"
}
notes_for_are() { test "$(notes_for "$1")" -eq "$2"; }
none_yet() {
	test "$(notifications "$MUTED_NOTE")" = 0 && ! grep -q 'speech while muted' "$T/log/policy.log"
}
no_speech_signal() { test "$(speech_signals)" -eq 0; }

# muted, nothing consumes the microphone: nothing to hear
check "mute on, enforced" mute_on
sleep 4
check "muted, no capture client: no notification, no log line" none_yet

# unmuted, a client records the tone: not muted, nothing to say
check "mute off, enforced" mute_off
cap_pw_record "$T/unmuted.raw" 4 --target testmic
check "unmuted: pw-record got the tone" expect signal "$T/unmuted.raw"
check "unmuted, a client recording: no notification, no log line" none_yet

# muted, a client records: the policy hears of it, the user is told
check "mute on, enforced" mute_on
t0=$(now_ns)
cap_pw_record "$T/muted.raw" 8 --target testmic &
PM_PID[rec]=$!
check "muted, pw-record linked: a 'You are muted' notification (within 10 s)" \
	wait_for 10 notifications_at_least "$MUTED_NOTE" 1
t1=$(now_ns)
log "     (notification $(( (t1 - t0) / 1000000 )) ms after pw-record started)"
check "... and a log line" grep -q 'speech while muted on testmic' "$T/log/policy.log"
wait "${PM_PID[rec]}" 2>/dev/null; unset "PM_PID[rec]"
check "muted: pw-record got silence (samples arrived)" expect silence "$T/muted.raw"
check "exactly one notification for the whole capture" \
	sh -c "test $(notifications "$MUTED_NOTE") -eq 1"
check "the notification names the source" python3 -c '
import json, sys
ns = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = [x for x in ns if x["summary"] == "You are muted"][0]
assert "testmic" in n["body"] and n["app_name"] == "privacy-mute", n' "$NOTIFY_OUT"
check "the plain client heard the policy's other signals (the listener works: $(signals_received))" \
	test "$(signals_received)" -gt 0
check "... but no SpeechWhileMuted, nothing that mentions speech" no_speech_signal
check "no property of the policy says speech was heard (GetAll)" sh -c "
	dbus-send --session --print-reply --dest=org.privacymute.Policy1 /org/privacymute/Policy1 \
		org.freedesktop.DBus.Properties.GetAll string:org.privacymute.Policy1 > '$T/props.txt' &&
	grep -q Muted '$T/props.txt' && ! grep -qi 'speech while\|spoke\|speaking\|testmic' '$T/props.txt'"
check "the capture log has the capture, not the speech" sh -c "
	'$PM_CLI' log --json > '$T/log.json' && ! grep -qi speech '$T/log.json'"
check "status: speech detection on, notifications on (the defaults)" \
	status_eval 's["speech_detection"] and s["notify_speech"] and s["notify_capture"]'
check "the interface has no SpeechWhileMuted signal (Introspect)" sh -c "
	dbus-send --session --print-reply --dest=org.privacymute.Policy1 /org/privacymute/Policy1 \
		org.freedesktop.DBus.Introspectable.Introspect > '$T/introspect.txt' &&
	grep -q 'method name=\"SpeechWhileMuted\"' '$T/introspect.txt' &&
	! grep -q '<signal name=\"SpeechWhileMuted\"' '$T/introspect.txt'"

# ---- the policy side alone, through a stand-in enforcer ----
long=$(printf 'x%.0s' $(seq 257))
python3 "$FAKE" register "speech:$long" speech:fakemic speech:fakemic sleep:0.5 speech:fakemic \
	speech:othermic > "$T/fake.out" 2>&1
cat "$T/fake.out" >&2
check "stand-in: a source name over 256 bytes -> InvalidArgs" \
	grep -q '^speech:x* -> org.privacymute.Error.InvalidArgs' "$T/fake.out"
check "stand-in: the reports are accepted" test "$(grep -c '^speech:[a-z]*mic -> ok$' "$T/fake.out")" = 4
check "three reports on one source within 30 s: one notification" wait_for 5 notes_for_are fakemic 1
check "another source is limited on its own: one notification" wait_for 5 notes_for_are othermic 1
check "three notifications in all" wait_for 5 notifications_are "$MUTED_NOTE" 3
check "still no signal that mentions speech" no_speech_signal

check "mute off" sh -c "'$PM_CLI' off >/dev/null; '$PM_CLI' status --json | grep -q '\"muted\": false'"
python3 "$FAKE" register speech:unmutedmic > "$T/fake2.out" 2>&1
sleep 1
check "unmuted: a report brings no notification" test "$(notes_for unmutedmic)" = 0

# --no-notify-speech: nothing reaches anyone (only the policy's log)
stop_policy
start_policy --no-notify-speech || exit 1
"$PM_CLI" on >/dev/null 2>&1
check "--no-notify-speech: NotifySpeech is false, SpeechDetection true" \
	status_eval 's["notify_speech"] is False and s["speech_detection"] is True'
python3 "$FAKE" register speech:quietmic > "$T/fake3.out" 2>&1
check "--no-notify-speech: the log line" wait_for 5 grep -q 'speech while muted on quietmic' "$T/log/policy.log"
sleep 1
check "--no-notify-speech: no notification, no signal" \
	sh -c "test $(notifications "$MUTED_NOTE") -eq 3 && test $(speech_signals) -eq 0"

# --no-speech-detection: nothing at all
stop_policy
start_policy --no-speech-detection || exit 1
"$PM_CLI" on >/dev/null 2>&1
check "--no-speech-detection: SpeechDetection is false" status_eval 's["speech_detection"] is False'
python3 "$FAKE" register speech:offmic > "$T/fake4.out" 2>&1
check "--no-speech-detection: the report is accepted" grep -q '^speech:offmic -> ok$' "$T/fake4.out"
sleep 1
check "--no-speech-detection: no notification, no log line, no signal" \
	sh -c "test $(notifications "$MUTED_NOTE") -eq 3 && ! grep -q 'speech while muted on offmic' '$T/log/policy.log' && test $(speech_signals) -eq 0"

finish
