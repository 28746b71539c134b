#!/bin/bash
# A missing enforcer is noticed. The daemon runs without the module (what
# the drop-in's nofail leaves when the module fails to load), WirePlumber
# and pipewire-pulse with it. Then, twice more, the daemon loads the
# module through the drop-in (nofail) but the copy on its
# PIPEWIRE_MODULE_DIR is broken: a file that is no shared object, and one
# with a symbol that does not resolve (an ABI mismatch, as after an
# upgrade of PipeWire alone). PipeWire tries the next directory when
# dlopen() fails, so the broken copy is the only one on the path. Each
# time status says the daemon has no enforcer. Their enforcers see the daemon's microphones
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
check "status says the daemon has no enforcer" \
	sh -c "\"$PM_CLI\" status | grep -qx 'daemon enforcer: MISSING (the module is not loaded into pipewire)'"
check "status --json: daemon_enforcer false" status_eval 's["daemon_enforcer"] == False'
check "the policy's log says so" grep -q "no enforcer in the pipewire daemon" "$T/log/policy.log"

# ---- a broken module on the daemon's PIPEWIRE_MODULE_DIR ----
MOD=libpipewire-module-privacy-mute.so
mkdir -p "$T/broken-file" "$T/broken-abi"
echo "not a shared object" > "$T/broken-file/$MOD"
cat > "$T/abi.c" <<'C'
/* a module built against something this system does not have */
extern int pm_symbol_from_elsewhere(void);
int pipewire__module_init(void *module, const char *args)
{
	return pm_symbol_from_elsewhere();
}
C
check "the ABI-mismatch module builds" cc -shared -fPIC -o "$T/broken-abi/$MOD" "$T/abi.c"

# restart_broken DIR: the daemon with the drop-in, DIR's broken copy and
# PipeWire's own modules on its path; WirePlumber and pipewire-pulse
# restarted too, with the working module
restart_broken() {
	pm_stop_pids pulse wireplumber pipewire
	cat > "$T/config/pipewire/pipewire.conf.d/50-privacy-mute.conf" <<CONF
context.modules = [
    { name = libpipewire-module-privacy-mute args = { $(pm_module_args) } flags = [ nofail ] }
]
CONF
	PIPEWIRE_MODULE_DIR="$T/$1:$SYS_MODULE_DIR" start_pipewire &&
		start_wireplumber && start_pulse
}
for b in broken-file broken-abi; do
	# not under check, whose subshell would keep the new pids to itself
	restart_broken "$b"
	check "$b: the daemon, WirePlumber and pipewire-pulse start (nofail)" test $? -eq 0
	check "$b: two enforcers, none in the daemon" wait_for 20 enforcers_are 2
	check "$b: status says the daemon has no enforcer" wait_for 10 \
		sh -c "\"$PM_CLI\" status | grep -qx 'daemon enforcer: MISSING (the module is not loaded into pipewire)'"
	check "$b: alsamic listed as unguarded" wait_for 10 listed alsamic
	check "$b: privacy-mute on exits 1" on_unconfirmed
	check "$b:   ... naming alsamic" \
		sh -c "grep 'no enforcer guards' '$T/on.err' | grep -q 'alsamic (Audio/Source, id '"
	check "$b: mute off" mute_off
done
finish
