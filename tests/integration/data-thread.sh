#!/bin/bash
# The data thread never allocates: pipewire and WirePlumber run with a malloc
# trap (tests/tools/pm-alloc-trap.c) that walks back every allocation a
# "data-loop" thread makes and records those coming from the module. The
# trap's positive control first: a probe thread named like a data thread
# that allocates through its own library is caught.
. "$(dirname "$0")/lib.sh"

TRAP="$PM_BUILD/tests/tools/libpm-alloc-trap.so"
MODULE_SO=libpipewire-module-privacy-mute

PM_ALLOC_TRAP_OUT="$T/probe.trap" PM_ALLOC_TRAP_MATCH=libpm-alloc-probe-lib \
	LD_PRELOAD="$TRAP" "$PM_BUILD/tests/tools/pm-alloc-probe"
check "positive control: the trap catches an allocation in a data thread" \
	grep -q "malloc in a data thread (data-loop.0) from pm_probe_allocate" "$T/probe.trap"

mics_conf
module_conf
wp_mic_conf wpmic
wp_module_conf
export PM_ALLOC_TRAP_OUT="$T/daemons.trap" PM_ALLOC_TRAP_MATCH=$MODULE_SO
start_bus && start_policy || exit 1
dbus-monitor --address "$DBUS_SESSION_BUS_ADDRESS" \
	"type='method_call',interface='org.privacymute.Policy1',member='SpeechWhileMuted'" \
	> "$T/monitor.txt" 2>>"$T/log/clients.log" &
PM_PID[monitor]=$!
LD_PRELOAD="$TRAP" start_pipewire && LD_PRELOAD="$TRAP" start_wireplumber || exit 1
unset PM_ALLOC_TRAP_OUT PM_ALLOC_TRAP_MATCH
start_pulse || exit 1
check "the trap is loaded in pipewire and WirePlumber" \
	test "$(grep -c '^loaded' "$T/daemons.trap")" -ge 2
data_threads() { grep -l '^data-loop' /proc/"$1"/task/*/comm >/dev/null 2>&1; }
check "pipewire runs a data-loop thread" data_threads "${PM_PID[pipewire]}"

# every data-thread path of the module: muted and unmuted cycles, the
# first muted cycle (all buffers cleared), the level measure, drivers and
# followers, a source hosted in WirePlumber, links made and broken
check "mute on" mute_on
cap_pw_record "$T/a.raw" 3 --target testmic &
PM_PID[a]=$!
cap_pw_record "$T/b.raw" 3 --target followmic &
PM_PID[b]=$!
cap_parec "$T/c.raw" 4 --device=wpmic
stop_daemon a; stop_daemon b
check "muted: testmic silent" expect silence "$T/a.raw"
check "muted: followmic silent" expect silence "$T/b.raw"
check "muted: wpmic (in WirePlumber) silent" expect silence "$T/c.raw"
check "speech while muted was measured and decided (SpeechWhileMuted sent)" \
	wait_for 5 grep -q "member=SpeechWhileMuted" "$T/monitor.txt"
check "mute off" mute_off
cap_pw_record "$T/d.raw" 2 --target alsamic
check "unmuted: signal" expect signal "$T/d.raw"
check "mute on again" mute_on
cap_pw_record "$T/e.raw" 2 --target alsamic
check "muted again: silence" expect silence "$T/e.raw"

stop_audio
check "no allocation from the module in any data thread" \
	sh -c "! grep -v '^loaded' '$T/daemons.trap'"

finish
