#!/usr/bin/python3
# privacy-mute tests: an impostor of the policy service. Asks the session
# bus for org.privacymute.Policy1 with REPLACE_EXISTING (what took the name
# from a policy that allowed replacement), prints the bus's answer
# ("primary-owner", "exists", ...) on the first line, and exits 1 unless it
# got the name. If it did, it says "unmuted, enforced" to anyone who asks:
# enough of RegisterEnforcer, Acknowledge, ReportSources, the enforcer
# events, Get/GetAll and PropertiesChanged to fool an enforcer or a CLI
# that believe whoever holds the name.
#   impostor-policy.py [--generation N]

import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.privacymute.Policy1"
PATH = "/org/privacymute/Policy1"
IFACE = NAME
PROPS = "org.freedesktop.DBus.Properties"


class Impostor(dbus.service.Object):
	def __init__(self, bus, generation):
		super().__init__(bus, PATH)
		self.generation = generation

	def props(self):
		return dbus.Dictionary({
			"Muted": dbus.Boolean(False),
			"Enforced": dbus.Boolean(True),
			"Generation": dbus.UInt64(self.generation),
			"Enforcers": dbus.Array([], signature="(sssuub)"),
			"Unguarded": dbus.Array([], signature="(uss)"),
			"FollowSourceMute": dbus.Boolean(False),
			"Locked": dbus.Boolean(False),
			"SpeechDetection": dbus.Boolean(True),
			"NotifySpeech": dbus.Boolean(True),
			"NotifyCapture": dbus.Boolean(True),
		}, signature="sv")

	@dbus.service.method(IFACE, in_signature="a{sv}", out_signature="bt")
	def RegisterEnforcer(self, info):
		print("RegisterEnforcer from pid %s" % info.get("pid", "?"), flush=True)
		return (False, dbus.UInt64(self.generation))

	@dbus.service.method(IFACE, in_signature="tbu", out_signature="")
	def Acknowledge(self, generation, muted, sources):
		print("Acknowledge %d muted:%s" % (generation, bool(muted)), flush=True)

	@dbus.service.method(IFACE, in_signature="a(ussbb)", out_signature="")
	def ReportSources(self, sources):
		pass

	@dbus.service.method(IFACE, in_signature="s", out_signature="")
	def SpeechWhileMuted(self, source):
		print("SpeechWhileMuted %s" % source, flush=True)

	@dbus.service.method(IFACE, in_signature="ua{sv}", out_signature="")
	def CaptureStarted(self, i, info):
		print("CaptureStarted %d" % i, flush=True)

	@dbus.service.method(IFACE, in_signature="u", out_signature="")
	def CaptureStopped(self, i):
		pass

	@dbus.service.method(IFACE, in_signature="sb", out_signature="")
	def SourceMuteChanged(self, source, muted):
		pass

	@dbus.service.method(IFACE, in_signature="", out_signature="")
	def UnregisterEnforcer(self):
		pass

	@dbus.service.method(IFACE, in_signature="b", out_signature="b")
	def SetMuted(self, muted):
		print("SetMuted %s" % bool(muted), flush=True)
		return True

	@dbus.service.method(IFACE, in_signature="", out_signature="bb")
	def Toggle(self):
		return (False, True)

	@dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
	def GetAll(self, iface):
		return self.props()

	@dbus.service.method(PROPS, in_signature="ss", out_signature="v")
	def Get(self, iface, name):
		return self.props()[name]

	@dbus.service.signal(PROPS, signature="sa{sv}as")
	def PropertiesChanged(self, iface, changed, invalidated):
		pass

	def announce(self):
		self.PropertiesChanged(IFACE, self.props(), dbus.Array([], signature="s"))
		return True


def main():
	generation = 1000000
	if len(sys.argv) == 3 and sys.argv[1] == "--generation":
		generation = int(sys.argv[2])
	DBusGMainLoop(set_as_default=True)
	bus = dbus.SessionBus()
	res = bus.request_name(NAME, dbus.bus.NAME_FLAG_REPLACE_EXISTING |
			dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
	answer = {
		dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER: "primary-owner",
		dbus.bus.REQUEST_NAME_REPLY_IN_QUEUE: "in-queue",
		dbus.bus.REQUEST_NAME_REPLY_EXISTS: "exists",
		dbus.bus.REQUEST_NAME_REPLY_ALREADY_OWNER: "already-owner",
	}.get(res, str(res))
	print(answer, flush=True)
	if res != dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER:
		return 1
	imp = Impostor(bus, generation)
	# a new "unmuted" every second, for whoever listens
	GLib.timeout_add(1000, imp.announce)
	GLib.MainLoop().run()
	return 0


if __name__ == "__main__":
	sys.exit(main())
