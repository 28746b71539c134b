#!/bin/bash
# System mode and the administrator's lock: a private system bus (a
# system-type dbus-daemon with the installed bus policy file), the policy
# with --system, two separate PipeWire instances (runtime dirs of their
# own, each with a fake microphone and the module with policy.bus =
# system) registered as enforcers of the one policy. Root locks it muted;
# an unprivileged user cannot unmute, toggle or unlock and is told why
# (exit 1), can still mute, cannot read the capture log or own the name;
# the lock survives a policy restart; captures from both instances are
# silent while locked and carry the signal once root unlocked and unmuted.
. "$(dirname "$0")/lib.sh"

UNPRIV=pm-unpriv
if ! id "$UNPRIV" >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
		"$UNPRIV" 2>>"$T/log/clients.log"
fi
check "an unprivileged user ($UNPRIV) exists" id "$UNPRIV"
check "the test runs as root" test "$(id -u)" -eq 0

# the unprivileged user reaches the system bus socket, and a copy of the
# CLI, through $T (mktemp made it 0700)
chmod 711 "$T"
mkdir -p "$T/sysbus" "$T/system.d" "$T/ubin"
chmod 755 "$T/sysbus" "$T/ubin"
cp "$PM_CLI" "$T/ubin/privacy-mute"
cp "$PM_SRC/data/org.privacymute.Policy1.conf" "$T/system.d/"
SYS_ADDR="unix:path=$T/sysbus/system_bus_socket"

# the default policy of Debian's system.conf: nothing may be called or
# owned unless a file in system.d allows it
cat > "$T/system.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>$SYS_ADDR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus" send_member="UpdateActivationEnvironment"/>
  </policy>
  <includedir>$T/system.d</includedir>
</busconfig>
CONF
dbus-daemon --config-file="$T/system.conf" --nofork --nopidfile >"$T/log/sysbus.log" 2>&1 &
PM_PID[sysbus]=$!
wait_for 10 test -S "$T/sysbus/system_bus_socket" || { start_failed "system dbus-daemon"; exit 1; }
export DBUS_SYSTEM_BUS_ADDRESS="$SYS_ADDR"

SYSCLI() { "$PM_CLI" --system "$@"; }
# as the unprivileged user, with nothing but the bus address
UCLI() {
	setpriv --reuid="$UNPRIV" --regid="$UNPRIV" --clear-groups \
		env -i DBUS_SYSTEM_BUS_ADDRESS="$SYS_ADDR" LC_ALL=C "$T/ubin/privacy-mute" --system "$@"
}

start_sys_policy() {
	"$PM_POLICY" --system --state-dir "$T/sysstate" "$@" >>"$T/log/policy.log" 2>&1 &
	PM_PID[policy]=$!
	wait_for 10 SYSCLI status || { start_failed "policy --system"; return 1; }
}

# instance 1: lib.sh's runtime dir; instance 2: its own
mics_conf
module_conf "policy.bus = system"
cp -r "$T/config" "$T/config2"
mkdir -p "$T/run2"
chmod 700 "$T/run2"
IN2=(env XDG_RUNTIME_DIR="$T/run2" PIPEWIRE_RUNTIME_DIR="$T/run2" XDG_CONFIG_HOME="$T/config2"
	PULSE_RUNTIME_PATH="$T/run2/pulse")

start_bus || exit 1
start_sys_policy || exit 1
start_pipewire && start_wireplumber || exit 1
"${IN2[@]}" pipewire >>"$T/log/pipewire2.log" 2>&1 &
PM_PID[pipewire2]=$!
wait_for 20 "${IN2[@]}" pw-cli info 0 || { start_failed "pipewire (instance 2)"; exit 1; }
"${IN2[@]}" wireplumber >>"$T/log/wireplumber2.log" 2>&1 &
PM_PID[wireplumber2]=$!
wait_for 20 "${IN2[@]}" wpctl inspect @DEFAULT_AUDIO_SOURCE@ || { start_failed "wireplumber (instance 2)"; exit 1; }

sys_status() { # PYTHON_EXPR on `privacy-mute --system status --json`
	SYSCLI status --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r)
sys.exit(0 if r else 1)' "$1"
}
P1=${PM_PID[pipewire]} P2=${PM_PID[pipewire2]}
check "both PipeWire instances are enforcers of the one system policy" \
	wait_for 20 sys_status "sorted(e['pid'] for e in s['enforcers'] if e['acknowledged']) == sorted([$P1, $P2])"
check "the two instances are separate (each its own testmic)" \
	sh -c "test -S '$T/run/pipewire-0' && test -S '$T/run2/pipewire-0'"
check "nobody locked it yet" sys_status 's["locked"] is False'

# an unprivileged user may not lock
UCLI lock > "$T/u-lock.out" 2> "$T/u-lock.err"
rc=$?
check "unprivileged 'lock' exits 1 (exit $rc)" test "$rc" -eq 1
check "unprivileged 'lock': AccessDenied, only root" grep -q 'only root (uid 0) may lock' "$T/u-lock.err"
check "... and nothing is locked" sys_status 's["locked"] is False'

