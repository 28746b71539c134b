#!/bin/bash
# Upstream reproducer (no privacy-mute loaded anywhere): on PipeWire 1.6.9 /
# WirePlumber 0.5.12 (Debian 13 trixie-backports), after a source's mute,
# volume and Props were set by clients (pactl, pw-cli, wpctl, as
# mute-live.sh's tampering does), setting its PortConfig to dsp F32P leaves
# it unusable: pw-record --target it records 0 bytes, also 2 s later, and
# nothing is logged. Each step alone on a fresh session works, and the
# whole sequence works on 1.4.2 (Debian 12 backports): mute-live passes
# there. This is why mute-live's "tamper: PortConfig dsp (F32P ports):
# still silence" fails on 1.6 (0 samples: nothing leaks, nothing to judge).
#
# Prints each step's capture size; exit 0 when the last capture is empty
# (reproduced), 1 when it has data.
#
#   PM_BUILD=build PM_SRC=. tests/upstream/portconfig-after-tamper.sh
export PM_BUILD=${PM_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
export PM_SRC=${PM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$PM_SRC/tests/integration/lib.sh"

mics_conf
start_bus && start_policy && start_pipewire && start_wireplumber && start_pulse || exit 2
id=$(node_id testmic)
step() {
	"$@" >/dev/null 2>&1
	sleep 0.5
	cap_pw_record "$T/t.raw" 2 --target testmic
	echo "after $1 $2 ${3:-}: $(stat -c %s "$T/t.raw") bytes"
}
step pactl set-source-mute testmic 0
step pactl set-source-volume testmic 150%
step pw-cli set-param "$id" Props '{ mute = false softMute = false volume = 1.0 }'
step wpctl set-mute "$id" 0
step pw-cli set-param "$id" PortConfig '{ direction = Output mode = dsp format = {
	mediaType = audio mediaSubtype = raw format = F32P rate = 48000 channels = 2
	position = [ FL FR ] } }'
sleep 2
cap_pw_record "$T/t.raw" 2 --target testmic
n=$(stat -c %s "$T/t.raw")
echo "2 s later: $n bytes"
[ "$n" -eq 0 ]
