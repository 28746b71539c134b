#!/bin/bash
# PipeWire 1.6.9: a source with node.reliable = true gives a pw_stream
# consumer (pw-record) two quanta of its signal and then zeros; the same
# source with node.reliable = false gives it the signal throughout. No
# privacy-mute is loaded anywhere. Exit 0: reproduced (reliable: mostly
# zeros, not reliable: signal); 1: not reproduced.
#   PM_BUILD=build tests/upstream/reliable-stream.sh
PM_SRC=${PM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$PM_SRC/tests/integration/lib.sh"
. "$PM_SRC/tests/integration/spy-lib.sh"

mics_conf
no_module_conf
start_bus && start_policy && start_pipewire && start_wireplumber && start_pulse || exit 1
record() { # NAME RELIABLE
	pw-cli create-node adapter "{ factory.name = audiotestsrc node.name = $1
		media.class = Audio/Source node.reliable = $2 object.linger = true
		audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]
		node.param.Props = { live = false } node.group = pm-test-mics }" >/dev/null
	wait_for 10 has_node "$1" && port_config "$1" dsp F32P && wait_for 10 n_out_ports "$1" 2
	cap_pw_record "$T/$1.raw" 3 --target "$1"
	expect signal "$T/$1.raw" >&2
}
record plainmic false; plain=$?
record relmic true; rel=$?
log "node.reliable = false: $([ $plain = 0 ] && echo signal || echo 'no signal');" \
	"node.reliable = true: $([ $rel = 0 ] && echo signal || echo 'no signal')"
[ $plain = 0 ] && [ $rel != 0 ]
