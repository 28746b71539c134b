# privacy-mute tests: a minimal D-Bus client speaking the wire protocol
# itself (Python's standard library only). Unlike dbus-send and gdbus it
# keeps one connection for many calls (so it can register as an enforcer
# and then report), can send any signature, send without waiting, and
# vanish while a reply is due.

import os
import socket
import struct
import time

CALL, RETURN, ERROR, SIGNAL = 1, 2, 3, 4
NO_REPLY_EXPECTED = 0x1

_ALIGN = {"y": 1, "b": 4, "n": 2, "q": 2, "i": 4, "u": 4, "x": 8, "t": 8, "d": 8,
	"h": 4, "s": 4, "o": 4, "g": 1, "a": 4, "(": 8, "{": 8, "v": 1}
_FIXED = {"y": "B", "b": "I", "n": "h", "q": "H", "i": "i", "u": "I", "x": "q",
	"t": "Q", "d": "d", "h": "I"}


def split_signature(sig):
	"""the complete types of a signature, e.g. 'a{sv}u' -> ['a{sv}', 'u']"""
	out, i = [], 0
	while i < len(sig):
		j = _end_of_type(sig, i)
		out.append(sig[i:j])
		i = j
	return out


def _end_of_type(sig, i):
	c = sig[i]
	if c == "a":
		return _end_of_type(sig, i + 1)
	if c in "({":
		close = ")" if c == "(" else "}"
		i += 1
		while sig[i] != close:
			i = _end_of_type(sig, i)
		return i + 1
	return i + 1


class _Writer:
	def __init__(self):
		self.buf = bytearray()

	def align(self, n):
		self.buf += b"\0" * (-len(self.buf) % n)

	def write(self, t, v):
		c = t[0]
		self.align(_ALIGN[c])
		if c in _FIXED:
			self.buf += struct.pack("<" + _FIXED[c], int(v) if c != "d" else v)
		elif c in "so":
			b = v.encode() if isinstance(v, str) else v
			self.buf += struct.pack("<I", len(b)) + b + b"\0"
		elif c == "g":
			b = v.encode()
			self.buf += struct.pack("<B", len(b)) + b + b"\0"
		elif c == "v":
			sig, val = v
			self.write("g", sig)
			self.write(sig, val)
		elif c == "(":
			for et, ev in zip(split_signature(t[1:-1]), v):
				self.write(et, ev)
		elif c == "a":
			et = t[1:]
			at = len(self.buf)
			self.buf += b"\0\0\0\0"
			self.align(_ALIGN[et[0]])
			start = len(self.buf)
			if et[0] == "{":
				kt, vt = split_signature(et[1:-1])
				items = v.items() if isinstance(v, dict) else v
				for k, x in items:
					self.align(8)
					self.write(kt, k)
					self.write(vt, x)
			else:
				for x in v:
					self.write(et, x)
			struct.pack_into("<I", self.buf, at, len(self.buf) - start)
		else:
			raise ValueError("cannot marshal type " + t)


class _Reader:
	def __init__(self, buf, pos=0):
		self.buf, self.pos = buf, pos

	def align(self, n):
		self.pos += -self.pos % n

	def read(self, t):
		c = t[0]
		self.align(_ALIGN[c])
		if c in _FIXED:
			f = "<" + _FIXED[c]
			v = struct.unpack_from(f, self.buf, self.pos)[0]
			self.pos += struct.calcsize(f)
			return bool(v) if c == "b" else v
		if c in "so":
			n = struct.unpack_from("<I", self.buf, self.pos)[0]
			v = bytes(self.buf[self.pos + 4:self.pos + 4 + n]).decode(errors="replace")
			self.pos += 5 + n
			return v
		if c == "g":
			n = self.buf[self.pos]
			v = bytes(self.buf[self.pos + 1:self.pos + 1 + n]).decode()
			self.pos += 2 + n
			return v
		if c == "v":
			sig = self.read("g")
			return (sig, self.read(sig))
		if c == "(":
			return tuple(self.read(et) for et in split_signature(t[1:-1]))
		if c == "a":
			n = struct.unpack_from("<I", self.buf, self.pos)[0]
			self.pos += 4
			et = t[1:]
			self.align(_ALIGN[et[0]])
			end = self.pos + n
			out = []
			while self.pos < end:
				if et[0] == "{":
					self.align(8)
					kt, vt = split_signature(et[1:-1])
					out.append((self.read(kt), self.read(vt)))
				else:
					out.append(self.read(et))
			return dict(out) if et[0] == "{" else out
		raise ValueError("cannot read type " + t)


