#!/bin/bash
# The state file ($XDG_STATE_HOME/privacy-mute/state) gone wrong: truncated,
# corrupt, the wrong JSON type, unreadable, in a directory that cannot be
# written, on a full file system; and the policy SIGKILLed again and again
# while it writes the file. The policy starts muted when the file cannot be
# read or parsed, logs one line saying why, and keeps serving; a change it
# cannot save still applies (in memory) and the call succeeds. The file is
# always a complete old or new state.
#
# The policy runs as an unprivileged user (nobody): root ignores file
# permissions, a user does not. The bus lets that user in.
. "$(dirname "$0")/lib.sh"

PM_USER=nobody
check "user $PM_USER exists" id -u "$PM_USER" || finish
PM_GROUP=$(id -gn "$PM_USER")

# the private bus, as lib.sh's, plus a socket that the user can reach and
# a policy that lets any user connect (a session bus only lets its own)
start_bus_for_user() {
	mkdir -p "$T/pub"
	chmod 711 "$T"
	chmod 755 "$T/pub"
	cat > "$T/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$T/pub/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
	dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/log/bus.log" 2>&1 &
	PM_PID[bus]=$!
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$T/pub/bus"
	wait_for 10 test -S "$T/pub/bus" || { start_failed dbus-daemon; return 1; }
	# the socket's mode follows the umask; the user must be able to connect
	chmod 777 "$T/pub/bus"
}

# the policy binary where the user can run it, whatever the build dir's modes
mkdir -p "$T/bin" "$T/s"
cp "$PM_POLICY" "$T/bin/" && chmod 755 "$T/bin" "$T/bin/privacy-mute-policy"
chmod 755 "$T/s"

# a state directory DIR/privacy-mute owned by the user
user_dir() { # NAME
	mkdir -p "$T/s/$1/privacy-mute"
	chown -R "$PM_USER:$PM_GROUP" "$T/s/$1"
	printf '%s' "$T/s/$1/privacy-mute"
}

POLICY_LOG_LINE=0
# start_user_policy DIR: the policy as the user, with its state in DIR
start_user_policy() {
	POLICY_LOG_LINE=$(wc -l < "$T/log/policy.log" 2>/dev/null || echo 0)
	setpriv --reuid="$PM_USER" --regid="$PM_GROUP" --clear-groups \
		"$T/bin/privacy-mute-policy" --state-dir "$1" >>"$T/log/policy.log" 2>&1 &
	PM_PID[policy]=$!
	wait_for 10 "$PM_CLI" status || { start_failed policy; return 1; }
}
# what the running policy logged since it started
policy_log() { tail -n +$((POLICY_LOG_LINE + 1)) "$T/log/policy.log"; }
# log_has REGEX: the policy logged a line matching REGEX since it started
log_has() { policy_log | grep -Eq -- "$1"; }
# one_line DIR REGEX: since it started, the policy logged exactly one line
# about DIR (besides the one saying it runs), and it matches REGEX
one_line() {
	local lines
	lines=$(policy_log | grep -F -- "$1" | grep -v 'running on the')
	printf '%s\n' "$lines"
	[ "$(printf '%s\n' "$lines" | grep -c .)" -eq 1 ] &&
		printf '%s\n' "$lines" | grep -Eq -- "$2"
}
muted_is() { status_eval "s['muted'] == $1" >/dev/null; }
file_says() { # DIR true|false
	grep -Eqx "\{ \"muted\": $2, \"generation\": [0-9]+ \}" "$1/state"
}

# the enforcers and the CLI follow a policy of this user, run from here
# (policy.uid: it is not the user they run as)
pm_trust "$T/bin/privacy-mute-policy"
PM_MODULE_TRUST="$PM_MODULE_TRUST policy.uid = $(id -u "$PM_USER")"
export PRIVACY_MUTE_POLICY_UID=$(id -u "$PM_USER")
mics_conf
module_conf
start_bus_for_user && start_pipewire && start_wireplumber && start_pulse || exit 1

# ---- files that cannot be read or parsed: muted, one line, serving ----
bad_file() { # NAME WHAT REASON_REGEX CONTENT_COMMAND...
	local name=$1 what=$2 reason=$3 d; shift 3
	d=$(user_dir "$name")
	"$@" > "$d/state"
	chown "$PM_USER:$PM_GROUP" "$d/state"
	start_user_policy "$d" || return 1
	check "$what: the policy starts muted" muted_is True
	check "$what: one log line names the file and why" \
		one_line "$d" "$d/state is invalid: .*$reason.*; starting muted"
	check "$what: status answers (the policy keeps serving)" "$PM_CLI" status
	check "$what: the enforcer follows, muted and enforced" wait_for 10 muted_enforced
}

