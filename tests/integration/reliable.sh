#!/bin/bash
# A source with node.reliable = true (PipeWire 1.6: its output ports use
# the reliable tee, which hands the produced buffer to a consumer that is
# done with its last one and gives the source that consumer's old buffer
# id back: ids are swapped every cycle) is silent while muted for a
# hostile reader linked by hand (pm-spy, clobbering chunks). Unmuted first,
# as the control: the reader gets the signal, so the guard's copy follows
# the swapped ids. On PipeWire 1.4 the property is not known and the same
# checks run on the plain tee.
#
# Only one consumer: on PipeWire 1.6.9 a pw_stream (pw-record) linked to a
# reliable source gets two quanta of signal and then zeros, and a second
# consumer beside it gets nothing, without privacy-mute too
# (tests/upstream/reliable-stream.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spy-lib.sh"

start_stack || exit 1
pw-cli create-node adapter '{ factory.name = audiotestsrc node.name = relmic
	media.class = Audio/Source node.reliable = true object.linger = true
	audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]
	node.param.Props = { live = false } node.group = pm-test-mics }' \
	>/dev/null 2>>"$T/log/clients.log"
check "relmic (node.reliable = true) made" wait_for 10 has_node relmic
reliable_prop() {
	pw-cli info "$(node_id relmic)" 2>/dev/null | grep -q 'node.reliable = "true"'
}
check "relmic carries node.reliable = true" reliable_prop
port_config relmic dsp F32P
check "relmic: DSP ports" wait_for 10 n_out_ports relmic 2

check "mute off" mute_off
spy "$T/unmuted.spy" relmic dsp --clobber
check "unmuted (control): the spy catches the signal" caught_some "$T/unmuted.spy"
show "$T/unmuted.spy"
check "mute on, enforced" mute_on
spy "$T/muted.spy" relmic dsp --clobber
check "muted: the spy catches no non-zero sample" caught_none "$T/muted.spy"
show "$T/muted.spy"
spy "$T/muted-plain.spy" relmic dsp
check "muted: nothing caught without clobbering either" caught_none "$T/muted-plain.spy"
check "mute off" mute_off
pw-cli destroy "$(node_id relmic)" >/dev/null 2>>"$T/log/clients.log"
finish
