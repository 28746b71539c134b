#!/bin/bash
# A missing enforcer is noticed. The daemon runs without the module (what
# the drop-in's nofail leaves when the module fails to load), WirePlumber
# and pipewire-pulse with it. Their enforcers see the daemon's microphones
# in the graph and report them unguarded, so `privacy-mute on` exits 1
# naming them and status lists them, and the mute is not enforced. The
# microphones really do carry their signal while "muted" (the listing is
# honest: the attack the old "muted (enforced)" hid).
. "$(dirname "$0")/lib.sh"

mics_conf
no_module_conf
wp_module_conf
pulse_module_conf
start_bus && start_policy && start_pipewire && start_wireplumber && start_pulse || exit 1

check "two enforcers: WirePlumber and pipewire-pulse" wait_for 20 enforcers_are 2
check "no enforcer in the daemon" status_eval "all(e['pid'] != ${PM_PID[pipewire]} for e in s['enforcers'])"
listed() {
	status_eval "any(u['name'] == '$1' for u in s['unguarded'])" >/dev/null
}
for n in testmic followmic alsamic; do
	check "status --json lists $n (in the daemon) as unguarded" wait_for 10 listed "$n"
done
check "status (human) lists them under 'unguarded: N'" \
	sh -c "\"$PM_CLI\" status | sed -n '/^unguarded: [0-9]/,\$p' | grep -q '  alsamic (Audio/Source, id '"

on_unconfirmed() { ! "$PM_CLI" on > "$T/on.out" 2> "$T/on.err"; }
check "privacy-mute on: exit 1" on_unconfirmed
check "  ... 'muted (not enforced)'" grep -qx "muted (not enforced)" "$T/on.out"
for n in testmic alsamic; do
	check "  ... names $n as unguarded" \
		sh -c "grep 'no enforcer guards' '$T/on.err' | grep -q '$n (Audio/Source, id '"
done
check "status: muted, not enforced" not_enforced
check "both enforcers did acknowledge the mute" \
	status_eval "all(e['acknowledged'] for e in s['enforcers'])"
cap_pw_record "$T/testmic.raw" 2 --target testmic
check "muted but unguarded: testmic carries its signal" expect signal "$T/testmic.raw"
cap_pw_record "$T/alsamic.raw" 2 --target alsamic
check "muted but unguarded: alsamic carries its signal" expect signal "$T/alsamic.raw"
check "mute off: enforced (nothing to cover when unmuted)" mute_off
finish
