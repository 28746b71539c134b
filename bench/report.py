#!/usr/bin/env python3
"""privacy-mute benchmark report: raw measurements to CSV, Markdown, PNG.

    bench/report.py OUT_DIR [--update FILE [--plot-to PNG]]

Reads OUT_DIR/raw and OUT_DIR/guard-cycle*.tsv (written by bench/bench.sh)
and writes OUT_DIR/results.csv (one measurement per row), OUT_DIR/results.md
(tables and goals) and, when gnuplot is installed, OUT_DIR/bench-overhead.png
(daemon CPU against client count per setup, one panel per quantum). With
--update, it then replaces the part of FILE (BENCHMARKS.md) between the
markers <!-- bench-results:begin --> and <!-- bench-results:end --> with
the stack's results, and the part between <!-- bench-guard:begin --> and
<!-- bench-guard:end --> with the guard's cost per cycle, each only if this
run measured it (BENCH_PARTS=guard leaves the stack's results as they
were), and copies the plot to PNG (default: docs/bench-overhead.png next to
FILE).
"""

import bisect
import csv
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys

RAW_DIR = ""
STALL_MS = 2.0   # daemon CPU per s below which a window counts as stalled
SETUPS = ["none", "unmuted", "muted", "filter-chain"]
RATE = 48000


