#!/usr/bin/env python3
# Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/).
# The D-Bus seeds are in the format of dbus-gen.h; the files are in git,
# this only says how they were made.
import os
import struct
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# dbus-gen.h: the index of each call in gen_calls[], and of the words
CALL = {"SetMuted": 0, "Toggle": 1, "RegisterEnforcer": 2, "Acknowledge": 3,
        "UnregisterEnforcer": 4, "ReportSources": 5, "Get": 6, "GetAll": 7,
        "Set": 8, "Introspect": 9, "NameOwnerChanged": 16,
        "PropertiesChanged": 17, "Return": 18, "SourceMuteChanged": 19,
        "SpeechWhileMuted": 20, "CaptureStarted": 21, "CaptureStopped": 22,
        "GetCaptureLog": 23, "SetLocked": 24}
WORDS = ["", "process", "host", "pid", "sources", "Muted", "Enforced",
         "Generation", "Enforcers", "Unguarded", "org.privacymute.Policy1",
         "org.freedesktop.DBus.Properties"]
VSIG = ["s", "u", "b", "t", "i", "as", "a{sv}", "(ussb)", "a(ussb)", "a(sssuub)",
        "a(uss)"]


def msg(call, sig, body=b"", sender=0):
    return bytes([CALL[call] | (sender << 5)]) + sig.encode() + b"\0" + body


def s(text):
    if text in WORDS:
        return bytes([0xf0 + WORDS.index(text)])
    b = text.encode()
    assert len(b) < 0xef
    return bytes([len(b)]) + b


def u(v):
    return struct.pack("<I", v)


def t(v):
    return struct.pack("<Q", v)


def b(v):
    return bytes([1 if v else 0])


def var(sig, body):
    return bytes([VSIG.index(sig)]) + body


def register(process, pid, sources, host="box"):
    return msg("RegisterEnforcer", "a{sv}", bytes([4]) +
               s("process") + var("s", s(process)) + s("host") + var("s", s(host)) +
               s("pid") + var("u", u(pid)) + s("sources") + var("u", u(sources)))


def report(entries, sender=0):
    body = bytes([len(entries)])
    for (i, name, cls, guarded) in entries:
        body += u(i) + s(name) + s(cls) + b(guarded)
    return msg("ReportSources", "a(ussb)", body, sender)


def props(entries):
    # a{sv} with Muted, Enforced, Generation, Enforcers, Unguarded
    body = bytes([len(entries)])
    for key, sig, val in entries:
        body += s(key) + var(sig, val)
    return body