bad_file truncated "truncated file" "syntax error" printf '{ "muted": false, "generation": 7'
cap_pw_record "$T/truncated.raw" 2 --target testmic
check "truncated file: pw-record silent" expect silence "$T/truncated.raw"
check "truncated file: 'off' succeeds" mute_off
check "... and writes a whole new state" file_says "$T/s/truncated/privacy-mute" false
cap_pw_record "$T/truncated-off.raw" 2 --target testmic
check "... and the microphone is heard again" expect signal "$T/truncated-off.raw"
stop_policy

bad_file garbage "corrupt file (binary bytes)" "not a JSON object" printf '\x00\x9f\xffmuted\x01true\n\x00' 
stop_policy
bad_file array "wrong JSON type (an array)" "not a JSON object" echo '[ false ]'
stop_policy
bad_file string "wrong JSON type (\"muted\" a string)" '"muted" is not a boolean' \
	echo '{ "muted": "false", "generation": 3 }'
check "wrong type: 'toggle' unmutes and saves" "$PM_CLI" toggle
check "... a whole new state on disk" file_says "$T/s/string/privacy-mute" false
stop_policy

# unreadable: mode 000, and the policy is not root
d=$(user_dir unreadable)
echo '{ "muted": false, "generation": 3 }' > "$d/state"
chown "$PM_USER:$PM_GROUP" "$d/state"
chmod 000 "$d/state"
start_user_policy "$d" || exit 1
check "unreadable file: the policy starts muted" muted_is True
check "unreadable file: one log line says it cannot open it" \
	one_line "$d" "cannot open $d/state: Permission denied; starting muted"
check "unreadable file: the enforcer follows, muted and enforced" wait_for 10 muted_enforced
cap_parec "$T/unreadable.raw" 3 --device=alsamic
check "unreadable file: parec silent" expect silence "$T/unreadable.raw"
check "unreadable file: 'off' succeeds (the directory is writable)" mute_off
check "... and replaces it with a readable, whole state" file_says "$d" false
stop_policy

# ---- a state that cannot be saved: the call succeeds, in memory ----
d=$(user_dir rodir)
echo '{ "muted": true, "generation": 4 }' > "$d/state"
chown "$PM_USER:$PM_GROUP" "$d/state"
chmod 500 "$d"
start_user_policy "$d" || exit 1
check "unwritable directory: starts as saved, muted" muted_is True
check "unwritable directory: 'off' succeeds" mute_off
check "... the atomic save failed, the file was rewritten in place (one line)" \
	one_line "$d" "cannot replace $d/state atomically \(Permission denied\); rewrote it in place"
check "... the file holds the new state" file_says "$d" false
stop_policy KILL
start_user_policy "$d" || exit 1
check "... and a restarted policy has it: unmuted" muted_is False
check "mute on" mute_on
stop_policy
# now the file cannot be written either
chmod 400 "$d/state"
start_user_policy "$d" || exit 1
check "read-only file in an unwritable directory: starts muted, as saved" muted_is True
check "... 'off' succeeds, in memory" mute_off
check "... the policy says it applies in memory only" \
	log_has "cannot save the state to .*/state \(Permission denied; in place: Permission denied\); the change applies in memory only"
check "... status answers: unmuted and enforced" wait_for 10 unmuted_enforced
cap_pw_record "$T/rofile-off.raw" 2 --target alsamic
check "... the microphone is heard" expect signal "$T/rofile-off.raw"
check "... the file still holds the last saved state (muted)" file_says "$d" true
stop_policy KILL
start_user_policy "$d" || exit 1
check "... a restarted policy restores it: muted" muted_is True
check "... and the enforcer follows" wait_for 10 muted_enforced
cap_pw_record "$T/rofile-restart.raw" 2 --target alsamic
check "... pw-record silent" expect silence "$T/rofile-restart.raw"
stop_policy

# ---- a full file system ----
mkdir -p "$T/full"
if ! mount -t tmpfs -o size=64k,mode=755 pm-test-full "$T/full" 2>"$T/mount.err"; then
	check "mount a small tmpfs for the full disk case" sh -c "cat '$T/mount.err'; false"
	finish
