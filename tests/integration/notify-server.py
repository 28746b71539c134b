#!/usr/bin/python3
# privacy-mute tests: a desktop notification server for a private session
# bus. Owns org.freedesktop.Notifications and writes each Notify call as
# one JSON line (app_name, replaces_id, app_icon, summary, body, actions,
# hints, expire_timeout) to the file named first, flushed at once.
#   notify-server.py OUT.jsonl [--slow SECONDS]
# --slow: answer each Notify only after SECONDS (a server that hangs must
# not hold up the policy).

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = "org.freedesktop.Notifications"


class Server(dbus.service.Object):
	def __init__(self, bus, out, slow):
		super().__init__(bus, "/org/freedesktop/Notifications")
		self.out = out
		self.slow = slow
		self.next_id = 1

	@dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u",
			async_callbacks=("ok", "err"))
	def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints,
			expire_timeout, ok, err):
		rec = {"app_name": str(app_name), "replaces_id": int(replaces_id),
			"app_icon": str(app_icon), "summary": str(summary), "body": str(body),
			"actions": [str(a) for a in actions],
			"hints": {str(k): (int(v) if isinstance(v, (int, dbus.Byte)) else str(v))
				for k, v in hints.items()},
			"expire_timeout": int(expire_timeout)}
		self.out.write(json.dumps(rec) + "\n")
		self.out.flush()
		nid = self.next_id
		self.next_id += 1
		if self.slow > 0:
			GLib.timeout_add(int(self.slow * 1000), lambda: ok(dbus.UInt32(nid)) and False)
		else:
			ok(dbus.UInt32(nid))

	@dbus.service.method(IFACE, in_signature="", out_signature="as")
	def GetCapabilities(self):
		return ["body"]

	@dbus.service.method(IFACE, in_signature="", out_signature="ssss")
	def GetServerInformation(self):
		return ["pm-test-notify", "privacy-mute", "1", "1.2"]

	@dbus.service.method(IFACE, in_signature="u", out_signature="")
	def CloseNotification(self, nid):
		pass


def main():
	out = open(sys.argv[1], "a")
	slow = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--slow" else 0
	DBusGMainLoop(set_as_default=True)
	bus = dbus.SessionBus()
	server = Server(bus, out, slow)
	name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
	loop = GLib.MainLoop()
	GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
	loop.run()
	del name, server


main()