class Message:
	def __init__(self, mtype, serial, fields, body, flags=0):
		self.type, self.serial, self.fields, self.body, self.flags = mtype, serial, fields, body, flags

	@property
	def error_name(self):
		return self.fields.get(4)

	@property
	def reply_serial(self):
		return self.fields.get(5)

	@property
	def signature(self):
		return self.fields.get(8, "")

	def __repr__(self):
		kind = {CALL: "call", RETURN: "return", ERROR: "error", SIGNAL: "signal"}.get(self.type)
		return "<%s %s %r>" % (kind, self.error_name or "", self.body)


class Connection:
	def __init__(self, address=None):
		address = address or os.environ["DBUS_SESSION_BUS_ADDRESS"]
		path = None
		for part in address.split(";")[0].split(":", 1)[1].split(","):
			if part.startswith("path="):
				path = part[5:]
		self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		self.sock.connect(path)
		self.sock.sendall(b"\0AUTH EXTERNAL " + str(os.getuid()).encode().hex().encode() + b"\r\n")
		line = self._readline()
		if not line.startswith(b"OK"):
			raise IOError("D-Bus authentication refused: %r" % line)
		self.sock.sendall(b"BEGIN\r\n")
		self.serial = 0
		self.inbox = []
		self.rbuf = bytearray()
		self.unique_name = self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
				"org.freedesktop.DBus", "Hello").body[0]

	def _readline(self):
		line = b""
		while not line.endswith(b"\r\n"):
			c = self.sock.recv(1)
			if not c:
				raise IOError("the bus closed the connection")
			line += c
		return line

	def send(self, dest, path, iface, member, sig="", args=(), flags=0):
		"""send a method call, return its serial"""
		self.serial += 1
		body = _Writer()
		for t, v in zip(split_signature(sig), args):
			body.write(t, v)
		fields = [(1, ("o", path)), (3, ("s", member))]
		if iface:
			fields.append((2, ("s", iface)))
		if dest:
			fields.append((6, ("s", dest)))
		if sig:
			fields.append((8, ("g", sig)))
		head = _Writer()
		head.buf += struct.pack("<cBBBII", b"l", CALL, flags, 1, len(body.buf), self.serial)
		head.write("a(yv)", fields)
		head.align(8)
		self.sock.sendall(bytes(head.buf) + bytes(body.buf))
		return self.serial

	def _recv_message(self, timeout):
		deadline = time.monotonic() + timeout
		while True:
			if len(self.rbuf) >= 16:
				body_len, _, fields_len = struct.unpack_from("<III", self.rbuf, 4)
				head_len = 16 + fields_len + (-(16 + fields_len) % 8)
				total = head_len + body_len
				if len(self.rbuf) >= total:
					data = bytes(self.rbuf[:total])
					del self.rbuf[:total]
					return self._parse(data, head_len)
			left = deadline - time.monotonic()
			if left <= 0:
				return None
			self.sock.settimeout(left)
			try:
				chunk = self.sock.recv(65536)
			except socket.timeout:
				return None
			if not chunk:
				raise IOError("the bus closed the connection")
			self.rbuf += chunk

	@staticmethod
	def _parse(data, head_len):
		if data[0:1] != b"l":
			raise IOError("big endian messages are not supported here")
		mtype, flags = data[1], data[2]
		serial = struct.unpack_from("<I", data, 8)[0]
		r = _Reader(data, 12)
		fields = {code: val for code, (_, val) in r.read("a(yv)")}
		body = []
		r = _Reader(data[head_len:])
		for t in split_signature(fields.get(8, "")):
			body.append(r.read(t))
		return Message(mtype, serial, fields, body, flags)

	def wait_reply(self, serial, timeout=10):
		for i, m in enumerate(self.inbox):
			if m.reply_serial == serial:
				return self.inbox.pop(i)
		deadline = time.monotonic() + timeout
		while True:
			m = self._recv_message(max(0, deadline - time.monotonic()))
			if m is None:
				return None
			if m.type in (RETURN, ERROR) and m.reply_serial == serial:
				return m
			self.inbox.append(m)

	def call(self, dest, path, iface, member, sig="", args=(), timeout=10, flags=0):
		return self.wait_reply(self.send(dest, path, iface, member, sig, args, flags), timeout)

	def close(self):
		self.sock.close()
