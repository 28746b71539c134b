#!/usr/bin/env python3
# privacy-mute tests: every method and property of the policy service with
# bad input (wrong types, wrong arity, oversized strings, unknown names, Set
# on read-only properties) and callers that vanish before their reply. Each
# bad call must get a named error (org.privacymute.Error.* or
# org.freedesktop.DBus.Error.*) and the service must answer the next call.
# Prints one "ok   - ..." or "FAIL - ..." line per check (dbus-api.sh
# counts them); exit status 1 if any failed.

import os
import re
import sys
import time
from xml.etree import ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dbusraw  # noqa: E402

DEST = "org.privacymute.Policy1"
OBJ = "/org/privacymute/Policy1"
P = "org.privacymute.Policy1"
PROPS = "org.freedesktop.DBus.Properties"
INTRO = "org.freedesktop.DBus.Introspectable"
PE = "org.privacymute.Error."
STD = "org.freedesktop.DBus.Error."
# the policy's default --ack-timeout, as dbus-api.sh activates it
ACK_TIMEOUT = 2.0

fails = 0
checks = 0


def result(ok, name, detail=""):
	global fails, checks
	checks += 1
	if ok:
		print("ok   - " + name)
	else:
		fails += 1
		print("FAIL - " + name)
		if detail:
			print("       " + str(detail)[:600])


def short(args):
	s = repr(args)
	return s if len(s) < 70 else s[:40] + "...(%d chars)" % len(s)


def alive(conn):
	"""the service answers the next call, on this connection"""
	r = conn.call(DEST, OBJ, PROPS, "Get", "ss", (P, "Muted"), timeout=5)
	return r is not None and r.type == dbusraw.RETURN and r.signature == "v"


def expect_error(conn, want, iface, member, sig="", args=(), path=OBJ):
	"""want: a full error name, or a prefix ending in '.'"""
	r = conn.call(DEST, path, iface, member, sig, args, timeout=5)
	label = "%s.%s(%s) %s -> %s" % (iface or "<no interface>", member, sig, short(args), want)
	if r is None:
		result(False, label, "no answer within 5 s")
	elif r.type != dbusraw.ERROR:
		result(False, label, "succeeded: %r" % (r.body,))
	else:
		name = r.error_name or ""
		named = name.startswith(PE) or name.startswith(STD)
		match = name.startswith(want) if want.endswith(".") else name == want
		msg = r.body[0] if r.body and isinstance(r.body[0], str) else ""
		result(named and match and msg != "", label,
				"got %s: %r" % (name, msg[:200]))
	result(alive(conn), "  ... and the service answers the next call")
	return r


def expect_ok(conn, label, iface, member, sig="", args=(), out_sig=None):
	r = conn.call(DEST, OBJ, iface, member, sig, args, timeout=5)
	ok = r is not None and r.type == dbusraw.RETURN and (out_sig is None or r.signature == out_sig)
	result(ok, label, r)
	return r


def get(conn, name):
	r = conn.call(DEST, OBJ, PROPS, "Get", "ss", (P, name), timeout=5)
	return r.body[0][1] if r is not None and r.type == dbusraw.RETURN else None


big = "x" * 100000
s257 = "y" * 257
s256 = "z" * 256

c = dbusraw.Connection()

# ---- SetMuted(b) ----
for sig, args in [("", ()), ("s", ("yes",)), ("i", (1,)), ("y", (1,)), ("bb", (True, False)),
		("v", (("b", True),)), ("s", (big,)), ("ab", ([True],))]:
	expect_error(c, PE + "InvalidArgs", P, "SetMuted", sig, args)
# ---- Toggle() ----
for sig, args in [("i", (1,)), ("b", (True,)), ("s", (big,))]:
	expect_error(c, PE + "InvalidArgs", P, "Toggle", sig, args)

