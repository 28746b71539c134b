#!/bin/bash
# The mute reaches clients that are already recording, cannot be undone by
# tampering with the source, and covers sources created while muted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spy-lib.sh"

start_stack || exit 1

# ---- a client already recording when the mute comes on, and goes off ----
check "starts unmuted (first start, no state file)" mute_off
cap_pm "$T/live.raw" 7 --target testmic --timeline "$T/live.tl" &
live=$!
pwrec=$T/live-pw-record.raw
timeout -s INT 7 pw-record --raw --format s16 --rate 48000 --channels 2 --target alsamic - \
	> "$pwrec" 2>>"$T/log/clients.log" &
livepw=$!
sleep 2
t0=$(now_ns)
check "mute on while recording, enforced" mute_on
t1=$(now_ns)
sleep 2
t2=$(now_ns)
check "mute off while recording, enforced" mute_off
t3=$(now_ns)
wait "$live" "$livepw"
end=$(now_ns)
check "signal before the mute" expect_timeline signal "$T/live.tl" 0 "$t0" 20
check "silence from one quantum after the acknowledgement" \
	expect_timeline silence "$T/live.tl" $((t1 + QUANTUM_NS)) "$t2" 20
check "signal again from one quantum after the unmute was acknowledged" \
	expect_timeline signal "$T/live.tl" $((t3 + QUANTUM_NS)) "$end" 20
# pw-record across the same toggles: signal, then a long silent stretch, then signal
check "pw-record across the toggle: signal, silence, signal" \
	"$PM_PCM" segments s16 "$pwrec" signal silence signal

# ---- tampering with the source while muted ----
check "mute on" mute_on
id=$(node_id testmic)
check "testmic has a node id" test -n "$id"
tamper() {
	local what=$1; shift
	check "tamper: $what (command accepted)" "$@"
	sleep 0.5
	cap_pw_record "$T/tamper.raw" 2 --target testmic
	check "tamper: $what: still silence" expect silence "$T/tamper.raw"
}
tamper "pactl set-source-mute testmic 0" pactl set-source-mute testmic 0
tamper "pactl set-source-volume testmic 150%" pactl set-source-volume testmic 150%
tamper "pw-cli set-param Props mute/softMute false" \
	pw-cli set-param "$id" Props '{ mute = false softMute = false volume = 1.0 }'
tamper "wpctl set-mute 0" wpctl set-mute "$id" 0
# Last, the port configuration, judged by a reader linked by hand (pm-spy)
# and by pw-record. On PipeWire 1.6.9 the source records nothing at all
# after this, for any client, without privacy-mute too
# (tests/upstream/portconfig-after-tamper.sh): with no cycles and no
# samples there is nothing to judge, which is said, not counted; on 1.4
# that is a failure.
check "tamper: PortConfig dsp (F32P ports) (command accepted)" pw-cli set-param "$id" PortConfig \
	'{ direction = Output mode = dsp format = { mediaType = audio mediaSubtype = raw format = F32P rate = 48000 channels = 2 position = [ FL FR ] } }'
sleep 0.5
spy "$T/tamper-spy" testmic dsp
cap_pw_record "$T/tamper.raw" 2 --target testmic
PW_VERSION=$(pkg-config --modversion libpipewire-0.3)
if ran "$T/tamper-spy" || [ -s "$T/tamper.raw" ] || [ "${PW_VERSION%.*}" = 1.4 ]; then
	check "tamper: PortConfig dsp: a reader linked by hand catches nothing (cycles ran)" \
		caught_none "$T/tamper-spy"
	show "$T/tamper-spy"
	check "tamper: PortConfig dsp: pw-record gets silence" expect silence "$T/tamper.raw"
else
	log "       NOT JUDGED: tamper: PortConfig dsp: testmic produces nothing for anyone afterwards" \
		"(PipeWire $PW_VERSION, upstream: tests/upstream/portconfig-after-tamper.sh)"
fi
# convert and passthrough modes with other formats: formats.sh (session-managed
# clients cannot link to a source fixed to another format)
# the privacy mute does not show on the source: its own mute flag is as the
# (tampering) client left it
check "the source's own mute flag is untouched" sh -c "pactl get-source-mute testmic | grep -q 'Mute: no'"

# ---- a source created while muted is silent from its first buffer ----
pw-cli create-node adapter '{ factory.name = audiotestsrc node.name = latemic
	media.class = Audio/Source audio.rate = 48000 audio.channels = 2
	audio.position = [ FL FR ] object.linger = true }' >>"$T/log/clients.log" 2>&1
check "latemic appeared" wait_for 5 sh -c "pw-link -o | grep -q latemic:"
cap_pm "$T/late.raw" 2 --target latemic --timeline "$T/late.tl"
check "latemic: silence from its first buffer" expect_timeline silence "$T/late.tl" 0 "$(now_ns)" 20
check "latemic: whole capture is silence" expect silence "$T/late.raw"
check "mute off" mute_off
cap_pw_record "$T/late-on.raw" 2 --target latemic
check "latemic: signal when unmuted" expect signal "$T/late-on.raw"

finish