# root locks: muted, enforced by both
SYSCLI lock > "$T/lock.out" 2>&1
rc=$?
check "root: 'lock' exits 0 (exit $rc)" test "$rc" -eq 0
check "root: 'lock' prints 'locked, muted (enforced)'" grep -qx 'locked, muted (enforced)' "$T/lock.out"
check "locked, muted, enforced" sys_status 's["locked"] and s["muted"] and s["enforced"]'
check "status (text) says locked" sh -c "SYSCLI() { '$PM_CLI' --system \"\$@\"; }; SYSCLI status | grep -qx 'locked: yes (by the administrator)'"
check "the policy logged who locked it" grep -q 'locked by :[0-9.]* (uid 0)' "$T/log/policy.log"

# the unprivileged user cannot unmute, toggle or unlock
for cmd in off toggle unlock; do
	UCLI "$cmd" > "$T/u-$cmd.out" 2> "$T/u-$cmd.err"
	rc=$?
	check "unprivileged '$cmd' exits 1 (exit $rc)" test "$rc" -eq 1
	check "unprivileged '$cmd' says why in one line" test "$(wc -l < "$T/u-$cmd.err")" -eq 1
done
check "unprivileged 'off': 'the microphone mute is locked by the administrator'" \
	grep -qx 'privacy-mute: the microphone mute is locked by the administrator' "$T/u-off.err"
check "unprivileged 'toggle': the same" \
	grep -qx 'privacy-mute: the microphone mute is locked by the administrator' "$T/u-toggle.err"
check "unprivileged 'unlock': only root" grep -q 'only root (uid 0) may lock or unlock' "$T/u-unlock.err"
check "still locked and muted" sys_status 's["locked"] and s["muted"]'
UCLI on > "$T/u-on.out" 2>&1
check "unprivileged 'on' works while locked (exit $?)" grep -qx 'muted (enforced)' "$T/u-on.out"
UCLI status > "$T/u-status.out" 2>&1
check "unprivileged 'status' works and shows the lock" grep -qx 'locked: yes (by the administrator)' "$T/u-status.out"
UCLI log > "$T/u-log.out" 2>&1
rc=$?
check "unprivileged 'log' is refused by the bus policy (exit $rc)" \
	sh -c "test $rc -eq 2 && grep -q 'AccessDenied' '$T/u-log.out'"
check "root 'log' works" SYSCLI log
setpriv --reuid="$UNPRIV" --regid="$UNPRIV" --clear-groups env -i DBUS_SYSTEM_BUS_ADDRESS="$SYS_ADDR" \
	"$PM_POLICY" --system --state-dir /nonexistent/pm > "$T/u-policy.out" 2>&1
rc=$?
check "an unprivileged user cannot own the policy's name (exit $rc)" \
	sh -c "test $rc -ne 0 && grep -q 'cannot request the name.*not allowed to own' '$T/u-policy.out'"

# captures from both instances: silence while locked
cap_pw_record "$T/l1.raw" 2 --target testmic
"${IN2[@]}" timeout -s INT 2 pw-record --raw --format s16 --rate 48000 --channels 2 --target testmic - \
	> "$T/l2.raw" 2>>"$T/log/clients.log"
check "locked: instance 1's capture is silent (samples arrived)" expect silence "$T/l1.raw"
check "locked: instance 2's capture is silent (samples arrived)" expect silence "$T/l2.raw"

# the lock survives a restart of the policy
stop_policy
check "the state file holds the lock" grep -q '"locked": true' "$T/sysstate/state"
start_sys_policy || exit 1
check "after a restart: locked, muted, enforced by both again" \
	wait_for 20 sys_status 's["locked"] and s["muted"] and s["enforced"] and len(s["enforcers"]) == 2'
UCLI off > /dev/null 2> "$T/u-off2.err"
rc=$?
check "after a restart: unprivileged 'off' still refused (exit $rc)" \
	sh -c "test $rc -eq 1 && grep -q 'locked by the administrator' '$T/u-off2.err'"

# root unlocks, then unmutes
SYSCLI unlock > "$T/unlock.out" 2>&1
rc=$?
check "root: 'unlock' exits 0 (exit $rc)" test "$rc" -eq 0
check "root: 'unlock' prints 'unlocked, muted (enforced)'" grep -qx 'unlocked, muted (enforced)' "$T/unlock.out"
check "unlocked, still muted" sys_status 's["locked"] is False and s["muted"]'
check "root: 'off' exits 0" SYSCLI off
check "unmuted, enforced" sys_status 's["muted"] is False and s["enforced"]'
check "the state file no longer holds the lock" sh -c "! grep -q locked '$T/sysstate/state'"
cap_pw_record "$T/u1.raw" 2 --target testmic
"${IN2[@]}" timeout -s INT 2 pw-record --raw --format s16 --rate 48000 --channels 2 --target testmic - \
	> "$T/u2.raw" 2>>"$T/log/clients.log"
check "unlocked and unmuted: instance 1's capture has the signal" expect signal "$T/u1.raw"
check "unlocked and unmuted: instance 2's capture has the signal" expect signal "$T/u2.raw"

# unlocked, anyone may unmute again: the user mutes, then unmutes
check "unprivileged 'on' after the unlock" UCLI on
check "unprivileged 'off' after the unlock" UCLI off

finish
