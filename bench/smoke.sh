#!/bin/bash
# bench-smoke: the benchmark at a tiny size, so `make bench` does not rot.
# Checks that it runs, that its CSV, Markdown and plot are written and parse,
# and what a short run can tell for sure: every SetMuted call was enforced,
# recording clients got buffers, and none carried a non-zero sample after an
# acknowledged mute. No timing is judged.
. "$PM_SRC/tests/integration/lib.sh"

BOUT=$T/bench
BENCH_QUANTA=1024 BENCH_CLIENTS="1 2" BENCH_WINDOW=0.5 BENCH_REPEATS=2 BENCH_PROFILE=0.5 \
BENCH_ENGAGE_CALLS=10 BENCH_SCALE_SOURCES=2 BENCH_SCALE_CLIENTS=4 BENCH_SCALE_SECONDS=2 \
BENCH_GUARD_CYCLES=40 BENCH_GUARD_PACED_CYCLES=20 BENCH_GUARD_ROUNDS=2 \
	"$PM_SRC/bench/bench.sh" "$PM_BUILD" "$BOUT" 2>"$T/log/bench.log"
check "bench.sh exits 0" test $? -eq 0

csv_check() { # PYTHON_EXPR over the CSV rows r (dicts), printed and judged
	python3 - "$BOUT/results.csv" "$1" <<'PY'
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))
def v(section, setup, metric, q="1024"):
    return [float(x["value"]) for x in r if x["section"] == section and x["setup"] == setup
            and x["metric"] == metric and x["quantum"] == q]
ok = eval("(" + sys.argv[2] + ")")
print(sys.argv[2], "->", ok)
sys.exit(0 if ok else 1)
PY
}

check "results.csv parses, has every section" \
	csv_check '{"overhead", "engage", "scale", "guard"} <= {x["section"] for x in r}'
# pm-bench-guard checks what consumers get (a quantum, silence muted) and
# fails otherwise: here, that each mode wrote all its rows
for f in guard-cycle guard-cycle-paced; do
	check "$f.tsv: none, unmuted, muted, engage at 2 and 8 channels" \
		sh -c "awk -F'\t' '!/^#/ && \$2 == 1024 && \$4 > 0 { print \$1 \"/\" \$3 }' '$BOUT/$f.tsv' |
			sort | tr '\n' ' ' | grep -qx 'engage/2 engage/8 muted/2 muted/8 none/2 none/8 unmuted/2 unmuted/8 '"
done
check "daemon CPU measured for all four setups at both client counts" \
	csv_check 'all(len(v("overhead", s, "daemon_cpu")) == 2 and min(v("overhead", s, "daemon_cpu")) > 0
		for s in ("none", "unmuted", "muted", "filter-chain"))'
check "the profiler saw the guarded source run in every setup" \
	csv_check 'all(len(v("overhead", s, "source_busy")) == 2 and min(v("overhead", s, "source_busy")) > 0
		for s in ("none", "unmuted", "muted", "filter-chain"))'
check "the filter-chain gate's nodes ran" csv_check 'min(v("overhead", "filter-chain", "chain_busy")) > 0'
check "engage: 5 mute and 5 unmute calls, all enforced" \
	csv_check 'v("engage", "mute", "calls") == [5] and v("engage", "unmute", "calls") == [5]
		and v("engage", "mute", "not_enforced") == [0] and v("engage", "unmute", "not_enforced") == [0]'
check "engage: every call reached a silent / signal buffer" \
	csv_check 'v("engage", "mute", "no_buffer_before_next_call") == [0]
		and v("engage", "unmute", "no_buffer_before_next_call") == [0]'
check "engage: buffers after the acknowledged mutes were checked, none non-zero" \
	csv_check 'v("engage", "mute", "buffers_checked_after_ack")[0] > 0 and v("engage", "mute", "nonzero_after_ack") == [0]'
check "scale: 40 toggles, all enforced, every client got buffers" \
	csv_check 'v("scale", "toggle", "calls") == [40] and v("scale", "toggle", "not_enforced") == [0]
		and v("scale", "toggle", "clients_without_buffers") == [0]'
check "scale: buffers after the acknowledged mutes were checked, none non-zero" \
	csv_check 'v("scale", "toggle", "buffers_checked_after_ack")[0] > 0 and v("scale", "toggle", "nonzero_after_ack") == [0]'
check "scale: both profiler windows saw the 2 sources" \
	csv_check 'v("scale", "steady", "sources_seen") == [2] and v("scale", "toggle", "sources_seen") == [2]'
check "results.md has the goals and the three tables" \
	sh -c "grep -q '^### Goals' '$BOUT/results.md' && grep -q '^### Overhead' '$BOUT/results.md' &&
		grep -q '^### Engage time' '$BOUT/results.md' && grep -q '^### Scale' '$BOUT/results.md' &&
		grep -q '^## Guard cost per cycle' '$BOUT/results.md' &&
		grep -q '^| zero non-zero samples after an acknowledged mute, every scale | .* | met |' '$BOUT/results.md'"
check "the plot is a PNG" sh -c "head -c 8 '$BOUT/bench-overhead.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"
# the doc updater rewrites only the marked section and copies the plot
printf '# B\nbefore\n<!-- bench-results:begin -->\nold\n<!-- bench-results:end -->\nafter\n<!-- bench-guard:begin -->\nold guard\n<!-- bench-guard:end -->\n' > "$T/B.md"
check "report.py --update rewrites the marked sections" \
	sh -c "python3 '$PM_SRC/bench/report.py' '$BOUT' --update '$T/B.md' --plot-to '$T/plot.png' &&
		grep -q '^before' '$T/B.md' && grep -q '^after' '$T/B.md' && ! grep -q '^old' '$T/B.md' &&
		grep -q '^### Goals' '$T/B.md' && grep -q '^## Guard cost per cycle' '$T/B.md' &&
		test -s '$T/plot.png'"
[ "$PM_FAILS" -gt 0 ] && tail -n 40 "$T/log/bench.log" >&2
finish
