#!/bin/bash
# Unmuted, the module is invisible: the same capture with and without it
# is bit-exact, and it adds no xruns.
. "$(dirname "$0")/lib.sh"

mics_conf
start_bus && start_policy || exit 1

# xruns NAME: the ERR count pw-top reports for the node while it runs
# ("not-running" fails the numeric comparison below)
xruns() {
	pw-top -b -n 3 2>/dev/null | awk -v n="$1" '$NF == n && $1 == "R" { e = $9 } END { print (e == "" ? "not-running" : e) }'
}

# run LABEL: capture the ALSA source through the native and pulse paths,
# keep the captures and the xruns of both microphones
run() {
	local label=$1
	start_pipewire && start_wireplumber && start_pulse || return 1
	if [ "$label" = module ]; then
		wait_for 10 unmuted_enforced || return 1
	fi
	cap_pw_record "$T/$label-native.raw" 6 --target alsamic &
	local native=$!
	cap_pm "$T/$label-testmic.raw" 6 --target testmic &
	local testmic=$!
	sleep 2
	echo "$(xruns alsamic) $(xruns testmic)" > "$T/$label.xruns"
	wait "$native" "$testmic"
	cap_parec "$T/$label-pulse.raw" 3 --device=alsamic
	stop_audio
}

no_module_conf
run nomodule || exit 1
module_conf
run module || exit 1

for p in native pulse; do
	check "no module, $p path: bit-exact" "$PM_PCM" match "$T/noise.raw" "$T/nomodule-$p.raw"
	check "module loaded, unmuted, $p path: bit-exact" "$PM_PCM" match "$T/noise.raw" "$T/module-$p.raw"
done
check "testmic with the module: signal" expect signal "$T/module-testmic.raw"
read -r base_alsa base_test < "$T/nomodule.xruns"
read -r mod_alsa mod_test < "$T/module.xruns"
log "xruns without the module: alsamic $base_alsa testmic $base_test; with it: alsamic $mod_alsa testmic $mod_test"
check "no xruns added on alsamic ($mod_alsa vs $base_alsa)" test "$mod_alsa" -le "$base_alsa"
check "no xruns added on testmic ($mod_test vs $base_test)" test "$mod_test" -le "$base_test"

finish