# ---- RegisterEnforcer(a{sv}) ----
for sig, args in [("", ()), ("s", ("process",)), ("a{ss}", ({"process": "x"},)),
		("a{sv}a{sv}", ({}, {})), ("a{sv}u", ({}, 1)), ("av", ([("s", "x")],))]:
	expect_error(c, PE + "InvalidArgs", P, "RegisterEnforcer", sig, args)
for info in [{"process": ("u", 1)}, {"host": ("i", 1)}, {"pid": ("s", "1")}, {"daemon": ("u", 1)},
		{"pid": ("i", -1)}, {"sources": ("s", "3")}, {"sources": ("t", 3)},
		{"process": ("s", s257)}, {"host": ("s", s257)}, {"process": ("s", big)},
		{"pid": ("u", 1), "host": ("as", ["a"])}]:
	expect_error(c, PE + "InvalidArgs", P, "RegisterEnforcer", "a{sv}", (info,))
result(get(c, "Enforcers") == [], "no bad RegisterEnforcer left an enforcer behind",
		get(c, "Enforcers"))

# ---- Acknowledge(tbu), UnregisterEnforcer(), ReportSources(a(ussbb)) ----
for sig, args in [("", ()), ("tb", (1, True)), ("tbuu", (1, True, 1, 1)), ("ubu", (1, True, 1)),
		("tsu", (1, "x", 1)), ("s", (big,))]:
	expect_error(c, PE + "InvalidArgs", P, "Acknowledge", sig, args)
expect_error(c, PE + "NotRegistered", P, "Acknowledge", "tbu", (1, True, 1))
expect_error(c, PE + "InvalidArgs", P, "UnregisterEnforcer", "u", (1,))
expect_error(c, PE + "NotRegistered", P, "UnregisterEnforcer")
for sig, args in [("", ()), ("a(uss)", ([(1, "a", "b")],)), ("a(ussi)", ([(1, "a", "b", 0)],)),
		("a(ussb)", ([(1, "a", "b", False)],)),
		("a(ussbb)a(ussbb)", ([], [])), ("(ussbb)", ((1, "a", "b", False, False),))]:
	expect_error(c, PE + "InvalidArgs", P, "ReportSources", sig, args)
expect_error(c, PE + "NotRegistered", P, "ReportSources", "a(ussbb)", ([(1, "a", "Audio/Source", False, False)],))

# ---- as a registered enforcer, on one connection ----
e = dbusraw.Connection()
r = expect_ok(e, "RegisterEnforcer with 256-byte strings (the limit) is accepted",
		P, "RegisterEnforcer", "a{sv}", ({"process": ("s", s256), "host": ("s", s256),
			"pid": ("u", 1), "sources": ("u", 0), "some.future.key": ("as", [])},), "bt")
muted, gen = r.body if r is not None and r.type == dbusraw.RETURN else (None, None)
expect_ok(e, "ReportSources with 1024 entries (the limit) is accepted", P, "ReportSources",
		"a(ussbb)", ([(i, "src%d" % i, "Audio/Source", i != 7, False) for i in range(1024)],))
ung = get(e, "Unguarded")
result(ung == [(7, "src7", "Audio/Source")], "Unguarded lists the one unguarded source", ung)
for label, arr in [("1025 entries", [(i, "n%d" % i, "Audio/Source", True, False) for i in range(1025)]),
		("a 257-byte name", [(1, s257, "Audio/Source", False, False)]),
		("a 257-byte media class", [(1, "n", s257, False, False)]),
		("a 100 kB name", [(1, big, "Audio/Source", False, False)])]:
	expect_error(e, PE + "InvalidArgs", P, "ReportSources", "a(ussbb)", (arr,))
	ung = get(e, "Unguarded")
	result(ung == [(7, "src7", "Audio/Source")], "  ... (%s) and the previous report is kept" % label, ung)
for sig, args in [("", ()), ("tb", (1, True)), ("tbus", (1, True, 1, "x"))]:
	expect_error(e, PE + "InvalidArgs", P, "Acknowledge", sig, args)
