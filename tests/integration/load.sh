#!/bin/bash
# Load: 64 capture clients on two sources (pm-capture with timelines,
# pw-record, parec) while the mute changes 1000 times, half through the CLI
# and half through D-Bus clients calling the policy directly (part of it from
# both at once). Nothing crashes, the final state is the last call's, and no
# client gets a non-zero sample between an acknowledged mute and the next
# call that could unmute.
. "$(dirname "$0")/lib.sh"

STORM="$PM_SRC/tests/integration/mute-storm.py"
N_PM=24 N_PWREC=20 N_PAREC=20	# 64 clients, half on each source
N_CONCURRENT=300 N_SEQUENTIAL=700	# 1000 changes of the mute

# the module in all three hosts, as installed: three enforcers to wait for
pm_dropin "$PM_SRC/data/privacy-mute.conf" "$T/config/pipewire/pipewire.conf.d/50-privacy-mute.conf"
pm_dropin "$PM_SRC/data/wireplumber-privacy-mute.conf" "$T/config/wireplumber/wireplumber.conf.d/50-privacy-mute.conf"
pm_dropin "$PM_SRC/data/pipewire-pulse-privacy-mute.conf" "$T/config/pipewire/pipewire-pulse.conf.d/50-privacy-mute.conf"
mics_conf
start_bus && start_policy && start_pipewire && start_wireplumber && start_pulse || exit 1
check "three enforcers registered" wait_for 20 enforcers_are 3
enforcer_pids() { status_eval "sorted(e['pid'] for e in s['enforcers'])"; }
pids_before=$(enforcer_pids)
check "starts unmuted" mute_off
gen0=$(status_eval 's["generation"]')

src_of() { [ $(($1 % 2)) = 0 ] && echo testmic || echo alsamic; }
clients=()
for i in $(seq $N_PM); do
	"$PM_BUILD/tests/tools/pm-capture" --seconds 600 --target "$(src_of "$i")" \
		--name "pm-load-$i" --timeline "$T/pm$i.tl" > "$T/pm$i.raw" 2>>"$T/log/clients.log" &
	PM_PID[pm$i]=$!; clients+=("pm$i")
done
for i in $(seq $N_PWREC); do
	pw-record --raw --format s16 --rate 48000 --channels 2 --target "$(src_of "$i")" - \
		> "$T/pwrec$i.raw" 2>>"$T/log/clients.log" &
	PM_PID[pwrec$i]=$!; clients+=("pwrec$i")
done
# half of them with a low latency, as a call app asks; the others with
# pipewire-pulse's default fragments (2 s)
for i in $(seq $N_PAREC); do
	lat=(); [ "$i" -gt $((N_PAREC / 2)) ] && lat=(--latency-msec=40)
	parec --raw --format=s16le --rate=48000 --channels=2 "${lat[@]}" -d "$(src_of "$i")" \
		> "$T/parec$i.raw" 2>>"$T/log/clients.log" &
	PM_PID[parec$i]=$!; clients+=("parec$i")
done
n_streams() { test "$(pw-cli ls Node 2>/dev/null | grep -c 'media.class = "Stream/Input/Audio"')" -ge 64; }
check "64 capture streams in the graph" wait_for 60 n_streams
# every client is linked and receiving before the storm starts
all_receiving() {
	local c
	for c in "${clients[@]}"; do
		test -s "$T/$c.raw" || return 1
	done
}
check "every client receives data" wait_for 60 all_receiving
sleep 1

storm_start=$(now_ns)
check "1000 mute changes: $N_CONCURRENT concurrent toggles (CLI and D-Bus), $N_SEQUENTIAL one after another" \
	python3 "$STORM" drive "$PM_CLI" "$T/calls.log" "$N_CONCURRENT" "$N_SEQUENTIAL" 4
storm_end=$(now_ns)
log "the storm took $(( (storm_end - storm_start) / 1000000 )) ms"
# parec gets its data in fragments of up to 2 s, and drops the last one
# when stopped: keep the final state long enough to reach every file
sleep 4

# ---- nothing crashed ----
for d in bus policy pipewire wireplumber pulse; do
	check "$d still running" kill -0 "${PM_PID[$d]}"
done
check "the same three enforcers still registered" test "$(enforcer_pids)" = "$pids_before"
check "every enforcer acknowledged the final state" status_eval \
	's["enforced"] and all(e["acknowledged"] for e in s["enforcers"])'
dead=""
for c in "${clients[@]}"; do
	kill -0 "${PM_PID[$c]}" 2>/dev/null || dead="$dead $c"
done
check "all 64 clients still running${dead:+ (gone:$dead)}" test -z "$dead"
for c in "${clients[@]}"; do
	kill -INT "${PM_PID[$c]}" 2>/dev/null
done
for c in "${clients[@]}"; do
	wait "${PM_PID[$c]}" 2>/dev/null
	unset "PM_PID[$c]"
done

# ---- the final state is the last call's ----
if [ -s "$T/calls.log" ]; then
	last=$(python3 "$STORM" last "$T/calls.log")
	check "Muted is what the last call replied ($last)" status_eval "s['muted'] == ('$last' == 'true')"
	check "1000 calls logged" test "$(wc -l < "$T/calls.log")" -eq 1000
	check "Generation went up by exactly 1000 (every call flipped the state once)" \
		status_eval "s['generation'] == $gen0 + 1000"
fi

# ---- no sample after an acknowledged mute ----
pm_timelines=()
for i in $(seq $N_PM); do pm_timelines+=("$T/pm$i.tl"); done
python3 "$STORM" check "$T/calls.log" "$QUANTUM_NS" 20 "${pm_timelines[@]}" > "$T/storm-check.out" 2>&1
rc=$?
sed 's/^/       /' "$T/storm-check.out" >&2
check "every timeline client: zero samples from one quantum after each acknowledged mute to the next unmute call; signal after unmutes" \
	test "$rc" -eq 0

# pw-record and parec have no timeline: they got data throughout, signal
# at both ends and the 1.5 s held mute as an unbroken silence
longest_silence() { # FILE: the longest run of all-zero 50 ms blocks, in blocks
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
b = 9600
run = best = 0
for i in range(0, len(d) - b + 1, b):
    run = run + 1 if d[i:i + b].count(0) == b else 0
    best = max(best, run)
print(best)' "$1"
}
captures_ok() { # FILE
	local f=$1 n
	n=$(stat -c %s "$f")
	# the storm and the waits around it: at least 10 s of audio
	[ "$n" -ge $((10 * 192000)) ] || { echo "$f: only $n bytes"; return 1; }
	skip_head "$f" 0.5 | head -c 96000 | "$PM_PCM" check signal s16 4800 ||
		{ echo "$f: no signal at the start"; return 1; }
	tail -c 96000 "$f" | "$PM_PCM" check signal s16 4800 ||
		{ echo "$f: no signal at the end"; return 1; }
	n=$(longest_silence "$f")
	[ "$n" -ge 20 ] || { echo "$f: longest silence $n x 50 ms, expected at least 1 s"; return 1; }
}
for c in "${clients[@]}"; do
	case $c in pm*) continue ;; esac
	check "$c: data throughout, signal at both ends, silence through the held mute" captures_ok "$T/$c.raw"
done

finish
