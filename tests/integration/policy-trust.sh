#!/bin/bash
# The policy cannot be replaced or impersonated. While the real policy
# runs, nobody can take its name (REPLACE_EXISTING is refused). With the
# policy down anyone can own the name (control), but an impostor that
# answers "unmuted" is not followed: the enforcer checks who owns the name
# (GetConnectionCredentials, /proc/PID/exe) and keeps the mute, the CLI
# says "not verified" and sends it nothing. The real policy back: checked,
# followed. Control of the check itself: the same impostor IS followed by
# an enforcer whose policy.executable names the impostor's executable.
# And every change records its caller: "unmuted by pid N (EXECUTABLE)" in
# the policy log, LastChangedBy in status.
. "$(dirname "$0")/lib.sh"

IMPOSTOR="$PM_SRC/tests/integration/impostor-policy.py"
# Debian's python3, where python3-dbus is; the executable behind its pid
PY=/usr/bin/python3
PYEXE=$(readlink -f "$PY")

start_stack || exit 1
policy_pid=${PM_PID[policy]}
check "the enforcer registered with the checked policy" wait_for 10 enforcers_are 1

# ---- the name cannot be taken while the policy runs ----
"$PY" "$IMPOSTOR" > "$T/imp1.out" 2>>"$T/log/impostor.log"
rc=$?
check "an impostor asking with REPLACE_EXISTING while the policy runs is refused (exit $rc: $(head -n1 "$T/imp1.out"))" \
	sh -c "test $rc -eq 1 && grep -qx exists '$T/imp1.out'"
check "the policy still runs" kill -0 "$policy_pid"
check "the policy still owns the name: status --json verified, its pid" \
	status_eval "s['verified'] is True and s['policy']['pid'] == $policy_pid and s['policy']['executable'] == '$PM_POLICY'"
check "status (text): 'policy: verified (...)'" sh -c "'$PM_CLI' status | grep -q '^policy: verified (:[0-9.]*, pid $policy_pid, $PM_POLICY)$'"
"$PM_POLICY" --replace > "$T/replace.out" 2>&1
rc=$?
check "privacy-mute-policy --replace is refused with a clear message (exit $rc)" \
	sh -c "test $rc -eq 2 && grep -q -- '--replace is not supported' '$T/replace.out'"

# ---- every change records who made it ----
check "mute on (the CLI)" mute_on
check "policy log: 'muted by pid N ($PM_CLI_REAL)'" \
	wait_for 5 grep -Eq "^privacy-mute-policy: muted by pid [0-9]+ \\($PM_CLI_REAL\\)" "$T/log/policy.log"
dbus-send --session --print-reply --dest=org.privacymute.Policy1 /org/privacymute/Policy1 \
	org.privacymute.Policy1.SetMuted boolean:false > /dev/null 2>>"$T/log/clients.log"
check "policy log: 'unmuted by pid N (/usr/bin/dbus-send)'" \
	wait_for 5 grep -Eq '^privacy-mute-policy: unmuted by pid [0-9]+ \(/usr/bin/dbus-send\)' "$T/log/policy.log"
check "status --json: last_changed_by is dbus-send's SetMuted, with its pid" \
	wait_for 5 status_eval "s['last_changed_by']['executable'] == '/usr/bin/dbus-send' and s['last_changed_by']['how'] == 'SetMuted' and s['last_changed_by']['pid'] > 0 and s['last_changed_by']['generation'] == s['generation']"
check "status (text): 'last changed by: pid N (/usr/bin/dbus-send) ... with SetMuted'" \
	sh -c "'$PM_CLI' status | grep -Eq '^last changed by: pid [0-9]+ \(/usr/bin/dbus-send\) :[0-9.]+ with SetMuted \(generation [0-9]+\)$'"
"$PM_CLI" toggle > /dev/null 2>&1
check "a toggle by the CLI: LastChangedBy says Toggle and the CLI's executable" \
	wait_for 5 status_eval "s['last_changed_by']['how'] == 'Toggle' and s['last_changed_by']['executable'] == '$PM_CLI_REAL' and s['muted']"

# ---- the policy down, muted: anyone may own the name (control) ----
check "muted and enforced before the policy stops" wait_for 10 muted_enforced
stop_policy
"$PY" "$IMPOSTOR" > "$T/imp2.out" 2>>"$T/log/impostor.log" &
PM_PID[impostor]=$!
imp_pid=${PM_PID[impostor]}
check "with the policy down, the impostor takes the name with the same request (control)" \
	wait_for 10 grep -qx primary-owner "$T/imp2.out"