expect_error(e, PE + "InvalidArgs", P, "UnregisterEnforcer", "b", (True,))
if gen is not None:
	# an acknowledgement of a generation the policy has not issued yet
	expect_error(e, PE + "InvalidArgs", P, "Acknowledge", "tbu", (gen + 1, not muted, 0))
	expect_error(e, PE + "InvalidArgs", P, "Acknowledge", "tbu", (2 ** 64 - 1, muted, 0))
	caller = dbusraw.Connection()
	serial = caller.send(DEST, OBJ, P, "SetMuted", "b", (not muted,))
	time.sleep(0.3)
	result(get(e, "Generation") == gen + 1 and get(e, "Enforced") is False,
			"the refused acknowledgement does not count once that generation comes",
			(get(e, "Generation"), get(e, "Enforced")))
	expect_ok(e, "the enforcer acknowledges the new generation", P, "Acknowledge", "tbu",
			(gen + 1, not muted, 0))
	r = caller.wait_reply(serial, 5)
	result(r is not None and r.type == dbusraw.RETURN and r.body == [True],
			"the waiting SetMuted then replies enforced = true", r)
	caller.close()
	muted, gen = not muted, gen + 1
expect_ok(e, "UnregisterEnforcer", P, "UnregisterEnforcer")
expect_error(e, PE + "NotRegistered", P, "UnregisterEnforcer")
result(get(e, "Unguarded") == [], "the report went with the enforcer", get(e, "Unguarded"))
e.close()

# ---- org.freedesktop.DBus.Properties: every property the service
# introspects (the interface XML lists the same) ----
r = c.call(DEST, OBJ, INTRO, "Introspect", timeout=5)
text = r.body[0] if r is not None and r.type == dbusraw.RETURN else ""
try:
	ElementTree.fromstring(text)
	result(True, "the introspection data is well-formed XML (clients parse it)")
except ElementTree.ParseError as err:
	result(False, "the introspection data is well-formed XML (clients parse it)", err)
# the properties of our interface, read without an XML parser so that the
# checks below run even when the XML is broken
ours = text[text.find('<interface name="%s">' % P):]
ours = ours[:ours.find("</interface>")]
props = re.findall(r'<property name="(\w+)" type="([^"]+)" access="(\w+)"', ours)
types = {n: t for n, t, a in props}
access = {n: a for n, t, a in props}
result(len(types) >= 5 and all(a == "read" for a in access.values()),
		"introspection: %d properties, all read-only" % len(types), types)
example = {"b": True, "t": 5, "u": 5, "s": "x", "(tsuss)": (5, "x", 5, "x", "x")}
for name, t in types.items():
	r = c.call(DEST, OBJ, PROPS, "Get", "ss", (P, name), timeout=5)
	result(r is not None and r.type == dbusraw.RETURN and r.body[0][0] == t,
			"Get %s is a %s" % (name, t), r)
	value = example.get(t, [])
	expect_error(c, PE + "ReadOnly", PROPS, "Set", "ssv", (P, name, (t, value)))
	expect_error(c, PE + "ReadOnly", PROPS, "Set", "ssv", (P, name, ("s", big)))
	expect_error(c, PE + "ReadOnly", PROPS, "Set", "ssv", ("", name, (t, value)))
# every method the service introspects (new ones too): too many arguments,
# none, or the first of the wrong type
sample = {"b": True, "y": 1, "n": 1, "q": 1, "i": 1, "u": 1, "x": 1, "t": 1, "d": 1.0,
	"s": "x", "o": "/x", "g": "s"}


def value_of(t):
	if t in sample:
		return sample[t]
	if t[0] == "a":
		return {} if t[1] == "{" else []
	if t[0] == "(":
		return tuple(value_of(x) for x in dbusraw.split_signature(t[1:-1]))
	return ("s", "x")  # v


