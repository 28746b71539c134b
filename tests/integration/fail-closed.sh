#!/bin/bash
# Fail-closed: an enforcer that has not heard the policy is muted; a policy
# killed while muted leaves everyone muted; a restarted policy restores the
# state from disk and the enforcers register with it again.
. "$(dirname "$0")/lib.sh"

mics_conf
module_conf
start_bus && start_pipewire && start_wireplumber && start_pulse || exit 1

# no policy on the bus yet
cap_pw_record "$T/nopolicy.raw" 2 --target testmic
check "no policy yet: the enforcer starts muted (pw-record)" expect silence "$T/nopolicy.raw"
cap_parec "$T/nopolicy-pulse.raw" 3 --device=alsamic
check "no policy yet: the enforcer starts muted (parec)" expect silence "$T/nopolicy-pulse.raw"

# first start of the policy: no state file, unmuted; the enforcer follows
start_policy || exit 1
check "first start: unmuted, and the enforcer confirmed it" wait_for 10 unmuted_enforced
cap_pw_record "$T/first.raw" 2 --target testmic
check "first start: signal" expect signal "$T/first.raw"

# mute, then SIGKILL the policy: nothing unmutes
check "mute on" mute_on
check "state file written, muted" grep -q '"muted": *true' "$XDG_STATE_HOME/privacy-mute/state"
stop_policy KILL
sleep 1
cap_pw_record "$T/killed.raw" 2 --target testmic
check "policy killed: still silence (pw-record)" expect silence "$T/killed.raw"
cap_parec "$T/killed-pulse.raw" 3
check "policy killed: still silence (parec)" expect silence "$T/killed-pulse.raw"
check "policy killed: the CLI says it cannot reach it" sh -c "! '$PM_CLI' status"

# restart: state restored from disk, enforcer registers again
start_policy || exit 1
check "restarted: restored muted and enforced again" wait_for 10 muted_enforced
cap_pw_record "$T/restarted.raw" 2 --target testmic
check "restarted: silence" expect silence "$T/restarted.raw"
check "mute off" mute_off
cap_pw_record "$T/off.raw" 2 --target testmic
check "unmuted after the restart: signal" expect signal "$T/off.raw"

# a clean restart while unmuted keeps it unmuted
stop_policy TERM
start_policy || exit 1
check "restarted unmuted: stays unmuted and enforced" wait_for 10 unmuted_enforced

# pipewire restarted while the policy says muted: muted from the first buffer
check "mute on" mute_on
stop_audio
start_pipewire && start_wireplumber && start_pulse || exit 1
cap_pm "$T/pwrestart.raw" 2 --target testmic --timeline "$T/pwrestart.tl"
check "pipewire restarted while muted: silence from the first buffer" \
	expect_timeline silence "$T/pwrestart.tl" 0 "$(now_ns)" 20
check "pipewire restarted: its enforcer registered and confirmed" wait_for 10 muted_enforced

finish
