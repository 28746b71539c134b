#!/bin/bash
# Capture nodes that a client labels as something else are guarded by what
# they are. A client asks the daemon's factories for a real ALSA capture
# node (the fakemic of mics_conf) and gives it another media.class: a
# playback stream, a sink, a video source, the right class in the wrong
# case; and an audiotestsrc (which keeps the class it states itself). The module goes by the SPA factory that runs the node
# (factory.name), so each is silent while muted, for a hostile reader
# linked by hand (pm-spy) and for pw-record; each first carries the signal
# unmuted (the control: the node runs and the attack would get audio), and
# the mute is enforced with nothing unguarded. exempt.nodes names
# "trusted-loopback*": a node of that name that a client made is still
# guarded (with and without object.linger, which keeps client.id off it),
# the one the configuration made is exempt and shown as such.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spy-lib.sh"

ALSA='factory.name = api.alsa.pcm.source api.alsa.path = "fakemic" audio.format = S16LE
	audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]
	api.alsa.disable-mmap = true api.alsa.disable-batch = true'
TEST='factory.name = audiotestsrc audio.rate = 48000 audio.channels = 2
	audio.position = [ FL FR ] node.param.Props = { live = false } node.group = pm-test-mics'

mics_conf
cat > "$T/config/pipewire/pipewire.conf.d/45-trusted.conf" <<CONF
context.objects = [
    { factory = adapter
      args = { node.name = trusted-loopback-cfg media.class = Audio/Source $ALSA }
    }
]
CONF
module_conf 'exempt.nodes = [ "trusted-loopback*" ]'
start_bus && start_policy && start_pipewire && start_wireplumber && start_pulse || exit 1

# make FACTORY NAME CLASS PROPS: a node a client asks the daemon for; with
# object.linger it outlives pw-cli (and has no client.id)
make() {
	pw-cli create-node "$1" "{ node.name = $2 media.class = \"$3\" object.linger = true $4 }" \
		>/dev/null 2>>"$T/log/clients.log"
	wait_for 10 has_node "$2"
}
# node_class NAME: its media.class as the daemon lists it
node_class() {
	pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    p = o.get("info", {}).get("props", {})
    if p.get("node.name") == sys.argv[1]:
        print(p.get("media.class", ""))' "$1"
}
# dsp NAME: an adapter node nobody configured gets DSP ports, as WirePlumber
# gives a device source
dsp() {
	port_config "$1" dsp F32P
	wait_for 10 n_out_ports "$1" 2
}
guarded_not_listed() {
	status_eval "all(u['name'] != '$1' for u in s['unguarded'])" >/dev/null
}

# attack NAME MODE: the spy, unmuted (control) and muted
attack() {
	local f="$T/spy-$1"
	check "$1: mute off" mute_off
	spy "$f-control" "$1" "$2" --clobber
	check "$1 ($(node_class "$1")), unmuted (control): the spy catches the signal" \
		caught_some "$f-control"
	show "$f-control"
	check "$1: mute on, enforced" mute_on
	check "$1: not listed as unguarded" guarded_not_listed "$1"
	spy "$f-muted" "$1" "$2" --clobber
	check "$1, muted: the spy catches no non-zero sample" caught_none "$f-muted"
	show "$f-muted"
}

check "made: an ALSA capture node labelled a playback stream" \
	make adapter evil-stream Stream/Output/Audio "$ALSA"
check "evil-stream: DSP ports" dsp evil-stream
attack evil-stream dsp

check "made: an ALSA capture node labelled audio/source (lower case)" \
	make adapter evil-case audio/source "$ALSA"
check "evil-case: DSP ports" dsp evil-case
attack evil-case dsp

# audiotestsrc states its own class (the adapter takes Audio/Source from it
# whatever the client asked for): guarded by class and by factory alike
check "made: an audiotestsrc asked to be AUDIO/DUPLEX" \
	make adapter evil-test AUDIO/DUPLEX "$TEST"
check "evil-test: DSP ports" dsp evil-test
attack evil-test dsp

check "made: an ALSA capture node labelled a video source" \
	make adapter evil-video Video/Source "$ALSA"
check "evil-video: DSP ports" dsp evil-video
attack evil-video dsp

# no adapter: the raw ALSA node, its one port in the device's format
check "made: a bare ALSA capture node (spa-node-factory) labelled a sink" \
	make spa-node-factory evil-sink Audio/Sink "$ALSA"
check "evil-sink: its output port" wait_for 10 n_out_ports evil-sink 1
attack evil-sink s16

# ---- exempt.nodes: only for nodes the configuration made ----
# trusted-loopback-evil: made by a client that stays connected (client.id)
mkfifo "$T/pwcli.in"
# it must outlive the wrappers' 20 s: it is stopped by pid at the end
PM_CMD_TIMEOUT=300 pw-cli < "$T/pwcli.in" > /dev/null 2>>"$T/log/clients.log" &
PM_PID[pwcli]=$!
exec 5> "$T/pwcli.in"
echo "create-node adapter { node.name = trusted-loopback-evil media.class = Audio/Source $(echo $ALSA) }" >&5
check "made: trusted-loopback-evil, by a client that stays (client.id)" \
	wait_for 10 has_node trusted-loopback-evil
check "made: trusted-loopback-linger, by a client, with object.linger" \
	make adapter trusted-loopback-linger Audio/Source "$ALSA"
check "trusted-loopback-cfg, from the configuration, exists" has_node trusted-loopback-cfg
for n in trusted-loopback-evil trusted-loopback-linger trusted-loopback-cfg; do
	check "$n: DSP ports" dsp "$n"
done

check "mute on" mute_on
cap_pw_record "$T/evil.raw" 2 --target trusted-loopback-evil
check "muted: trusted-loopback-evil (client-made) is silent" expect silence "$T/evil.raw"
cap_pw_record "$T/linger.raw" 2 --target trusted-loopback-linger
check "muted: trusted-loopback-linger (client-made, lingering) is silent" \
	expect silence "$T/linger.raw"
cap_pw_record "$T/cfg.raw" 2 --target trusted-loopback-cfg
check "muted: trusted-loopback-cfg (configuration) is exempt: signal" expect signal "$T/cfg.raw"
exempt_only_cfg() {
	status_eval "[u['name'] for u in s['exempt']] == ['trusted-loopback-cfg']" >/dev/null
}
check "status --json lists only trusted-loopback-cfg as exempt" wait_for 10 exempt_only_cfg
check "status (human) shows it under 'exempt:'" \
	sh -c "\"$PM_CLI\" status | grep -A1 '^exempt: 1' | grep -q '  trusted-loopback-cfg (Audio/Source, id '"
check "the mute is enforced (exempt is not unguarded)" muted_enforced
check "mute off" mute_off
cap_pw_record "$T/evil-u.raw" 2 --target trusted-loopback-evil
check "unmuted (control): trusted-loopback-evil carries the signal" expect signal "$T/evil-u.raw"
cap_pw_record "$T/linger-u.raw" 2 --target trusted-loopback-linger
check "unmuted (control): trusted-loopback-linger carries the signal" expect signal "$T/linger-u.raw"

exec 5>&-
pm_stop_pids pwcli
for n in evil-stream evil-case evil-test evil-video evil-sink trusted-loopback-linger; do
	pw-cli destroy "$(node_id "$n")" >/dev/null 2>>"$T/log/clients.log"
done
finish
