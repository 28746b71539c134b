#!/bin/bash
# The policy's D-Bus interface: activation, introspection, bad calls get
# named errors and the service keeps answering, the CLI's exit codes.
. "$(dirname "$0")/lib.sh"

PM_ACTIVATION=1 start_bus || exit 1
DEST=org.privacymute.Policy1
OBJ=/org/privacymute/Policy1
IFACE=org.privacymute.Policy1

check "status does not start the policy" sh -c "! '$PM_CLI' status"
"$PM_CLI" off > "$T/activate.out" 2>&1
check "D-Bus activation: 'off' starts the policy (exit 0 or 1, not 2)" test $? -ne 2
check "the activated policy answers" "$PM_CLI" status
# the activated policy is the bus's child: find its pid to stop it at the end
pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.GetConnectionUnixProcessID "$DEST" | sed -n 's/^(uint32 \([0-9]*\),)$/\1/p')
check "the activated policy has a pid ($pid), a privacy-mute-policy" \
	sh -c "test -n '$pid' && test \"\$(cat /proc/'$pid'/comm)\" = privacy-mute-po"
[ -n "$pid" ] && PM_PID[policy]=$pid

gdbus introspect --session --dest "$DEST" --object-path "$OBJ" > "$T/introspect.txt" 2>&1
for member in "interface $IFACE" "SetMuted(" "Toggle(" "readonly b Muted" "readonly b Enforced" \
	"interface org.freedesktop.DBus.Properties"; do
	check "introspection shows '$member'" grep -qF "$member" "$T/introspect.txt"
done
check "introspection matches the installed interface XML (every method)" sh -c "
	for m in \$(grep -o 'method name=\"[A-Za-z]*\"' '$PM_SRC/data/org.privacymute.Policy1.xml' | cut -d'\"' -f2); do
		grep -q \"\$m(\" '$T/introspect.txt' || { echo missing \$m; exit 1; }
	done"

# bad ERROR_NAME DBUS-SEND-ARGS...: the call fails with that error, and the
# service still answers the next call
bad() {
	local want=$1; shift
	local out
	out=$(dbus-send --session --print-reply --dest="$DEST" "$@" 2>&1)
	check "$* -> $want" sh -c "printf '%s\n' \"\$1\" | grep -q '^Error org.privacymute.Error.$want: .'" _ "$out"
	check "service still answers after: $*" "$PM_CLI" status
}
long=$(printf 'x%.0s' $(seq 1000))
bad InvalidArgs "$OBJ" $IFACE.SetMuted string:yes
bad InvalidArgs "$OBJ" $IFACE.SetMuted
bad InvalidArgs "$OBJ" $IFACE.SetMuted boolean:true boolean:false
bad InvalidArgs "$OBJ" $IFACE.Toggle int32:1
bad UnknownMethod "$OBJ" $IFACE.Explode
bad NotRegistered "$OBJ" $IFACE.Acknowledge uint64:1 boolean:true uint32:1
bad NotRegistered "$OBJ" $IFACE.UnregisterEnforcer
bad InvalidArgs "$OBJ" $IFACE.Acknowledge string:x
bad InvalidArgs "$OBJ" $IFACE.RegisterEnforcer 'dict:string:string:process,1'
# dbus-send cannot build a{sv}: gdbus can
bad_gdbus() {
	local want=$1 method=$2 args=$3
	local out
	out=$(gdbus call --session --dest "$DEST" --object-path "$OBJ" --method "$method" "$args" 2>&1)
	check "$method ${args:0:60}... -> $want" sh -c "printf '%s\n' \"\$1\" | grep -q 'org.privacymute.Error.$want: .'" _ "$out"
	check "service still answers after: $method ${args:0:60}..." "$PM_CLI" status
}
bad_gdbus InvalidArgs $IFACE.RegisterEnforcer "{'process': <'$long'>}"
bad_gdbus InvalidArgs $IFACE.RegisterEnforcer "{'pid': <'not a number'>}"
bad ReadOnly "$OBJ" org.freedesktop.DBus.Properties.Set string:$IFACE string:Muted variant:boolean:false
bad UnknownProperty "$OBJ" org.freedesktop.DBus.Properties.Get string:$IFACE string:Secret
bad UnknownInterface "$OBJ" org.freedesktop.DBus.Properties.GetAll string:org.example.Nope
bad InvalidArgs "$OBJ" org.freedesktop.DBus.Properties.Get string:$IFACE

# a caller that leaves before the reply: SetMuted waits for enforcers (none
# here, so it answers at once) -- the service must survive a vanished peer
timeout -s KILL 0.05 dbus-send --session --print-reply --dest="$DEST" "$OBJ" $IFACE.Toggle >/dev/null 2>&1
check "service still answers after a caller vanished" "$PM_CLI" status