for m in re.finditer(r'<method name="(\w+)"(/>|>(.*?)</method>)', ours, re.S):
	name, body = m.group(1), m.group(3) or ""
	ins = [t for t, d in re.findall(r'<arg [^>]*type="([^"]+)" direction="(\w+)"', body) if d == "in"]
	sig = "".join(ins)
	args = tuple(value_of(t) for t in ins)
	expect_error(c, PE + "InvalidArgs", P, name, sig + "s", args + ("extra",))
	if ins:
		expect_error(c, PE + "InvalidArgs", P, name)
		wrong = "s" if ins[0] != "s" else "u"
		expect_error(c, PE + "InvalidArgs", P, name, wrong + "".join(ins[1:]),
				(value_of(wrong),) + args[1:])

r = c.call(DEST, OBJ, PROPS, "GetAll", "s", (P,), timeout=5)
result(r is not None and r.type == dbusraw.RETURN and
		{k: v[0] for k, v in r.body[0].items()} == types,
		"GetAll gives exactly the introspected properties, with their types", r)
r = c.call(DEST, OBJ, PROPS, "Get", "ss", ("", "Generation"), timeout=5)
result(r is not None and r.type == dbusraw.RETURN, "Get with an empty interface name finds ours", r)
for sig, args in [("", ()), ("s", (P,)), ("sss", (P, "Muted", "x")), ("su", (P, 1)),
		("is", (1, "Muted")), ("ssv", (P, "Muted", ("b", True)))]:
	expect_error(c, PE + "InvalidArgs", PROPS, "Get", sig, args)
expect_error(c, PE + "UnknownProperty", PROPS, "Get", "ss", (P, "Secret"))
expect_error(c, PE + "UnknownProperty", PROPS, "Get", "ss", (P, big))
expect_error(c, PE + "UnknownProperty", PROPS, "Get", "ss", (P, "muted"))
expect_error(c, PE + "UnknownProperty", PROPS, "Get", "ss", (PROPS, "Muted"))
expect_error(c, PE + "UnknownInterface", PROPS, "Get", "ss", ("org.example.Nope", "Muted"))
expect_error(c, PE + "UnknownInterface", PROPS, "Get", "ss", (big, "Muted"))
for sig, args in [("", ()), ("u", (1,)), ("ss", (P, P)), ("s", (big,))]:
	want = PE + ("UnknownInterface" if args and args[0] == big else "InvalidArgs")
	expect_error(c, want, PROPS, "GetAll", sig, args)
expect_error(c, PE + "UnknownInterface", PROPS, "GetAll", "s", ("org.example.Nope",))
for sig, args in [("", ()), ("ss", (P, "Muted")), ("sss", (P, "Muted", "true")),
		("ssvv", (P, "Muted", ("b", True), ("b", True))), ("ssb", (P, "Muted", True))]:
	expect_error(c, PE + "InvalidArgs", PROPS, "Set", sig, args)
expect_error(c, PE + "UnknownProperty", PROPS, "Set", "ssv", (P, "Secret", ("b", True)))
expect_error(c, PE + "UnknownProperty", PROPS, "Set", "ssv", (P, big, ("b", True)))
expect_error(c, PE + "UnknownInterface", PROPS, "Set", "ssv", ("org.example.Nope", "Muted", ("b", True)))

# ---- unknown names ----
expect_error(c, PE + "InvalidArgs", INTRO, "Introspect", "s", ("x",))
expect_error(c, PE + "UnknownMethod", P, "Explode")
expect_error(c, PE + "UnknownMethod", P, "setmuted", "b", (True,))
expect_error(c, PE + "UnknownMethod", None, "Explode")
expect_error(c, PE + "UnknownMethod", PROPS, "Frob")
expect_error(c, PE + "UnknownMethod", INTRO, "Frob")
expect_error(c, PE + "UnknownInterface", "org.example.Nope", "SetMuted", "b", (True,))
expect_error(c, STD, P, "SetMuted", "b", (True,), path="/org/privacymute/Other")
expect_error(c, STD, "org.freedesktop.DBus.Peer", "Frob")
result(c.call(DEST, OBJ, "org.freedesktop.DBus.Peer", "Ping", timeout=5).type == dbusraw.RETURN,
		"org.freedesktop.DBus.Peer.Ping answers")

