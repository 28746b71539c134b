#!/bin/bash
# A source with node.reliable = true (PipeWire 1.6: its output ports use
# the reliable tee, which hands each consumer buffers of its own queue and
# may swap buffer ids) is silent while muted for every consumer at once: a
# hostile reader linked by hand (pm-spy, clobbering chunks) and pw-record
# beside it. Unmuted first, as the control: both get the signal. On
# PipeWire 1.4 the property is not known and the same checks run on the
# plain tee.
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

# both consumers at once: pw-record in the background, the spy beside it
both() { # TAG
	cap_pw_record "$T/$1.raw" 3 --target relmic &
	local rec=$!
	spy "$T/$1.spy" relmic dsp --clobber
	wait "$rec"
}
check "mute off" mute_off
both unmuted
check "unmuted (control): the spy catches the signal" caught_some "$T/unmuted.spy"
show "$T/unmuted.spy"
check "unmuted (control): pw-record beside it gets the signal" expect signal "$T/unmuted.raw"
check "mute on, enforced" mute_on
both muted
check "muted: the spy catches no non-zero sample" caught_none "$T/muted.spy"
show "$T/muted.spy"
check "muted: pw-record beside it gets silence" expect silence "$T/muted.raw"
check "mute off" mute_off
pw-cli destroy "$(node_id relmic)" >/dev/null 2>>"$T/log/clients.log"
finish