fi
PM_MOUNT="$T/full"
# lazily: whatever still holds a file there, the mount goes
umount_full() { [ -z "${PM_MOUNT:-}" ] || { umount -l "$PM_MOUNT"; PM_MOUNT=; }; }
trap 'umount_full; pm_cleanup' EXIT
mkdir -p "$T/full/privacy-mute"
chown "$PM_USER:$PM_GROUP" "$T/full/privacy-mute"
d="$T/full/privacy-mute"
start_user_policy "$d" || exit 1
check "full disk: first start, unmuted" muted_is False
check "mute on: saved" sh -c "'$PM_CLI' on && grep -q true '$d/state'"
dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
check "the file system is full" sh -c "! echo x > '$T/full/probe'"
check "full disk: 'off' succeeds" mute_off
check "... the atomic save failed (no space), the file was rewritten in place" \
	one_line "$d" "cannot replace $d/state atomically \(No space left on device\); rewrote it in place"
check "... the file holds the new state" file_says "$d" false
check "full disk: 'on' succeeds" mute_on
check "... saved in place again" file_says "$d" true
stop_policy KILL
start_user_policy "$d" || exit 1
check "full disk: a restarted policy restores it: muted" muted_is True
check "... the enforcer follows" wait_for 10 muted_enforced
cap_parec "$T/full.raw" 3 --device=alsamic
check "... parec silent" expect silence "$T/full.raw"
check "... no temporary file left behind" sh -c "! ls -A '$d' | grep -v '^state\$'"
stop_policy
rm -f "$T/full/filler"
umount_full

# ---- SIGKILL while the file is written, over and over ----
# Toggles are sent without waiting for replies (dbus-send, no reply asked),
# so the policy writes the file as fast as it can; it is killed at a
# random moment. Each toggle adds 1 to the generation, which started at 1
# unmuted: a whole state has muted exactly when its generation is even.
d=$(user_dir kill-loop)
# the toggler stops by itself once the flag file is gone, so that no late
# toggle reaches the next policy
toggler() {
	while [ -e "$T/toggling" ]; do
		dbus-send --session --type=method_call --dest=org.privacymute.Policy1 \
			/org/privacymute/Policy1 org.privacymute.Policy1.Toggle 2>/dev/null || sleep 0.01
	done
}
# check_state DIR: a whole state with the parity above; prints "MUTED GEN"
check_state() {
	python3 - "$1/state" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
m = re.fullmatch(rb'\{ "muted": (true|false), "generation": ([0-9]+) \}\n', data)
if not m:
    sys.exit('not a whole state: %r' % data)
muted, gen = m.group(1) == b'true', int(m.group(2))
if muted != (gen % 2 == 0):
    sys.exit('muted %s at generation %d: not the state of that generation' % (muted, gen))
print('True' if muted else 'False', gen)
PY
}
bad=0 temps=0 last_gen=1
for i in $(seq 30); do
	start_user_policy "$d" || exit 1
	touch "$T/toggling"
	toggler & PM_PID[toggler]=$!
	sleep "$(printf '0.%02d' $((RANDOM % 40 + 5)))"
	stop_policy KILL
	rm -f "$T/toggling"
	wait "${PM_PID[toggler]}"; unset "PM_PID[toggler]"
	temps=$((temps + $(ls -A "$d" | grep -c '^\.state\.')))
	if ! st=$(check_state "$d" 2>&1); then
		log "kill $i: $st"; bad=$((bad + 1)); continue
	fi
	set -- $st
	if [ "$2" -lt "$last_gen" ]; then
		log "kill $i: generation went back from $last_gen to $2"; bad=$((bad + 1))
	fi
	last_gen=$2
	# the restarted policy must come up with exactly that state
	start_user_policy "$d" || exit 1
	if ! status_eval "s['muted'] == $1 and s['generation'] == $2" >/dev/null; then
		log "kill $i: file says muted $1 generation $2, the policy says: $("$PM_CLI" status --json)"
		bad=$((bad + 1))
	fi
	if ls -A "$d" | grep -q '^\.state\.'; then
		log "kill $i: the restarted policy left a temporary file"; bad=$((bad + 1))
	fi
	stop_policy KILL
done
log "30 kills up to generation $last_gen; $temps left a temporary file (killed inside a save)"
check "30 kills while toggling: the file was always a whole state, the restarted policy had it" test "$bad" -eq 0
check "... and the toggles did happen (generation $last_gen)" test "$last_gen" -gt 30

# after the last kill: muted, then killed again; the restart stays muted
start_user_policy "$d" || exit 1
check "after the kills: mute on" mute_on
stop_policy KILL
cap_pw_record "$T/kill-loop.raw" 2 --target testmic
check "policy killed: pw-record silent" expect silence "$T/kill-loop.raw"
start_user_policy "$d" || exit 1
check "restarted: muted and enforced" wait_for 10 muted_enforced
cap_pm "$T/kill-loop2.raw" 1.5 --target testmic --timeline "$T/kill-loop2.tl"
check "restarted: pm-capture silent" expect_timeline silence "$T/kill-loop2.tl" 0 "$(now_ns)" 20

finish