check "the enforcer logs the change, naming the impostor's pid and executable" \
	wait_for 10 grep -q "(pid $imp_pid, $PYEXE), is not the policy: its executable is $PYEXE, not $PM_POLICY" "$T/log/pipewire.log"
# the old code registered, heard "unmuted" and acknowledged it at once
sleep 3
check "the impostor was never registered with, never acknowledged" \
	sh -c "! grep -Eq 'RegisterEnforcer|Acknowledge' '$T/imp2.out'"
cap_pw_record "$T/impostor.raw" 3 --target testmic
check "the impostor says unmuted: pw-record --target testmic still gets silence" \
	expect silence "$T/impostor.raw"
"$PM_CLI" status > "$T/status-imp.out" 2>&1
rc=$?
cat "$T/status-imp.out" >&2
check "status exits 1 and says the policy is not verified, naming pid and executable" \
	sh -c "test $rc -eq 1 && grep -q '^policy: NOT VERIFIED (:[0-9.]*, pid $imp_pid, $PYEXE): its executable is $PYEXE' '$T/status-imp.out'"
check "status does not show what the impostor claims" sh -c "! grep -q '^state:' '$T/status-imp.out'"
check "status --json: verified false, the impostor's pid and executable, no state" \
	status_eval "s['verified'] is False and s['policy']['pid'] == $imp_pid and s['policy']['executable'] == '$PYEXE' and 'muted' not in s"
for cmd in off on toggle log; do
	"$PM_CLI" "$cmd" > /dev/null 2> "$T/cli-$cmd.err"
	rc=$?
	check "'privacy-mute $cmd' refuses an unverified owner (exit $rc)" \
		sh -c "test $rc -eq 1 && grep -q 'is not the policy' '$T/cli-$cmd.err'"
done
check "... and the impostor heard none of them" sh -c "! grep -q SetMuted '$T/imp2.out'"
cap_pw_record "$T/impostor2.raw" 2 --target testmic
check "still silent after the CLI calls" expect silence "$T/impostor2.raw"

# ---- the real policy back: checked, followed ----
stop_daemon impostor
start_policy || exit 1
check "the real policy back: muted, enforced, verified" \
	wait_for 10 status_eval "s['verified'] and s['muted'] and s['enforced']"
check "the enforcer logs the new owner as checked (pid ${PM_PID[policy]}, $PM_POLICY)" \
	grep -q "is now :[0-9.]* (pid ${PM_PID[policy]}, $PM_POLICY), checked" "$T/log/pipewire.log"
check "mute off: enforced" mute_off
cap_pw_record "$T/real.raw" 2 --target testmic
check "the real policy says unmuted: the capture has the signal" expect signal "$T/real.raw"

# ---- control: the check is what blocks the impostor ----
check "mute on" mute_on
stop_policy
"$PY" "$IMPOSTOR" > "$T/imp3.out" 2>>"$T/log/impostor.log" &
PM_PID[impostor]=$!
check "the impostor owns the name again" wait_for 10 grep -qx primary-owner "$T/imp3.out"
stop_audio
module_conf "policy.executable = \"$PYEXE\""
start_pipewire && start_wireplumber && start_pulse || exit 1
check "an enforcer told that the policy is $PYEXE registers with the impostor" \
	wait_for 10 grep -q RegisterEnforcer "$T/imp3.out"
check "... and acknowledges its 'unmuted'" wait_for 10 grep -q 'Acknowledge 1000000 muted:False' "$T/imp3.out"
cap_pw_record "$T/followed.raw" 2 --target testmic
check "that enforcer follows the impostor: the capture has the signal" expect signal "$T/followed.raw"
check "a CLI told the same believes it too (status --policy-executable $PYEXE)" \
	sh -c "'$PM_CLI' --policy-executable '$PYEXE' status --json | grep -q '\"verified\": true'"
"$PM_CLI" --policy-executable python3 status > "$T/relative.out" 2>&1
rc=$?
check "--policy-executable must be an absolute path (exit $rc)" \
	sh -c "test $rc -eq 2 && grep -q 'not an absolute path' '$T/relative.out'"

finish
