#!/usr/bin/env python3
# privacy-mute load test helper (tests/integration/load.sh).
#
#   mute-storm.py drive CLI LOG CONCURRENT SEQUENTIAL SEED
#       Changes the mute CONCURRENT + SEQUENTIAL times, each call flipping
#       the state. First CONCURRENT toggles from two threads at once, one
#       through the CLI (`privacy-mute toggle`), one calling Toggle over
#       D-Bus (dbus-send, gdbus); then SEQUENTIAL calls one after another,
#       alternating the CLI (toggle, on, off) and D-Bus clients (SetMuted,
#       Toggle through dbus-send and gdbus). Most calls follow each other at
#       once; some hold the state for 80-250 ms so that whole graph cycles
#       fall between them, and one mute is held for 1.5 s (for the captures
#       without a timeline). LOG gets one JSON object per call: path,
#       method, phase, start and end (CLOCK_MONOTONIC ns, as the graph's
#       clock and pm-capture's timeline: taken before the client is started
#       and after it exited), the state and enforced flag it replied.
#
#   mute-storm.py check LOG MIN_QUANTUM_NS MIN_BUFFERS TIMELINE...
#       For each acknowledged mute (a call that replied muted and enforced,
#       at its end time A): every buffer of every pm-capture timeline with
#       A + one quantum < cycle time <= U carries only zero samples, where
#       U is the start of the first other call that could unmute and may
#       have been handled after the mute: any call but `on` /
#       SetMuted(true) that had not ended when the mute call started (in
#       the sequential part, simply the next call). Empty buffers (a cycle
#       run late) hold no sample and are not counted. The same for
#       acknowledged unmutes: buffers carry signal, with at most 1 in 20
#       that does not (a loaded machine's late cycles).
#       One quantum: the larger of MIN_QUANTUM_NS and the timeline's own
#       cycle period (the graph may run a larger quantum than the default,
#       e.g. for PulseAudio clients). Each timeline needs at least
#       MIN_BUFFERS buffers inside the muted windows, and inside the
#       unmuted ones. Also: every call was answered, and each of the
#       sequential ones was confirmed (enforced) and flipped the state.
#
#   mute-storm.py last LOG
#       the state (true: muted) the last call of LOG replied

import json
import random
import subprocess
import sys
import threading
import time

DEST = "org.privacymute.Policy1"
OBJ = "/org/privacymute/Policy1"
IFACE = "org.privacymute.Policy1"


def run(argv):
	start = time.monotonic_ns()
	p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
			text=True, timeout=30)
	end = time.monotonic_ns()
	return start, end, p


def call_cli(cli, command):
	start, end, p = run([cli, command])
	out = p.stdout.strip()
	# "muted (enforced)", "unmuted (not enforced)"; exit 0 only if enforced
	muted = enforced = None
	if out.endswith(")"):
		muted = out.startswith("muted")
		enforced = out.endswith("(enforced)")
	return dict(path="cli", method=command, start=start, end=end, rc=p.returncode,
			muted=muted, enforced=enforced, out=out + p.stderr.strip())


def call_dbus_send(method, muted=None):
	argv = ["dbus-send", "--session", "--print-reply", "--dest=" + DEST, OBJ,
		IFACE + "." + method]
	if muted is not None:
		argv.append("boolean:" + ("true" if muted else "false"))
	start, end, p = run(argv)
	vals = [w == "true" for w in p.stdout.split() if w in ("true", "false")]
	if method == "Toggle" and len(vals) == 2:
		m, e = vals
	elif method == "SetMuted" and len(vals) == 1:
		m, e = muted, vals[0]
	else:
		m = e = None
	return dict(path="dbus-send", method=method if muted is None else
			"%s(%s)" % (method, "true" if muted else "false"), start=start, end=end,
			rc=p.returncode, muted=m, enforced=e,
			out=p.stdout.strip() + p.stderr.strip())


def call_gdbus(method, muted=None):
	argv = ["gdbus", "call", "--session", "--dest", DEST, "--object-path", OBJ,
		"--method", IFACE + "." + method]
	if muted is not None:
		argv.append("true" if muted else "false")
	start, end, p = run(argv)
	vals = [w.strip("(),") == "true" for w in p.stdout.split()
		if w.strip("(),") in ("true", "false")]
	if method == "Toggle" and len(vals) == 2:
		m, e = vals
	elif method == "SetMuted" and len(vals) == 1:
		m, e = muted, vals[0]
	else:
		m = e = None
	return dict(path="gdbus", method=method if muted is None else
			"%s(%s)" % (method, "true" if muted else "false"), start=start, end=end,
			rc=p.returncode, muted=m, enforced=e,
			out=p.stdout.strip() + p.stderr.strip())


