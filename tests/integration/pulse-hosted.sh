#!/bin/bash
# A microphone hosted in pipewire-pulse's process: a PulseAudio pipe source
# (module-pipe-source, a pw_stream inside pipewire-pulse, like a tunnel
# source) fed with known noise. With the module loaded into pipewire-pulse,
# it is silent while the mute is on, for PulseAudio and native clients.
. "$(dirname "$0")/lib.sh"

pulse_module_conf
start_stack || exit 1
PULSE=${PM_PID[pulse]}

check "two enforcers: pipewire and pipewire-pulse" wait_for 20 enforcers_are 2
check "one enforcer runs in pipewire-pulse" enforcer_pid "$PULSE"

pactl load-module module-pipe-source source_name=pipemic file="$T/pipemic" \
	format=s16le rate=48000 channels=2 > "$T/pipemic.module" 2>>"$T/log/clients.log"
check "module-pipe-source loaded" test -s "$T/pipemic.module"
check "pipemic exists" wait_for 10 has_node pipemic
check "pipemic is made in pipewire-pulse's process (its client is pid $PULSE)" \
	node_hosted_by pipemic "$PULSE"
check "pipewire-pulse created the fifo" test -p "$T/pipemic"
# known noise at real-time pace: the pipe source reads whatever the fifo
# holds and, once it runs dry, makes zeros that would pass for silence
"$PM_PCM" noise 120 | "$PM_PCM" pace > "$T/pipemic" 2>>"$T/log/clients.log" &
PM_PID[pipewriter]=$!

cap_parec "$T/u-pulse.raw" 3 --device=pipemic
check "unmuted: parec --device=pipemic gets the noise" expect signal "$T/u-pulse.raw"
cap_pw_record "$T/u.raw" 2 --target pipemic
check "unmuted: pw-record --target pipemic gets the noise" expect signal "$T/u.raw"

check "mute on: every enforcer acknowledged" mute_on
check "muted and enforced" muted_enforced
check "pipewire-pulse's enforcer acknowledged" enforcer_acked "$PULSE"
check "pipewire-pulse's enforcer counts the pipe source it guards" wait_for 10 \
	status_eval "any(e['pid'] == $PULSE and e['sources'] >= 1 for e in s['enforcers'])"
cap_parec "$T/m-pulse.raw" 3 --device=pipemic
check "muted: parec --device=pipemic gets silence" expect silence "$T/m-pulse.raw"
cap_pw_record "$T/m.raw" 2 --target pipemic
check "muted: pw-record --target pipemic gets silence" expect silence "$T/m.raw"

check "the fifo writer is still feeding pipemic" kill -0 "${PM_PID[pipewriter]}"
check "mute off" mute_off
cap_parec "$T/o-pulse.raw" 3 --device=pipemic
check "unmuted again: parec --device=pipemic gets the noise" expect signal "$T/o-pulse.raw"
cap_pw_record "$T/o.raw" 2 --target pipemic
check "unmuted again: pw-record --target pipemic gets the noise" expect signal "$T/o.raw"
# (the pipe source skips what piled up in the fifo when it starts: past
# its first half second the capture is one stretch of the noise)
skip_head "$T/o.raw" 0.5 > "$T/o-tail.raw"
# (where it has data: a pipe whose writer falls behind runs dry, and the
# source fills that cycle with silence)
check "the noise arrives bit-exact when unmuted" "$PM_PCM" match-gaps "$T/noise.raw" "$T/o-tail.raw"
check "pipewire-pulse still running" kill -0 "$PULSE"

# A source from pulse.cmd exists before the drop-in loads the module: it
# cannot be silenced, so the mute is not confirmed while it exists, and
# status names it; once it is unloaded the mute is confirmed again.
stop_daemon pipewriter
stop_daemon pulse
cat > "$T/config/pipewire/pipewire-pulse.conf.d/60-cmd.conf" <<CONF
pulse.cmd = [
    { cmd = "load-module" args = "module-pipe-source source_name=cmdpipe file=$T/cmdpipe rate=48000 channels=2 format=s16le" }
]
CONF
start_pulse || exit 1
check "pulse.cmd's cmdpipe exists" wait_for 10 has_node cmdpipe
"$PM_CLI" on 2>"$T/on.err"; rc=$?
check "mute on: not confirmed while cmdpipe is out of reach (exit 1)" test "$rc" = 1
check "... status lists cmdpipe as unguarded" \
	status_eval "'cmdpipe' in [u['name'] for u in s['unguarded']]"
check "... pipewire-pulse's log names it" grep -q "source 'cmdpipe'.*exported before" "$T/log/pulse.log"
pactl unload-module "$(pactl list short modules | awk '/module-pipe-source/ && /cmdpipe/ { print $1; exit }')"
check "cmdpipe unloaded: muted and enforced" wait_for 10 muted_enforced

finish