def pct(values, p):
    """nearest-rank percentile"""
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(-(-p * len(v) // 100)) - 1))
    return v[k]


def fmt(x, nd=2):
    if x is None or x != x:
        return "n/a"
    return f"{x:.{nd}f}"


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def read_profile(path):
    """name -> dict of the pm-bench-profile columns"""
    nodes = {}
    for r in read_tsv(path):
        nodes[r[0]] = dict(id=int(r[1]), driver=r[2] == "1", cycles=int(r[3]),
                           busy=float(r[4]), busy_max=int(r[5]), wait=float(r[6]),
                           errors=int(r[7]), xruns=int(r[8]))
    return nodes


def qms(q):
    return q * 1000.0 / RATE


# ---- overhead ----

def overhead(raw, rows):
    cpu = {}     # (setup, q, n) -> [ms CPU per s of each window]
    ticks = {}   # (setup, q, n) -> [ticks, wall ns]
    stalled = {}
    for r in read_tsv(os.path.join(raw, "overhead.tsv")):
        _, setup, q, n, _, cns, wns, tk = r
        key = (setup, int(q), int(n))
        v = int(cns) / int(wns) * 1000.0
        if v < STALL_MS:
            # the graph stood still (seen at quantum 64 under load, in every
            # setup): not a measure of the setup, counted apart
            stalled[key] = stalled.get(key, 0) + 1
            cpu.setdefault(key, [])
            continue
        cpu.setdefault(key, []).append(v)
        t = ticks.setdefault(key, [0, 0])
        t[0] += int(tk)
        t[1] += int(wns)
    hz = os.sysconf("SC_CLK_TCK")
    res = {}
    for key, v in cpu.items():
        setup, q, n = key
        if stalled.get(key):
            rows.append(("overhead", q, setup, n, "stalled_windows", stalled[key], "count"))
        if not v:
            continue
        med = statistics.median(v)
        half = (max(v) - min(v)) / 2
        tk = ticks[key][0] * 1000.0 / hz / (ticks[key][1] / 1e9)
        prof = os.path.join(raw, f"profile-{setup}-q{q}-n{n}.tsv")
        src = chain = clients = None
        errors = 0
        if os.path.exists(prof):
            nodes = read_profile(prof)
            if "benchmic1" in nodes:
                src = nodes["benchmic1"]["busy"] / 1000.0
            ch = [nodes[k]["busy"] for k in ("bench-gate-in", "bench-gate") if k in nodes]
            chain = sum(ch) / 1000.0 if ch else None
            cl = [x["busy"] for k, x in nodes.items() if k.startswith("bench-cap-")]
            clients = statistics.mean(cl) / 1000.0 if cl else None
            errors = sum(x["errors"] + x["xruns"] for x in nodes.values())
        res[key] = dict(cpu=med, noise=half, windows=len(v), ticks=tk, src=src,
                        chain=chain, clients=clients, errors=errors)
        for metric, val, unit in (("daemon_cpu", med, "ms/s"), ("daemon_cpu_noise", half, "ms/s"),
                                  ("daemon_cpu_stat", tk, "ms/s"),
                                  ("source_busy", src, "us/cycle"),
                                  ("chain_busy", chain, "us/cycle"),
                                  ("client_busy", clients, "us/cycle"),
                                  ("profiler_err", errors, "count")):
            if val is not None:
                rows.append(("overhead", q, setup, n, metric, round(val, 4), unit))
    return res


def overhead_md(res, rows):
    qs = sorted({k[1] for k in res})
    ns = sorted({k[2] for k in res})
    out = []
    out.append("Daemon CPU in ms per second (= ‰ of one core; median of the windows, "
               "± half their range), and ratios to no module. *added* = setup minus "
               "no module; the last column is the muted module's added cost over the "
               "filter-chain gate's.\n")
    out.append("| quantum | clients | no module | unmuted | muted | filter-chain | "
               "unmuted / none | muted / none | filter-chain / none | muted added / gate added |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for q in qs:
        for n in ns:
            g = {s: res.get((s, q, n)) for s in SETUPS}
            if g["none"] is None:
                continue
            base = g["none"]["cpu"]

            def cell(s):
                return f"{g[s]['cpu']:.2f} ± {g[s]['noise']:.2f}" if g[s] else "n/a"

            def ratio(s):
                return g[s]["cpu"] / base if g[s] and base > 0 else None

            added_m = g["muted"]["cpu"] - base if g["muted"] else None
            added_g = g["filter-chain"]["cpu"] - base if g["filter-chain"] else None
            rel = added_m / added_g if added_m is not None and added_g and added_g > 0 else None
            if rel is not None:
                rows.append(("overhead", q, "muted", n, "added_over_gate_added", round(rel, 4), "ratio"))
            for s in ("unmuted", "muted", "filter-chain"):
                if ratio(s) is not None:
                    rows.append(("overhead", q, s, n, "cpu_ratio_to_none", round(ratio(s), 4), "ratio"))
            out.append(f"| {q} | {n} | {cell('none')} | {cell('unmuted')} | {cell('muted')} | "
                       f"{cell('filter-chain')} | {fmt(ratio('unmuted'), 3)} | {fmt(ratio('muted'), 3)} | "
                       f"{fmt(ratio('filter-chain'), 3)} | "
                       f"{fmt(rel, 2) if rel is not None else ('n/a (gate added ≤ 0)' if added_g is not None else 'n/a')} |")
    out.append("")
    out.append("Per-cycle busy time (µs, mean over the profiler window, as pw-top's BUSY) of "
               "the guarded source benchmic1 (a driver: its own processing, where the module "
               "writes the silence), of the filter-chain's two nodes together, and of one capture "
               "client on average; ERR: cycles that did not finish plus driver xruns in the "
               "window.\n")
    out.append("| quantum | clients | source: none | unmuted | muted | filter-chain | gate nodes | "
               "client: none | unmuted | muted | filter-chain | ERR none/unm/muted/fc |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for q in qs:
        for n in ns:
            g = {s: res.get((s, q, n)) for s in SETUPS}

            def v(s, k):
                return fmt(g[s][k], 2) if g[s] and g[s][k] is not None else "n/a"

            errs = "/".join(str(g[s]["errors"]) if g[s] else "-" for s in SETUPS)
            out.append(f"| {q} | {n} | {v('none', 'src')} | {v('unmuted', 'src')} | {v('muted', 'src')} | "
                       f"{v('filter-chain', 'src')} | {v('filter-chain', 'chain')} | "
                       f"{v('none', 'clients')} | {v('unmuted', 'clients')} | {v('muted', 'clients')} | "
                       f"{v('filter-chain', 'clients')} | {errs} |")
    out.append("")
    return out


def plot(res, out_dir):
    qs = sorted({k[1] for k in res})
    dat = os.path.join(out_dir, "overhead.dat")
    with open(dat, "w") as f:
        for q in qs:
            f.write(f"# quantum {q}\n")
            for s in SETUPS:
                f.write(f"# {s}\n")
                for n in sorted({k[2] for k in res if k[1] == q}):
                    r = res.get((s, q, n))
                    if r:
                        f.write(f"{n} {r['cpu'] / 10.0:.4f} {r['noise'] / 10.0:.4f}\n")
                f.write("\n\n")
    if shutil.which("gnuplot") is None:
        print("report: gnuplot not installed, no plot", file=sys.stderr)
        return False
    png = os.path.join(out_dir, "bench-overhead.png")
    gp = [f"set terminal pngcairo size {420 * len(qs) + 80},460 font ',10'",
          f"set output '{png}'",
          f"set multiplot layout 1,{len(qs)} title 'pipewire daemon CPU vs capture clients'",
          "set logscale x 2", "set xlabel 'capture clients'", "set ylabel '% of one core'",
          "set key top left", "set grid", "set yrange [0:*]", "set xrange [0.8:80]"]
    styles = ["lc rgb '#444444' pt 7", "lc rgb '#1f77b4' pt 5", "lc rgb '#2ca02c' pt 9",
              "lc rgb '#d62728' pt 11"]
    for i, q in enumerate(qs):
        gp.append(f"set title 'quantum {q} ({qms(q):.2f} ms at 48 kHz)'")
        parts = []
        for j, s in enumerate(SETUPS):
            idx = i * len(SETUPS) + j
            parts.append(f"'{dat}' index {idx} using 1:2:3 with yerrorlines {styles[j]} title '{s}'")
        gp.append("plot " + ", ".join(parts))
    gp.append("unset multiplot")
    r = subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True,
                       capture_output=True)
    if r.returncode != 0:
        print("report: gnuplot failed: " + r.stderr, file=sys.stderr)
        return False
    return True


# ---- engage and privacy ----

def read_calls(path):
    calls = []
    with open(path) as f:
        for line in f:
            i, muted, call, reply, enforced = line.split()
            calls.append(dict(muted=muted == "1", call=int(call), reply=int(reply),
                              enforced=enforced == "1"))
    return calls


def read_timeline(path):
    t, nz = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) != 3:
                continue
            t.append(int(p[0]))
            nz.append(int(p[2]))
    return t, nz


def leaks(calls, tl, q):
    """non-zero samples in buffers after an acknowledged mute: cycle time
    more than one quantum after the SetMuted reply (a client may read the
    previous cycle's buffer) and up to the next call; plus those within
    that first quantum, and how many buffers were checked"""
    t, nz = tl
    qns = int(q * 1e9 / RATE)
    strict = late = checked = 0
    for i, c in enumerate(calls):
        if not (c["muted"] and c["enforced"]):
            continue
        end = calls[i + 1]["call"] if i + 1 < len(calls) else (t[-1] if t else 0)
        a = bisect.bisect_right(t, c["reply"])
        b = bisect.bisect_right(t, c["reply"] + qns)
        e = bisect.bisect_right(t, end)
        late += sum(nz[a:min(b, e)])
        strict += sum(nz[b:e])
        checked += max(0, e - b)
    return strict, late, checked


def first_buffer(calls, tl):
    """ms from each call to the first buffer that is silent (mute) or
    carries signal (unmute), None when none came before the next call"""
    t, nz = tl
    out = []
    for i, c in enumerate(calls):
        end = calls[i + 1]["call"] if i + 1 < len(calls) else float("inf")
        k = bisect.bisect_left(t, c["call"])
        found = None
        while k < len(t) and t[k] <= end:
            if (nz[k] == 0) == c["muted"]:
                found = (t[k] - c["call"]) / 1e6
                break
            k += 1
        out.append(found)
    return out


def engage(raw, rows):
    res = {}
    for path in sorted(glob.glob(os.path.join(raw, "engage-q*.calls")),
                       key=lambda p: int(re.search(r"q(\d+)", p).group(1))):
        q = int(re.search(r"q(\d+)", path).group(1))
        calls = read_calls(path)
        tl = read_timeline(path[:-len(".calls")] + ".tl")
        fb = first_buffer(calls, tl)
        strict, late, checked = leaks(calls, tl, q)
        for muted, name in ((True, "mute"), (False, "unmute")):
            idx = [i for i, c in enumerate(calls) if c["muted"] == muted]
            enf = [(calls[i]["reply"] - calls[i]["call"]) / 1e6 for i in idx]
            buf = [fb[i] for i in idx if fb[i] is not None]
            r = dict(calls=len(idx), not_enforced=sum(1 for i in idx if not calls[i]["enforced"]),
                     enf=(pct(enf, 50), pct(enf, 99), max(enf) if enf else float("nan")),
                     buf=(pct(buf, 50), pct(buf, 99), max(buf) if buf else float("nan")),
                     no_buf=len(idx) - len(buf))
            res[(q, name)] = r
            for k, v in (("calls", r["calls"]), ("not_enforced", r["not_enforced"]),
                         ("to_enforced_p50", r["enf"][0]), ("to_enforced_p99", r["enf"][1]),
                         ("to_enforced_max", r["enf"][2]), ("to_buffer_p50", r["buf"][0]),
                         ("to_buffer_p99", r["buf"][1]), ("to_buffer_max", r["buf"][2]),
                         ("no_buffer_before_next_call", r["no_buf"])):
                rows.append(("engage", q, name, 1, k, round(v, 4) if isinstance(v, float) else v,
                             "ms" if k.startswith("to_") else "count"))
        res[(q, "leaks")] = (strict, late, checked)
        rows.append(("engage", q, "mute", 1, "nonzero_after_ack", strict, "samples"))
        rows.append(("engage", q, "mute", 1, "nonzero_first_quantum_after_ack", late, "samples"))
        rows.append(("engage", q, "mute", 1, "buffers_checked_after_ack", checked, "buffers"))
    return res


def engage_md(res):
    out = ["Time from the SetMuted call to its reply, which the policy sends once every "
           "enforcer acknowledged (`Enforced`; the CLI's `on`/`off` return then), and to the "
           "first buffer a recording client (pm-capture on benchmic1) gets that is silent "
           "(mute) or carries signal again (unmute), in the graph's cycle time. Milliseconds; "
           "p50 / p99 / max.\n",
           "| quantum | call | calls | to Enforced p50 | p99 | max | to first buffer p50 | p99 | max | "
           "goal: p99 ≤ quantum + 1 ms | not enforced |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for (q, name), r in sorted((k, v) for k, v in res.items() if k[1] != "leaks"):
        out.append(f"| {q} | {name} | {r['calls']} | {fmt(r['enf'][0])} | {fmt(r['enf'][1])} | "
                   f"{fmt(r['enf'][2])} | {fmt(r['buf'][0])} | {fmt(r['buf'][1])} | {fmt(r['buf'][2])} | "
                   f"{qms(q) + 1:.2f} | {r['not_enforced']} |")
    out.append("")
    return out


def scale(raw, rows):
    res = {}
    for path in sorted(glob.glob(os.path.join(raw, "scale-q*.calls")),
                       key=lambda p: int(re.search(r"q(\d+)", p).group(1))):
        q = int(re.search(r"q(\d+)", path).group(1))
        calls = read_calls(path)
        err = {}
        for kind in ("steady", "toggle"):
            nodes = read_profile(os.path.join(raw, f"scale-q{q}-{kind}.tsv"))
            err[kind] = (sum(x["xruns"] for x in nodes.values() if x["driver"]),
                         sum(x["errors"] for x in nodes.values()),
                         sum(1 for x in nodes.values() if x["driver"]),
                         sum(1 for k in nodes if k.startswith("bench-cap-")))
        strict = late = checked = 0
        tls = sorted(glob.glob(os.path.join(raw, f"scale-q{q}", "*.tl")))
        empty = 0
        for tlp in tls:
            tl = read_timeline(tlp)
            if not tl[0]:
                empty += 1
            s, l, c = leaks(calls, tl, q)
            strict += s
            late += l
            checked += c
        enf = [(c["reply"] - c["call"]) / 1e6 for c in calls]
        r = dict(calls=len(calls), not_enforced=sum(1 for c in calls if not c["enforced"]),
                 err=err, strict=strict, late=late, checked=checked, clients=len(tls),
                 empty=empty,
                 rate=len(calls) / ((calls[-1]["call"] - calls[0]["call"]) / 1e9)
                 if len(calls) > 1 else 0,
                 enf=(pct(enf, 50), pct(enf, 99), max(enf) if enf else float("nan")))
        res[q] = r
        for kind in ("steady", "toggle"):
            rows.append(("scale", q, kind, r["clients"], "driver_xruns", err[kind][0], "count"))
            rows.append(("scale", q, kind, r["clients"], "unfinished_cycles", err[kind][1], "count"))
            rows.append(("scale", q, kind, r["clients"], "sources_seen", err[kind][2], "count"))
        for k in ("calls", "not_enforced", "strict", "late", "checked", "empty"):
            name = {"strict": "nonzero_after_ack", "late": "nonzero_first_quantum_after_ack",
                    "checked": "buffers_checked_after_ack", "empty": "clients_without_buffers"}.get(k, k)
            rows.append(("scale", q, "toggle", r["clients"], name, r[k], "count"))
        rows.append(("scale", q, "toggle", r["clients"], "toggle_rate", round(r["rate"], 3), "Hz"))
        rows.append(("scale", q, "toggle", r["clients"], "to_enforced_p99", round(r["enf"][1], 4), "ms"))
    return res


def scale_md(res):
    out = ["Many sources (each its own driver) and capture clients spread over them; the mute "
           "toggled by SetMuted calls at a fixed rate, against the same stack and clients without "
           "toggling, over equal windows. ERR as pw-top counts it: driver xruns + cycles a node "
           "did not finish. *Non-zero after ack*: non-zero samples in every client's buffers "
           "whose cycle began more than one quantum after a mute's SetMuted reply, up to the "
           "next call (must be 0); *first quantum*: those in the quantum right after the reply "
           "(a client may read the previous cycle's buffer), shown, not judged.\n",
           "| quantum | sources | clients | ERR steady (xruns + unfinished) | ERR toggling | "
           "toggles (rate) | to Enforced p99 ms | buffers checked | non-zero after ack | first quantum |",
           "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|"]
    for q, r in sorted(res.items()):
        s, t = r["err"]["steady"], r["err"]["toggle"]
        out.append(f"| {q} | {t[2]} | {r['clients']} | {s[0] + s[1]} ({s[0]} + {s[1]}) | "
                   f"{t[0] + t[1]} ({t[0]} + {t[1]}) | {r['calls']} ({r['rate']:.1f} Hz) | "
                   f"{fmt(r['enf'][1])} | {r['checked']} | {r['strict']} | {r['late']} |")
    for path in sorted(glob.glob(os.path.join(RAW_DIR, "scale-q*.stalled"))):
        q = int(re.search(r"q(\d+)", path).group(1))
        with open(path) as f:
            n = f.read().strip()
        out.append(f"| {q} | – | – | graph stood still: {n} clients ever ran | – | – | – | – | – | – |")
    out.append("")
    return out


# ---- the guard's cost per cycle (pm-bench-guard) ----

GUARD_MODES = [("", "back to back"), ("-paced", "paced at the period")]
GUARD_GOAL_PCT = 0.1


def guard(out_dir, rows):
    """mode -> (q, channels) -> variant -> columns of pm-bench-guard"""
    res = {}
    for suffix, mode in GUARD_MODES:
        path = os.path.join(out_dir, f"guard-cycle{suffix}.tsv")
        if not os.path.exists(path):
            continue
        cells = res.setdefault(mode, {})
        for r in read_tsv(path):
            if r[0].startswith("#"):
                continue
            v, q, ch = r[0], int(r[1]), int(r[2])
            d = dict(median=int(r[3]), p99=int(r[4]), period=float(r[5]), pct=float(r[6]),
                     spread=int(r[7]) if len(r) > 7 else 0)
            cells.setdefault((q, ch), {})[v] = d
            setup = f"{v}/{ch}ch" + ("/paced" if suffix else "")
            for metric, val, unit in (("cycle_median", d["median"], "ns"), ("cycle_p99", d["p99"], "ns"),
                                      ("added_pct_of_period", d["pct"], "%"),
                                      ("block_spread", d["spread"], "ns")):
                rows.append(("guard", q, setup, "", metric, val, unit))
    return res


def guard_md(res):
    out = []
    goals = ["| goal | result | met |", "|---|---|---|"]
    for mode, cells in res.items():
        worst = None
        for (q, ch), g in cells.items():
            for v in ("unmuted", "muted"):
                if v in g and (worst is None or g[v]["pct"] > worst[0]):
                    worst = (g[v]["pct"], q, ch, v)
        if worst:
            goals.append(f"| the guard adds ≤ {GUARD_GOAL_PCT} % of the period, unmuted and muted ({mode}) | "
                         f"worst {worst[0]:+.4f} % (quantum {worst[1]}, {worst[2]} channels, {worst[3]}) | "
                         f"{'met' if worst[0] <= GUARD_GOAL_PCT else 'not met'} |")
        diffs = [(g["muted"]["median"] - g["unmuted"]["median"],
                  max(g["muted"]["spread"], g["unmuted"]["spread"]), q, ch)
                 for (q, ch), g in sorted(cells.items()) if "muted" in g and "unmuted" in g]
        if diffs:
            strict = sum(1 for d, *_ in diffs if d <= 0)
            within = all(d <= sp for d, sp, *_ in diffs)
            w = max(diffs, key=lambda x: x[0])
            goals.append(f"| muted costs no more than unmuted ({mode}) | muted ≤ unmuted in {strict} of "
                         f"{len(diffs)} cells; worst muted − unmuted {w[0]:+d} ns (quantum {w[2]}, {w[3]} "
                         f"channels) against a block spread of {w[1]} ns | "
                         f"{'met' if strict == len(diffs) else ('within noise' if within else 'not met')} |")
    out += goals + [""]
    out.append("Nanoseconds per cycle of `spa_node_process()` on the adapter (audiotestsrc + "
               "audioconvert in dsp mode, F32 ports), median / p99 over every timed cycle; *added*: "
               "the variant's median minus no guard's, also in % of the period (quantum / 48 kHz); "
               "*spread*: half the range of the medians of single blocks (of unmuted and muted, the "
               "larger), the noise a difference of medians has to beat; *engage*: the first muted "
               "cycle, which clears every buffer of every port (median of one per round), for "
               "information.\n")
    for mode, cells in res.items():
        out.append(f"{mode[0].upper() + mode[1:]}:\n")
        out.append("| quantum | channels | period µs | no guard | unmuted | added ns | % of period | "
                   "muted | added ns | % of period | muted − unmuted ns | spread ns | engage ns (% of period) |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (q, ch), g in sorted(cells.items()):
            if "none" not in g:
                continue
            base = g["none"]["median"]

            def mp(v):
                return f"{g[v]['median']} / {g[v]['p99']}" if v in g else "n/a"

            def added(v):
                return (f"{g[v]['median'] - base:+d} | {g[v]['pct']:+.4f}") if v in g else "n/a | n/a"

            dm = (f"{g['muted']['median'] - g['unmuted']['median']:+d}"
                  if "muted" in g and "unmuted" in g else "n/a")
            sp = max(g[v]["spread"] for v in ("unmuted", "muted") if v in g) if "muted" in g else 0
            eng = (f"{g['engage']['median']} ({100 * g['engage']['median'] / g['none']['period']:.3f} %)"
                   if "engage" in g else "n/a")
            out.append(f"| {q} | {ch} | {g['none']['period'] / 1000:.1f} | {mp('none')} | {mp('unmuted')} | "
                       f"{added('unmuted')} | {mp('muted')} | {added('muted')} | {dm} | {sp} | {eng} |")
        out.append("")
    return out


# ---- goals ----

def goals(ov, en, sc):
    out = ["| goal | result | met |", "|---|---|---|"]
    qs = sorted({k[1] for k in ov})
    ns = sorted({k[2] for k in ov})

    def get(s, q, n):
        r = ov.get((s, q, n))
        return r["cpu"] if r else None

    # unmuted within noise of no module
    ratios = [(q, n, get("unmuted", q, n) / get("none", q, n)) for q in qs for n in ns
              if get("unmuted", q, n) and get("none", q, n)]
    noise = [ov[k]["noise"] / ov[k]["cpu"] for k in ov if ov[k]["cpu"] > 0 and ov[k]["windows"] > 1]
    if ratios:
        worst = max(ratios, key=lambda x: x[2])
        ok = all(r <= 1.01 for _, _, r in ratios)
        out.append(f"| unmuted daemon CPU ≤ 1.01 × no module | ratio {min(r for *_, r in ratios):.3f} .. "
                   f"{worst[2]:.3f} (worst: quantum {worst[0]}, {worst[1]} clients); window-to-window "
                   f"noise ±{100 * statistics.median(noise) if noise else float('nan'):.1f} % (median) | "
                   f"{'met' if ok else 'not met'} |")
    # muted cost independent of the number of clients
    for q in qs:
        d = [(n, get("muted", q, n) - get("unmuted", q, n)) for n in ns
             if get("muted", q, n) is not None and get("unmuted", q, n) is not None]
        if len(d) < 2:
            continue
        nz = [ov[(s, q, n)]["noise"] for s in ("muted", "unmuted") for n in ns if (s, q, n) in ov]
        tol = 2 * statistics.median(nz) if nz else 0
        spread = max(x for _, x in d) - min(x for _, x in d)
        ok = spread <= tol
        out.append(f"| muted cost independent of client count (quantum {q}) | muted − unmuted: "
                   + ", ".join(f"{n}: {x:+.2f}" for n, x in d)
                   + f" ms/s; spread {spread:.2f} vs noise {tol:.2f} | {'met' if ok else 'not met'} |")
    # muted added ≤ a third of the gate's
    cells = []
    for q in qs:
        for n in ns:
            b, m, g = get("none", q, n), get("muted", q, n), get("filter-chain", q, n)
            if None in (b, m, g):
                continue
            cells.append((q, n, m - b, g - b))
    if cells:
        bad = [c for c in cells if not (c[3] > 0 and c[2] <= c[3] / 3)]
        worst = max(cells, key=lambda c: (c[2] / c[3]) if c[3] > 0 else float("inf"))
        out.append(f"| muted added cost ≤ ⅓ of the filter-chain gate's, every client count | "
                   f"{len(cells) - len(bad)} of {len(cells)} cells; worst: quantum {worst[0]}, "
                   f"{worst[1]} clients, {worst[2]:+.2f} vs {worst[3]:+.2f} ms/s | "
                   f"{'met' if not bad else 'not met'} |")
    # engage / unmute
    for name in ("mute", "unmute"):
        items = [(q, r) for (q, nm), r in en.items() if nm == name]
        if not items:
            continue
        ok = all(r["enf"][1] <= qms(q) + 1 and r["not_enforced"] == 0 for q, r in items)
        out.append(f"| {name}: call to Enforced p99 ≤ quantum + 1 ms | "
                   + ", ".join(f"q{q}: {r['enf'][1]:.2f} / {qms(q) + 1:.2f} ms" for q, r in sorted(items, key=lambda x: x[0]))
                   + f" | {'met' if ok else 'not met'} |")
        okb = all(r["buf"][1] <= qms(q) + 1 and r["no_buf"] == 0 for q, r in items)
        out.append(f"| {name}: call to first {'silent' if name == 'mute' else 'signal'} buffer p99 ≤ "
                   f"quantum + 1 ms (for information) | "
                   + ", ".join(f"q{q}: {r['buf'][1]:.2f} ms" for q, r in sorted(items, key=lambda x: x[0]))
                   + f" | {'met' if okb else 'not met'} |")
    # privacy
    priv = [("1 source, 1 client", q, v[0], v[2]) for (q, k), v in en.items() if k == "leaks"]
    priv += [(f"{r['err']['toggle'][2]} sources, {r['clients']} clients", q, r["strict"], r["checked"])
             for q, r in sc.items()]
    if priv:
        ok = all(s == 0 and c > 0 for _, _, s, c in priv)
        out.append("| zero non-zero samples after an acknowledged mute, every scale | "
                   + "; ".join(f"{w}, q{q}: {s} in {c} buffers" for w, q, s, c in sorted(priv, key=lambda x: (x[0], x[1])))
                   + f" | {'met' if ok else 'not met'} |")
    out.append("")
    return out


def update(doc, sections, png, plot_to):
    """sections: (name, Markdown) for each marked part of doc to replace"""
    with open(doc) as f:
        text = f.read()
    for name, body in sections:
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        a, b = text.find(begin), text.find(end)
        if a < 0 or b < a:
            print(f"report: no {begin} ... {end} section in {doc}", file=sys.stderr)
            return False
        text = text[:a + len(begin)] + "\n" + body + text[b:]
    with open(doc + ".tmp", "w") as f:
        f.write(text)
    os.replace(doc + ".tmp", doc)
    if png and os.path.exists(png):
        os.makedirs(os.path.dirname(os.path.abspath(plot_to)), exist_ok=True)
        shutil.copyfile(png, plot_to)
    return True


def main():
    args = sys.argv[1:]
    doc = plot_to = None
    if "--update" in args:
        i = args.index("--update")
        doc = args[i + 1]
        del args[i:i + 2]
    if "--plot-to" in args:
        i = args.index("--plot-to")
        plot_to = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        print("usage: report.py OUT_DIR [--update FILE [--plot-to PNG]]", file=sys.stderr)
        return 2
    out_dir = args[0]
    raw = os.path.join(out_dir, "raw")
    global RAW_DIR
    RAW_DIR = raw
    rows = []
    machine = ["Machine and run:\n"]
    with open(os.path.join(raw, "machine.txt")) as f:
        machine += ["    " + line.rstrip() for line in f]
    machine.append("")
    gd = guard(out_dir, rows)
    gmd = (["## Guard cost per cycle", ""] + machine + guard_md(gd)) if gd else []
    ovp = os.path.join(raw, "overhead.tsv")
    if not os.path.exists(ovp) or (os.path.getsize(ovp) == 0 and
                                   not glob.glob(os.path.join(raw, "*.calls"))):
        # only the guard was measured (BENCH_PARTS=guard): bench.sh made
        # overhead.tsv empty, and there is no engage or scale run
        return finish(out_dir, rows, gmd, None, gmd, doc, plot_to)
    ov = overhead(raw, rows)
    md = ["## Results", ""] + machine
    crashes = os.path.join(raw, "crashes.tsv")
    if os.path.exists(crashes):
        with open(crashes) as f:
            cr = [line.rstrip("\n").split("\t") for line in f if line.strip()]
        rows.append(("run", "", "", "", "pipewire_crashes", len(cr), "count"))
        if cr:
            md.append(f"pipewire ended {len(cr)} time(s) during the run; each time the point "
                      "was measured again on a fresh stack (bench/bench.sh `crashed`):\n")
            md += [f"    exit status {c[1]} during {c[2]}" for c in cr]
            md.append("")
    ovmd = overhead_md(ov, rows)
    st = [r for r in rows if r[4] == "stalled_windows"]
    if st:
        ovmd.append("Windows left out because the graph stood still (the daemon got under "
                    f"{STALL_MS} ms of CPU per s, and the profiler saw no cycle): "
                    + ", ".join(f"quantum {r[1]} {r[2]} {r[3]} clients: {r[5]}" for r in st)
                    + "; a cell with none left is n/a.\n")
    en = engage(raw, rows)
    sc = scale(raw, rows)
    md += ["### Goals", ""] + goals(ov, en, sc)
    md += ["### Overhead", ""] + ovmd
    md += ["![daemon CPU against capture clients](docs/bench-overhead.png)", ""]
    md += ["### Engage time", ""] + engage_md(en)
    md += ["### Scale", ""] + scale_md(sc)
    return finish(out_dir, rows, md + gmd, md, gmd, doc, plot_to, ov)


def finish(out_dir, rows, all_md, stack_md, guard_lines, doc, plot_to, ov=None):
    """write results.csv and results.md; --update: the parts measured"""
    with open(os.path.join(out_dir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["section", "quantum", "setup", "clients", "metric", "value", "unit"])
        w.writerows(rows)
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(all_md) + "\n")
    plotted = plot(ov, out_dir) if ov is not None else True
    if doc:
        if plot_to is None:
            plot_to = os.path.join(os.path.dirname(os.path.abspath(doc)), "docs", "bench-overhead.png")
        sections = []
        if stack_md is not None:
            sections.append(("bench-results", "\n".join(stack_md) + "\n"))
        if guard_lines:
            sections.append(("bench-guard", "\n".join(guard_lines) + "\n"))
        if not update(doc, sections, os.path.join(out_dir, "bench-overhead.png") if ov else None,
                      plot_to):
            return 1
    return 0 if plotted or shutil.which("gnuplot") is None else 1


if __name__ == "__main__":
    sys.exit(main())
