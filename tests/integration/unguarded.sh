#!/bin/bash
# Sources that no enforcer guards are visible: a virtual source exported by
# an application without the module (pm-host --no-module), and a source
# hosted by a WirePlumber that has not loaded the module, show up in
# `privacy-mute status` (human and --json) as unguarded; sources guarded
# where they run (in the daemon, in a process with the module) do not.
# While any is unguarded a mute is not enforced: `on` exits 1 naming them.
. "$(dirname "$0")/lib.sh"

# ---- the expected output, in one place ----
# unguarded_json NAME: status --json lists NAME in "unguarded", with its
# daemon id and media class
unguarded_json() {
	local id
	id=$(node_id "$1")
	[ -n "$id" ] || return 1
	status_eval "any(u['name'] == '$1' and u['id'] == $id and u['class'] == 'Audio/Source'
		for u in s.get('unguarded', []))" >/dev/null
}
# unguarded_text NAME: the human status has an "unguarded: N" line and
# names NAME below it ("  NAME (CLASS, id ID)")
unguarded_text() {
	"$PM_CLI" status 2>/dev/null | awk -v n="$1" '
		/^unguarded:/ { u = 1; next }
		u && index($0, "  " n " (Audio/Source, id ") == 1 { found = 1 }
		END { exit !found }'
}
listed() { unguarded_json "$1" && unguarded_text "$1"; }
# not_listed NAME: both outputs have the unguarded list, without NAME
not_listed() {
	status_eval "'unguarded' in s and all(u['name'] != '$1' for u in s['unguarded'])" >/dev/null &&
	"$PM_CLI" status 2>/dev/null | awk -v n="$1" '
		/^unguarded:/ { u = 1; next }
		u && index($0, "  " n " (") == 1 { found = 1 }
		END { exit !(u && !found) }'
}

wp_mic_conf wpmic		# WirePlumber hosts wpmic, without the module
start_stack || exit 1
WP=${PM_PID[wireplumber]}
PM_HOST="$PM_BUILD/tests/tools/pm-host"

# start_host NAME [pm-host args]: an application exporting a source NAME
start_host() {
	local name=$1; shift
	"$PM_HOST" --name "$name" "$@" > "$T/$name.out" 2>>"$T/log/host.log" &
	PM_PID[$name]=$!
	wait_for 30 has_node "$name"
}

start_host rogue --no-module
check "rogue exported by an application without the module" \
	node_hosted_by rogue "${PM_PID[rogue]}"
start_host hostmic
check "hostmic exported by an application with the module" \
	node_hosted_by hostmic "${PM_PID[hostmic]}"
check "wpmic hosted by WirePlumber (no module there)" wait_for 20 node_hosted_by wpmic "$WP"

check "status --json lists rogue as unguarded" wait_for 10 unguarded_json rogue
check "status (human) lists rogue as unguarded" unguarded_text rogue
check "wpmic (WirePlumber without the module) is unguarded too" wait_for 10 listed wpmic
check "testmic (guarded by the daemon) is not listed" not_listed testmic
check "alsamic (guarded by the daemon) is not listed" not_listed alsamic
check "hostmic (guarded in its own process) is not listed" wait_for 10 not_listed hostmic

# what "unguarded" means: the mute does not reach it (the listing is
# honest), and so the mute is not confirmed: `on` exits 1 naming them
on_unconfirmed() { ! "$PM_CLI" on > "$T/on.out" 2> "$T/on.err"; }
check "mute on with sources unguarded: not enforced, exit 1" on_unconfirmed
check "  ... it says 'muted (not enforced)'" grep -qx "muted (not enforced)" "$T/on.out"
check "  ... and names rogue and wpmic as unguarded" \
	sh -c "grep 'no enforcer guards' '$T/on.err' | grep -q 'rogue (Audio/Source, id ' &&
		grep 'no enforcer guards' '$T/on.err' | grep -q 'wpmic (Audio/Source, id '"
check "status: muted but not enforced" not_enforced
cap_pw_record "$T/rogue.raw" 2 --target rogue
check "muted: rogue still carries its signal (it is unguarded)" expect signal "$T/rogue.raw"
cap_pw_record "$T/hostmic.raw" 2 --target hostmic
check "muted: hostmic is silent" expect silence "$T/hostmic.raw"

# loading the module into WirePlumber covers wpmic: it leaves the list
wp_load_module privacy-mute
check "module loaded into WirePlumber: its enforcer acknowledged" wait_for 20 enforcer_acked "$WP"
check "wpmic is no longer listed as unguarded" wait_for 10 not_listed wpmic
check "rogue still is" listed rogue
check "still not enforced" not_enforced

# a source that goes away leaves the list
stop_daemon rogue
check "rogue gone: no longer listed" wait_for 10 not_listed rogue
check "nothing left unguarded: 'unguarded: none'" sh -c "\"$PM_CLI\" status | grep -qx 'unguarded: none'"
check "status --json: empty unguarded list" status_eval 's["unguarded"] == []'
check "nothing unguarded: the mute is enforced now" wait_for 10 muted_enforced
check "mute off" mute_off

finish