def drive(cli, log_path, n_concurrent, n_sequential, seed):
	rng = random.Random(seed)
	calls = []
	lock = threading.Lock()

	def record(c, phase):
		c["phase"] = phase
		with lock:
			calls.append(c)

	# two callers at once, toggles only: every call flips the state
	def cli_thread(n):
		for _ in range(n):
			record(call_cli(cli, "toggle"), "concurrent")

	def dbus_thread(n):
		for i in range(n):
			f = call_dbus_send if i % 2 == 0 else call_gdbus
			record(f("Toggle"), "concurrent")

	threads = [threading.Thread(target=cli_thread, args=(n_concurrent // 2,)),
		threading.Thread(target=dbus_thread, args=(n_concurrent - n_concurrent // 2,))]
	for t in threads:
		t.start()
	for t in threads:
		t.join()

	# one after another; each call asks for the opposite of the state
	state = read_muted()
	long_hold_at = n_sequential // 2
	for i in range(n_sequential):
		want = not state
		k = i % 8
		if k == 0:
			c = call_cli(cli, "toggle")
		elif k == 1:
			c = call_dbus_send("SetMuted", want)
		elif k == 2:
			c = call_cli(cli, "on" if want else "off")
		elif k == 3:
			c = call_gdbus("Toggle")
		elif k == 4:
			c = call_cli(cli, "on" if want else "off")
		elif k == 5:
			c = call_dbus_send("Toggle")
		elif k == 6:
			c = call_cli(cli, "toggle")
		else:
			c = call_gdbus("SetMuted", want)
		record(c, "sequential")
		state = want
		if i >= long_hold_at and want and long_hold_at >= 0:
			long_hold_at = -1
			time.sleep(1.5)
		elif rng.random() < 0.15:
			time.sleep(rng.uniform(0.08, 0.25))

	with open(log_path, "w") as f:
		for c in calls:
			f.write(json.dumps(c) + "\n")
	return 0


def read_muted():
	p = subprocess.run(["gdbus", "call", "--session", "--dest", DEST, "--object-path", OBJ,
		"--method", "org.freedesktop.DBus.Properties.Get", IFACE, "Muted"],
		stdout=subprocess.PIPE, text=True, timeout=30)
	return "true" in p.stdout


def load_timeline(path):
	rows = []
	with open(path) as f:
		for line in f:
			parts = line.split()
			if len(parts) == 3:
				rows.append(tuple(int(x) for x in parts))
	return rows


def can_unmute(c):
	return not (c["method"] == "on" or c["method"] == "SetMuted(true)")


def can_mute(c):
	return not (c["method"] == "off" or c["method"] == "SetMuted(false)")


def windows(calls, acked_state):
	"""(from, to) for each call that replied (acked_state, enforced): from its
	end to the start of the first other call that could change the state
	and may have been handled after it: one that had not ended when it
	started (its reply may reach its own client before ours does)"""
	out = []
	for c in calls:
		if c["muted"] is not acked_state or c["enforced"] is not True:
			continue
		may_change = can_unmute if acked_state else can_mute
		later = [d["start"] for d in calls
			if d is not c and d["end"] > c["start"] and may_change(d)]
		out.append((c["end"], min(later) if later else c["end"]))
	return out


def check(log_path, min_quantum, min_buffers, timelines):
	with open(log_path) as f:
		calls = [json.loads(line) for line in f]
	muted_w = windows(calls, True)
	unmuted_w = windows(calls, False)
	print("%d calls, %d acknowledged mutes, %d acknowledged unmutes" %
			(len(calls), len(muted_w), len(unmuted_w)))
	fails = 0
	# every call got an answer; one after another, each is confirmed and
	# flips the state (concurrent ones may be superseded: not enforced)
	seq = [c for c in calls if c["phase"] == "sequential"]
	for c in calls:
		if c["muted"] is None or c["enforced"] is None:
			print("FAIL no parsable answer: %s" % json.dumps(c))
			fails += 1
	for prev, c in zip(seq, seq[1:]):
		if c["muted"] is None or c["muted"] == prev["muted"]:
			print("FAIL the state did not flip: %s" % json.dumps(c))
			fails += 1
	for c in seq:
		if c["enforced"] is not True or c["rc"] != 0:
			print("FAIL not confirmed: %s" % json.dumps(c))
			fails += 1
	for path in timelines:
		rows = load_timeline(path)
		gaps = sorted(b[0] - a[0] for a, b in zip(rows, rows[1:]) if b[0] > a[0])
		period = gaps[len(gaps) // 2] if gaps else 0
		q = max(min_quantum, period)
		n_silent = n_signal = bad_silent = bad_signal = 0
		first_bad = None
		for lo, hi in muted_w:
			for t, frames, nonsilent in rows:
				# an empty buffer (a late cycle) holds no sample to judge
				if lo + q < t <= hi and frames > 0:
					n_silent += 1
					if nonsilent != 0:
						bad_silent += 1
						if first_bad is None:
							first_bad = "buffer at %d with %d non-zero samples of %d, " \
								"%.3f ms after the mute was acknowledged" % (
								t, nonsilent, frames * 2, (t - lo) / 1e6)
		for lo, hi in unmuted_w:
			for t, frames, nonsilent in rows:
				if lo + q < t <= hi:
					n_signal += 1
					if frames == 0 or nonsilent * 2 < frames * 2:
						bad_signal += 1
		# not one sample while muted; signal in (nearly) every unmuted
		# buffer: a cycle the loaded machine ran late may come empty
		ok = bad_silent == 0 and bad_signal * 20 <= n_signal and \
			n_silent >= min_buffers and n_signal >= min_buffers
		print("%s %s: quantum %.1f ms, %d buffers; in muted windows %d (%d not silent), "
			"in unmuted windows %d (%d without signal)%s" % (
			"ok  " if ok else "FAIL", path, q / 1e6, len(rows), n_silent, bad_silent,
			n_signal, bad_signal, "; first: " + first_bad if first_bad else ""))
		fails += not ok
	return 1 if fails else 0


def last(log_path):
	with open(log_path) as f:
		calls = [json.loads(line) for line in f]
	print("true" if calls[-1]["muted"] else "false")
	return 0


def main(argv):
	if len(argv) == 3 and argv[1] == "last":
		return last(argv[2])
	if len(argv) == 7 and argv[1] == "drive":
		return drive(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]))
	if len(argv) >= 6 and argv[1] == "check":
		return check(argv[2], int(argv[3]), int(argv[4]), argv[5:])
	print(__doc__ if __doc__ else "usage: see the comment at the top", file=sys.stderr)
	return 2


if __name__ == "__main__":
	sys.exit(main(sys.argv))
