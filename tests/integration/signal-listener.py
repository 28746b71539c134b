#!/usr/bin/python3
# privacy-mute tests: a plain client of the session bus, as any application
# could be: match rules for every signal the policy sends (by its name and
# by its object path), no eavesdropping, no monitor mode. Each signal it
# receives becomes one JSON line (sender, path, interface, member, args as
# text) in the file named first; "listening" on stdout once the rules are
# in place.
#   signal-listener.py OUT.jsonl

import json
import sys

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib


def main():
	out = open(sys.argv[1], "a")
	DBusGMainLoop(set_as_default=True)
	bus = dbus.SessionBus()

	def on_message(conn, msg):
		if msg.get_type() != 4:	# signals only
			return
		if msg.get_path() != "/org/privacymute/Policy1" and \
		   msg.get_interface() != "org.privacymute.Policy1":
			return
		out.write(json.dumps({"sender": msg.get_sender(), "path": msg.get_path(),
			"interface": msg.get_interface(), "member": msg.get_member(),
			"args": [str(a) for a in msg.get_args_list()]}) + "\n")
		out.flush()

	bus.add_message_filter(on_message)
	bus.add_match_string("type='signal',sender='org.privacymute.Policy1'")
	bus.add_match_string("type='signal',path='/org/privacymute/Policy1'")
	bus.add_match_string("type='signal',interface='org.privacymute.Policy1'")
	print("listening", flush=True)
	GLib.MainLoop().run()


if __name__ == "__main__":
	main()