# ---- callers that vanish before their reply ----
# an enforcer that never acknowledges: SetMuted waits for it (the ack timeout)
e = dbusraw.Connection()
r = e.call(DEST, OBJ, P, "RegisterEnforcer", "a{sv}", ({"process": ("s", "silent-enforcer")},), timeout=5)
result(r is not None and r.type == dbusraw.RETURN, "a silent enforcer registers", r)

v = dbusraw.Connection()
v.send(DEST, OBJ, P, "SetMuted", "b", (not get(c, "Muted"),))
v.close()
t0 = time.monotonic()
result(alive(c) and time.monotonic() - t0 < 1, "a SetMuted caller left while its reply waits: the service answers others at once")
time.sleep(ACK_TIMEOUT + 0.5)
result(alive(c), "... and after the ack timeout replied to the vanished caller")

# 1100 calls for one state: the policy keeps at most 1024 waiting and
# answers the others at once; then their callers leave. From 10
# connections: the bus itself refuses more than 128 pending calls from one
v = [dbusraw.Connection() for i in range(10)]
want = not get(c, "Muted")
for conn in v:
	for i in range(110):
		conn.send(DEST, OBJ, P, "SetMuted", "b", (want,))
answered, errors = [], []
deadline = time.monotonic() + ACK_TIMEOUT / 2
while time.monotonic() < deadline:
	for conn in v:
		while (m := conn._recv_message(0.005)) is not None:
			if m.type == dbusraw.RETURN:
				answered.append(m)
			elif m.type == dbusraw.ERROR:
				errors.append(m)
result(len(answered) == 1100 - 1024 and all(m.body == [False] for m in answered) and not errors,
		"1100 waiting SetMuted: the 76 over the limit of 1024 answered at once, not enforced",
		"%d answered early, errors: %r" % (len(answered), errors[:3]))
for conn in v:
	conn.close()
t0 = time.monotonic()
ok = alive(c)
result(ok and time.monotonic() - t0 < 1,
		"their caller left: the service answers others at once (%.2f s)" % (time.monotonic() - t0))
time.sleep(ACK_TIMEOUT)
result(alive(c), "... and after it replied to the 1024 calls of the vanished caller")

# the only enforcer leaves while a caller waits: the caller is answered then
w = dbusraw.Connection()
serial = w.send(DEST, OBJ, P, "Toggle")
time.sleep(0.2)
e.close()
r = w.wait_reply(serial, ACK_TIMEOUT - 0.5)
result(r is not None and r.type == dbusraw.RETURN and r.body[1] is False,
		"the only enforcer left while a Toggle waited: answered at once, not enforced", r)
w.close()

# callers that vanish right after RegisterEnforcer, Get, a no-reply call
v = dbusraw.Connection()
v.send(DEST, OBJ, P, "RegisterEnforcer", "a{sv}", ({},))
v.close()
v = dbusraw.Connection()
v.send(DEST, OBJ, PROPS, "GetAll", "s", (P,))
v.send(DEST, OBJ, P, "SetMuted", "b", (True,), flags=dbusraw.NO_REPLY_EXPECTED)
v.send(DEST, OBJ, P, "SetMuted", "s", ("bad",))
v.close()
deadline = time.monotonic() + 5
while get(c, "Enforcers") != [] and time.monotonic() < deadline:
	time.sleep(0.1)
result(get(c, "Enforcers") == [], "an enforcer that left before its reply is not kept",
		get(c, "Enforcers"))
result(get(c, "Muted") is True, "the SetMuted(true) sent without expecting a reply applied")
c.close()
fresh = dbusraw.Connection()
result(alive(fresh), "a new connection is answered at the end")
fresh.close()

print("%d checks, %d failed" % (checks, fails))
sys.exit(1 if fails else 0)