seeds = {
    "policy-args": {
        "register-report-ack": register("pipewire", 1234, 3) +
            report([(40, "alsamic", "Audio/Source", True), (47, "app.mic", "Audio/Source/Virtual", False)]) +
            msg("Acknowledge", "tbu", t(1) + b(True) + u(3)) +
            msg("SetMuted", "b", b(True)) + msg("Acknowledge", "tbu", t(2) + b(True) + u(3)),
        "two-enforcers": register("pipewire", 10, 2) +
            msg("RegisterEnforcer", "a{sv}", bytes([1]) + s("process") + var("s", s("wireplumber")), 1) +
            report([(50, "bt.mic", "Audio/Source", False)]) +
            report([(0, "bt.mic", "Audio/Source", True)], 1) +
            msg("UnregisterEnforcer", "", sender=1) + msg("Toggle", ""),
        "properties": msg("Get", "ss", s("org.privacymute.Policy1") + s("Enforcers")) +
            msg("GetAll", "s", s("")) + msg("Set", "ssv", s("") + s("Muted") + var("b", b(False))),
        "name-gone": register("pulse", 99, 1) +
            msg("NameOwnerChanged", "sss", s(":1.1") + s(":1.1") + s("")),
        "long-strings": msg("RegisterEnforcer", "a{sv}", bytes([1]) + s("host") + var("s", bytes([0xef, 7]) + b"h" * 257)),
        "capture-log": register("pipewire", 1234, 3) + msg("SetMuted", "b", b(True)) +
            msg("CaptureStarted", "ua{sv}", u(7) + bytes([4]) + s("application") + var("s", s("Zoom")) +
                s("binary") + var("s", s("zoom")) + s("pid") + var("u", u(4242)) +
                s("source") + var("s", s("alsamic"))) +
            msg("CaptureStarted", "ua{sv}", u(8) + bytes([1]) + s("application") + var("s", bytes([0xef, 7]) + b"a" * 257)) +
            msg("SpeechWhileMuted", "s", s("alsamic")) + msg("CaptureStopped", "u", u(7)) +
            msg("CaptureStarted", "ua{sv}", u(9) + bytes([0])) + msg("GetCaptureLog", "") +
            msg("NameOwnerChanged", "sss", s(":1.1") + s(":1.1") + s("")),
        "lock": msg("SetLocked", "b", b(True)) + msg("SetMuted", "b", b(False)) + msg("Toggle", "") +
            msg("SetLocked", "b", b(False)) + msg("SetMuted", "b", b(False)),
        "many-sources": register("pipewire", 1, 1) +
            msg("ReportSources", "a(ussb)", bytes([0xfd]) + (u(1) + s("m") + s("Audio/Source") + b(False)) * 2),
    },
    "status": {
        "getall": msg("Return", "a{sv}", props([
            ("Muted", "b", b(True)), ("Enforced", "b", b(True)), ("Generation", "t", t(7)),
            ("Enforcers", "a(sssuub)", bytes([1]) + s(":1.4") + s("pipewire") + s("desk") + u(1234) + u(3) + b(True)),
            ("Unguarded", "a(uss)", bytes([1]) + u(47) + s("app.virtual-mic") + s("Audio/Source/Virtual"))])),
        "changed": msg("PropertiesChanged", "sa{sv}as", s("org.privacymute.Policy1") + props([
            ("Muted", "b", b(False)), ("Generation", "t", t(8))]) + bytes([0])),
        "wrong-types": msg("Return", "a{sv}", props([("Muted", "s", s("yes")), ("Enforcers", "a(uss)", bytes([0]))])),
        "control-chars": msg("Return", "a{sv}", props([
            ("Enforcers", "a(sssuub)", bytes([1]) + s(":1.4") + s("a\"b\\c\x01\n") + s("h\x7f") + u(1) + u(1) + b(False))])),
    },
    "capture-log": {
        "two-entries": open(os.path.join(root, "capture-log", "two-entries"), "rb").read()
            if os.path.exists(os.path.join(root, "capture-log", "two-entries")) else b"",
        "empty": b'{ "entries": [] }',
        "future-keys": b'{ "new": [1, {"x": 2}], "entries": [ { "start": 5, "later": {} } ] }',
        "stops-early": b'{ "entries": [ { "start": 5, "stop": 4 } ] }',
        "relaxed": b'entries = [ { start = 5 application = bare } ]',
    },
    "state": {
        "muted": b'{ "muted": true, "generation": 12 }\n',
        "unmuted": b'{ "muted": false, "generation": 1 }\n',
        "future-keys": b'{ "muted": false, "generation": 18446744073709551615, "note": { "a": [1, 2] } }',
        "no-muted": b'{ "generation": 3 }',
        "relaxed": b'muted = true generation = 4',
        "trailing": b'{ "muted": true } {}',
        "locked": b'{ "muted": true, "generation": 5, "locked": true }\n',
    },
    "options": {
        "defaults": b"",
        "all": b'policy.bus = session initial.state = unmuted monitor.sinks = true exempt.nodes = [ "loop*" "trusted.mic" ]',
        "braces": b'{ "policy.bus": "system", "initial.state": "muted" }',
        "bad": b'exempt.nodes = [ [ "x" ] ] initial.state = maybe',
        "unknown": b'policy.buss = session',
    },
}

for target, files in seeds.items():
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
print("wrote", sum(len(f) for f in seeds.values()), "seeds under", root, file=sys.stderr)
