#!/usr/bin/env python3
# privacy-mute tests: a stand-in for the module on one bus connection, to
# drive the policy's enforcer methods directly. Each argument is an action,
# run in order; one line per action on stdout: "ACTION -> ok", "ACTION ->
# ERROR.NAME: message" or, for log, the entries as JSON.
#   register                      RegisterEnforcer (process "fake")
#   speech:SOURCE                 SpeechWhileMuted(SOURCE)
#   start:ID:APP:BINARY:PID:SOURCE  CaptureStarted (empty fields are left out)
#   startlong:ID                  CaptureStarted with a 257-byte application
#   stop:ID                       CaptureStopped(ID)
#   log                           GetCaptureLog
#   sleep:SECONDS
# The bus is $DBUS_SESSION_BUS_ADDRESS, or $PM_FAKE_BUS.

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dbusraw  # noqa: E402

DEST = OBJ = None
DEST = "org.privacymute.Policy1"
OBJ = "/org/privacymute/Policy1"
P = "org.privacymute.Policy1"

c = dbusraw.Connection(os.environ.get("PM_FAKE_BUS"))


def show(action, r):
	if r is None:
		print("%s -> no reply" % action)
	elif r.type == dbusraw.ERROR:
		print("%s -> %s: %s" % (action, r.error_name, r.body[0] if r.body else ""))
	else:
		print("%s -> ok" % action)


for action in sys.argv[1:]:
	kind, _, rest = action.partition(":")
	if kind == "register":
		r = c.call(DEST, OBJ, P, "RegisterEnforcer", "a{sv}",
				({"process": ("s", "fake"), "pid": ("u", os.getpid())},))
		show(action, r)
	elif kind == "speech":
		show(action, c.call(DEST, OBJ, P, "SpeechWhileMuted", "s", (rest,)))
	elif kind == "start":
		cid, app, binary, pid, source = rest.split(":")
		info = {}
		for key, val in (("application", app), ("binary", binary), ("source", source)):
			if val:
				info[key] = ("s", val)
		if pid:
			info["pid"] = ("u", int(pid))
		show(action, c.call(DEST, OBJ, P, "CaptureStarted", "ua{sv}", (int(cid), info)))
	elif kind == "startlong":
		show(action, c.call(DEST, OBJ, P, "CaptureStarted", "ua{sv}",
				(int(rest), {"application": ("s", "a" * 257)})))
	elif kind == "stop":
		show(action, c.call(DEST, OBJ, P, "CaptureStopped", "u", (int(rest),)))
	elif kind == "log":
		r = c.call(DEST, OBJ, P, "GetCaptureLog")
		if r is None or r.type != dbusraw.RETURN:
			show(action, r)
		else:
			print(json.dumps([list(e) for e in r.body[0]]))
	elif kind == "sleep":
		time.sleep(float(rest))
	else:
		print("%s -> unknown action" % action)
		sys.exit(2)
	sys.stdout.flush()
c.close()