# no enforcer: the mute is recorded but cannot be confirmed
"$PM_CLI" off >/dev/null 2>&1
"$PM_CLI" on > "$T/on.out" 2> "$T/on.err"
rc=$?
check "'on' without any enforcer exits 1 (exit $rc)" test "$rc" -eq 1
check "'on' without any enforcer says why, in one line" sh -c "test \$(wc -l < '$T/on.err') -eq 1 && grep -qi enforcer '$T/on.err'"
check "status --json: muted, not enforced" sh -c "'$PM_CLI' status --json | grep -q '\"muted\": *true' && '$PM_CLI' status --json | grep -q '\"enforced\": *false'"
check "Muted property reads true" sh -c "dbus-send --session --print-reply --dest=$DEST $OBJ org.freedesktop.DBus.Properties.Get string:$IFACE string:Muted | grep -q 'boolean true'"

# watch prints a line per change
"$PM_CLI" watch > "$T/watch.out" 2>>"$T/log/clients.log" &
watch=$!
sleep 0.5
"$PM_CLI" off >/dev/null 2>&1
"$PM_CLI" on >/dev/null 2>&1
sleep 0.5
kill "$watch"; wait "$watch" 2>/dev/null
check "watch: initial line plus one line per change" sh -c "test \$(grep -c . '$T/watch.out') -ge 3"
check "watch: saw unmuted then muted" sh -c "grep -n '^unmuted' '$T/watch.out' | head -1 | grep -q . && tail -1 '$T/watch.out' | grep -q '^muted'"

# the CLI's own errors
"$PM_CLI" frobnicate > /dev/null 2> "$T/usage.err"
check "unknown command: exit 2 with usage" test $? -eq 2
DBUS_SESSION_BUS_ADDRESS="unix:path=$T/run/no-such-bus" "$PM_CLI" status > /dev/null 2> "$T/nobus.err"
rc=$?
check "no bus: exit 2 (exit $rc)" test "$rc" -eq 2
check "no bus: a one-line reason" test "$(wc -l < "$T/nobus.err")" -eq 1

# ReportSources (module) and Unguarded. dbus-send and gdbus make one
# connection per call, so they cannot report as a registered enforcer: the
# end-to-end check is tests/integration/unguarded.sh; here the errors.
bad InvalidArgs "$OBJ" $IFACE.ReportSources string:x
bad InvalidArgs "$OBJ" $IFACE.ReportSources
out=$(dbus-send --session --print-reply --dest="$DEST" "$OBJ" $IFACE.ReportSources uint32:1 2>&1)
check "ReportSources with a wrong signature names the expected one" \
	sh -c "printf '%s\n' \"\$1\" | grep -qF 'a(ussbb)'" _ "$out"
bad_gdbus NotRegistered $IFACE.ReportSources "[(uint32 5, 'virtual-mic', 'Audio/Source', false, false)]"
bad_gdbus NotRegistered $IFACE.ReportSources "@a(ussbb) []"
check "introspection shows ReportSources(a(ussbb))" \
	grep -qF "ReportSources(in  a(ussbb) sources)" "$T/introspect.txt"
check "introspection shows 'readonly a(uss) Unguarded'" grep -qF "readonly a(uss) Unguarded" "$T/introspect.txt"
check "GetAll includes Unguarded" sh -c "dbus-send --session --print-reply --dest=$DEST $OBJ \
	org.freedesktop.DBus.Properties.GetAll string:$IFACE | grep -q 'string \"Unguarded\"'"
check "status: 'unguarded: none' after the enforcers" \
	sh -c "'$PM_CLI' status | tail -1 | grep -qx 'unguarded: none'"
check "status --json: \"unguarded\": []" \
	sh -c "'$PM_CLI' status --json | grep -qF '\"unguarded\": [],'"

# Every method and property with wrong types, wrong arity, oversized
# strings, unknown names, Set on each property, and callers that vanish
# before their reply (one connection per caller, so it can register as an
# enforcer first): a named error each time, and the next call is answered.
# Its "ok"/"FAIL" lines count as checks here.
python3 "$PM_SRC/tests/integration/dbus-bad-input.py" > "$T/bad-input.out" 2>&1
rc=$?
cat "$T/bad-input.out" >&2
n_ok=$(grep -c '^ok ' "$T/bad-input.out")
n_fail=$(grep -c '^FAIL ' "$T/bad-input.out")
PM_CHECKS=$((PM_CHECKS + n_ok + n_fail))
PM_FAILS=$((PM_FAILS + n_fail))
check "dbus-bad-input.py ran all its checks (exit $rc, $n_ok ok, $n_fail failed)" \
	test "$rc" -eq $((n_fail > 0)) -a "$n_ok" -gt 200
check "the policy is still the same process" kill -0 "$pid"

finish
