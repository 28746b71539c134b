#!/bin/bash
# Silence in every format a source can negotiate on its output, checked on
# the raw bytes: testmic (an audiotestsrc driver in the daemon) is switched
# with PortConfig to each format in convert mode, to dsp mode, and to
# passthrough mode; a capture client takes the source's buffers without any
# conversion of its own, so a wrong silence pattern (0 instead of 0x80 for
# U8, one plane of two...) cannot be hidden. Unmuted, the same path carries
# the signal, so each format path is real.
. "$(dirname "$0")/lib.sh"

start_stack || exit 1
id=$(node_id testmic)
check "testmic has a node id" test -n "$id"

# port_config MODE [FORMAT]: testmic's output PortConfig. Note the keys of
# the nested format: pw-cli wants format/rate/channels/position with the
# media type; with audio.format & co it builds an empty format and the
# adapter ignores the whole PortConfig.
port_config() {
	local fmt=""
	[ -n "${2:-}" ] && fmt="format = { mediaType = audio mediaSubtype = raw format = $2
		rate = 48000 channels = 2 position = [ FL FR ] }"
	pw-cli set-param "$id" PortConfig "{ direction = Output mode = $1 $fmt }" \
		>/dev/null 2>>"$T/log/clients.log"
}
out_ports() { pw-link -o 2>/dev/null | grep "^testmic:"; }
one_out_port() { test "$(out_ports | wc -l)" -eq 1; }
two_out_ports() { test "$(out_ports | grep -c ':capture_F[LR]$')" -eq 2; }

# port_format NODE: the format negotiated on NODE's (first) output port
port_format() {
	pw-dump 2>/dev/null | python3 -c '
import json, sys
objs = json.load(sys.stdin)
nid = [o["id"] for o in objs if o.get("type") == "PipeWire:Interface:Node"
       and o["info"]["props"].get("node.name") == sys.argv[1]][0]
for o in objs:
    i = o.get("info") or {}
    if o.get("type") == "PipeWire:Interface:Port" and i.get("direction") == "output" \
       and i["props"].get("node.id") == nid and i["params"].get("Format"):
        f = i["params"]["Format"][0]
        print(f["mediaSubtype"], f["format"])
        break' "$1"
}
format_known() { port_format testmic | grep -q .; }

# cap_raw FILE FORMAT: pm-capture asking for FORMAT, its stream in
# passthrough (no converter in the client), linked by hand to testmic's one
# output port; the negotiated format of that port goes to FILE.fmt
cap_raw() {
	local f=$1 fmt=$2 pid cid
	: > "$f.fmt"
	"$PM_BUILD/tests/tools/pm-capture" --no-autoconnect --name pm-raw --format "$fmt" \
		--seconds 2 > "$f" 2>>"$T/log/clients.log" &
	pid=$!
	if wait_for 5 has_node pm-raw; then
		cid=$(node_id pm-raw)
		pw-cli set-param "$cid" PortConfig '{ direction = Input mode = passthrough }' \
			>/dev/null 2>>"$T/log/clients.log"
		wait_for 5 sh -c "pw-link -i | grep -q '^pm-raw:'"
		pw-link "$(out_ports | head -n 1)" "$(pw-link -i | grep '^pm-raw:' | head -n 1)" \
			2>>"$T/log/clients.log"
		wait_for 5 format_known &&
			port_format testmic > "$f.fmt"
	fi
	wait "$pid"
}

# one FORMAT(PortConfig) FORMAT(pm-capture) FORMAT(pm-pcm): muted -> the
# format's silence, unmuted -> signal, both in that very format
one() {
	local pc=$1 cf=$2 pf=$3
	port_config convert "$pc"
	check "$pc: testmic switched to convert mode (one port)" wait_for 10 one_out_port
	check "$pc: mute on" mute_on
	cap_raw "$T/m-$pc.raw" "$cf"
	check "$pc: negotiated on testmic's port: $pc" grep -qx "raw $pc" "$T/m-$pc.raw.fmt"
	check "$pc: silence while muted, on the raw bytes" expect silence "$T/m-$pc.raw" "$pf"
	check "$pc: mute off" mute_off
	cap_raw "$T/u-$pc.raw" "$cf"
	check "$pc: signal while unmuted" expect signal "$T/u-$pc.raw" "$pf"
}

one F32LE f32 f32
one F32P f32p f32
one S16LE s16 s16
one S24_32LE s24_32 s24_32
one S32LE s32 s32
one U8 u8 u8
one U8P u8p u8

# dsp mode: one F32 mono port per channel, the path of every session-managed
# client; pw-record (dsp too) only interleaves the two planes
port_config dsp F32P
check "dsp F32P: testmic back in dsp mode (capture_FL, capture_FR)" wait_for 10 two_out_ports
check "dsp: mute on" mute_on
timeout -s INT 3 pw-record --raw --format f32 --rate 48000 --channels 2 --target testmic - \
	> "$T/m-dsp.raw" 2>>"$T/log/clients.log" &
pid=$!
wait_for 5 format_known &&
	port_format testmic > "$T/m-dsp.fmt"
wait "$pid"
check "dsp: negotiated dsp F32P" grep -qx "dsp F32P" "$T/m-dsp.fmt"
check "dsp: silence while muted" expect silence "$T/m-dsp.raw" f32
check "dsp: mute off" mute_off
cap_pw_record "$T/u-dsp.raw" 3 --format f32 --target testmic
check "dsp: signal while unmuted" expect signal "$T/u-dsp.raw" f32

# passthrough mode: no converter in the source either; its output port is
# audiotestsrc's own (S16LE, S32LE, F32LE or F64LE)
for pt in S16LE:s16 F32LE:f32; do
	pc=${pt%:*} cf=${pt#*:}
	port_config passthrough "$pc"
	check "passthrough $pc: testmic in passthrough mode (one port)" wait_for 10 one_out_port
	check "passthrough $pc: mute on" mute_on
	cap_raw "$T/m-pt-$pc.raw" "$cf"
	check "passthrough $pc: negotiated $pc" grep -qx "raw $pc" "$T/m-pt-$pc.raw.fmt"
	check "passthrough $pc: silence while muted" expect silence "$T/m-pt-$pc.raw" "$cf"
	check "passthrough $pc: mute off" mute_off
	cap_raw "$T/u-pt-$pc.raw" "$cf"
	check "passthrough $pc: signal while unmuted" expect signal "$T/u-pt-$pc.raw" "$cf"
done

finish
