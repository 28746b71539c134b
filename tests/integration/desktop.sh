#!/bin/bash
# The desktop side: `privacy-mute watch --json` for status bars, and the
# policy following the default source's own mute (the desktop's mic-mute
# key, which GNOME, KDE and others apply through PulseAudio) when it runs
# with --follow-source-mute, and not otherwise.
. "$(dirname "$0")/lib.sh"

mics_conf
module_conf
start_bus && start_policy --follow-source-mute && start_pipewire && start_wireplumber &&
	start_pulse || exit 1

default_is_testmic() { test "$(pactl get-default-source)" = testmic; }
check "the default source is testmic" wait_for 10 default_is_testmic
check "status says it follows the default source's mute" \
	sh -c "'$PM_CLI' status | grep -q \"follows the default source's mute: yes\""
check "... and so does status --json" status_eval 's["follow_source_mute"] is True'
check "unmuted and enforced" wait_for 10 unmuted_enforced

# An adapter source without a device keeps its Props (mute included) only
# while it is configured: keep it running with a capture, as in a call.
# (An ALSA card's source keeps the mute on the device's Route.)
cap_pm "$T/keepalive.raw" 120 --target testmic &
PM_PID[keepalive]=$!
wait_for 10 test -s "$T/keepalive.raw"

"$PM_CLI" watch --json > "$T/watch.json" 2>>"$T/log/clients.log" &
PM_PID[watch]=$!
wait_for 10 test -s "$T/watch.json"

# the desktop's key: pactl on the default source. alsamic has no mute of
# its own set, so its silence is the privacy mute's doing
pactl set-source-mute @DEFAULT_SOURCE@ 1
check "pactl set-source-mute 1 on the default source: muted and enforced" \
	wait_for 10 muted_enforced
cap_pw_record "$T/key-muted.raw" 2 --target alsamic
check "another microphone is silent" expect silence "$T/key-muted.raw"
check "the source's own mute is left as the user set it" \
	sh -c "pactl get-source-mute testmic | grep -q yes"
pactl set-source-mute @DEFAULT_SOURCE@ 0
check "set-source-mute 0: unmuted and enforced" wait_for 10 unmuted_enforced
cap_pw_record "$T/key-unmuted.raw" 2 --target alsamic
check "the other microphone carries signal again" expect signal "$T/key-unmuted.raw"

# wpctl (what a compositor's key binding may call) sets the same flag
wpctl set-mute @DEFAULT_AUDIO_SOURCE@ 1
check "wpctl set-mute 1: muted" wait_for 10 muted_enforced
wpctl set-mute @DEFAULT_AUDIO_SOURCE@ 0
check "wpctl set-mute 0: unmuted" wait_for 10 unmuted_enforced

# only the default source counts
cap_pm "$T/keepalive2.raw" 4 --target alsamic &
PM_PID[keepalive2]=$!
wait_for 10 test -s "$T/keepalive2.raw"
pactl set-source-mute alsamic 1
check "(alsamic muted by its own flag)" wait_for 5 sh -c "pactl get-source-mute alsamic | grep -q yes"
sleep 1
check "muting a source that is not the default changes nothing" unmuted_enforced
pactl set-source-mute alsamic 0
stop_daemon keepalive2

# the privacy mute set by the CLI stays while the source's flag does not move
check "mute on (CLI)" mute_on
pactl set-source-mute @DEFAULT_SOURCE@ 0
sleep 1
check "an unmute of an already unmuted source does not release it" muted_enforced
check "mute off (CLI)" mute_off

# the policy gone and back: the bar says so
stop_policy
check "policy stopped: the bar shows it unavailable" \
	wait_for 10 grep -q '"class": "unavailable"' "$T/watch.json"
start_policy || exit 1
check "policy back: the bar shows it again" \
	wait_for 10 sh -c "tail -n 1 '$T/watch.json' | grep -q '\"class\": \"unmuted\"'"
stop_daemon watch

check "watch --json: every line is one JSON object a status bar can use" python3 - "$T/watch.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 6, lines
seen = set()
for l in lines:
    o = json.loads(l)
    for k in ("text", "alt", "tooltip", "class"):
        assert isinstance(o[k], str) and o[k], (k, l)
    seen.add(o["class"])
    if o["class"] == "muted":
        assert o["muted"] is True and o["enforced"] is True, l
    if o["class"] == "unmuted":
        assert o["muted"] is False and o["enforced"] is True, l
for c in ("muted", "unmuted", "unavailable"):
    assert c in seen, (c, seen)
# each line differs from the one before: no repeats for a bar to redraw
assert all(a != b for a, b in zip(lines, lines[1:])), lines
PY

# without the option the source's own mute is just that
stop_policy
start_policy || exit 1
check "restarted without --follow-source-mute: status says no" \
	status_eval 's["follow_source_mute"] is False'
check "unmuted and enforced" wait_for 10 unmuted_enforced
pactl set-source-mute @DEFAULT_SOURCE@ 1
sleep 1
check "set-source-mute 1 leaves the privacy mute off" unmuted_enforced
cap_pw_record "$T/nofollow.raw" 2 --target alsamic
check "the other microphone carries signal" expect signal "$T/nofollow.raw"
pactl set-source-mute @DEFAULT_SOURCE@ 0

finish
