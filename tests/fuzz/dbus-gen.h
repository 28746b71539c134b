/* privacy-mute fuzzing: D-Bus messages made from fuzzer bytes */
/* SPDX-License-Identifier: MIT */

/*
 * libdbus validates every message before a handler sees it and aborts on
 * misuse of its append API, so random bytes alone mostly test libdbus.
 * This builds valid messages of any shape instead, from a small format
 * that seeds can be written in by hand:
 *
 *   message := header-byte signature '\0' value-bytes...
 *
 * header-byte: bits 0-4 pick the interface and member (table below), bit 5
 * the sender; 0xff instead means "the rest of the input is a marshalled
 * message" (dbus_message_demarshal; mostly refused by libdbus's checks,
 * which is what a caller on the bus meets too). An invalid signature, or
 * one with a unix fd, is replaced by "". Values are read from the bytes
 * that follow as the signature needs them; missing bytes read as 0.
 */

#ifndef PM_FUZZ_DBUS_GEN_H
#define PM_FUZZ_DBUS_GEN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

struct gen {
	const uint8_t *data;
	size_t size, pos;
	uint32_t budget;	/* values left, so nested arrays stay small */
	int depth;
};

static uint8_t gen_byte(struct gen *g)
{
	return g->pos < g->size ? g->data[g->pos++] : 0;
}

static uint64_t gen_bytes(struct gen *g, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)gen_byte(g) << (8 * i);
	return v;
}

static const char *const gen_words[] = {
	"", "process", "host", "pid", "sources", "Muted", "Enforced", "Generation",
	"Enforcers", "Unguarded", "org.privacymute.Policy1",
	"org.freedesktop.DBus.Properties", "org.freedesktop.DBus.Introspectable",
	"org.freedesktop.DBus.Peer", ":1.1", ":1.2",
};
#define GEN_N_WORDS	(sizeof(gen_words) / sizeof(gen_words[0]))

/* A valid UTF-8 string: a word, or bytes as ASCII (any non-NUL,
 * control characters included) and 0x80.. as a two-byte character;
 * 0xef: a long one, to reach the 256-byte limits. */
static char *gen_string(struct gen *g)
{
	uint8_t len = gen_byte(g);
	size_t n, o = 0;
	char *s;

	if (len >= 0xf0)
		return strdup(gen_words[(len - 0xf0) % GEN_N_WORDS]);
	n = len == 0xef ? 250 + gen_byte(g) % 16 : len;
	if ((s = malloc(2 * n + 1)) == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		/* past the end of the input: a plain letter */
		uint8_t c = g->pos < g->size ? gen_byte(g) : 'a';

		if (c == 0)
			s[o++] = 'x';
		else if (c < 0x80)
			s[o++] = c;
		else {
			s[o++] = (char)0xc3;	/* U+00C0..U+00FF */
			s[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	s[o] = '\0';
	return s;
}

static const char *const gen_variant_sigs[] = {
	"s", "u", "b", "t", "i", "as", "a{sv}", "(ussb)", "a(ussb)", "a(sssuub)",
	"a(uss)", "o", "v", "y", "d", "x", "g", "(sssuub)", "a{ss}", "ay",
};
#define GEN_N_VARIANT_SIGS	(sizeof(gen_variant_sigs) / sizeof(gen_variant_sigs[0]))

static void gen_value(struct gen *g, DBusMessageIter *it, DBusSignatureIter *sig);

static void gen_container(struct gen *g, DBusMessageIter *it, int type,
		const char *contained, DBusSignatureIter *inner, uint32_t count)
{
	DBusMessageIter sub;

	if (!dbus_message_iter_open_container(it, type, contained, &sub))
		abort();
	g->depth++;
	for (uint32_t i = 0; i < count; i++) {
		DBusSignatureIter s = *inner;

		if (type == DBUS_TYPE_ARRAY) {
			gen_value(g, &sub, &s);
			continue;
		}
		/* struct and dict entry: each field in turn */
		do {
			gen_value(g, &sub, &s);
		} while (dbus_signature_iter_next(&s));
	}
	g->depth--;
	if (!dbus_message_iter_close_container(it, &sub))
		abort();
}

static void gen_value(struct gen *g, DBusMessageIter *it, DBusSignatureIter *sig)
{
	int type = dbus_signature_iter_get_current_type(sig);
	DBusSignatureIter inner;
	union { uint8_t y; dbus_bool_t b; uint16_t q; uint32_t u; uint64_t t; double d; } v;
	const char *str;
	char *s, *contained;
	uint32_t count;

	if (g->budget > 0)
		g->budget--;
	switch (type) {
	case DBUS_TYPE_BYTE:
		v.y = gen_byte(g);
		break;
	case DBUS_TYPE_BOOLEAN:
		v.b = gen_byte(g) & 1;
		break;
	case DBUS_TYPE_INT16:
	case DBUS_TYPE_UINT16:
		v.q = gen_bytes(g, 2);
		break;
	case DBUS_TYPE_INT32:
	case DBUS_TYPE_UINT32:
		v.u = gen_bytes(g, 4);
		break;
	case DBUS_TYPE_INT64:
	case DBUS_TYPE_UINT64:
		v.t = gen_bytes(g, 8);
		break;
	case DBUS_TYPE_DOUBLE:
		v.t = gen_bytes(g, 8);
		memcpy(&v.d, &v.t, sizeof(v.d));
		break;
	case DBUS_TYPE_STRING:
		s = gen_string(g);
		if (!dbus_message_iter_append_basic(it, type, &s))
			abort();
		free(s);
		return;
	case DBUS_TYPE_OBJECT_PATH:
		str = gen_byte(g) & 1 ? "/" : "/org/privacymute/Policy1";
		if (!dbus_message_iter_append_basic(it, type, &str))
			abort();
		return;
	case DBUS_TYPE_SIGNATURE:
		str = gen_variant_sigs[gen_byte(g) % GEN_N_VARIANT_SIGS];
		if (!dbus_message_iter_append_basic(it, type, &str))
			abort();
		return;
	case DBUS_TYPE_ARRAY:
		/* 0xf8..0xff: around the 1024-entry limit of ReportSources */
		count = gen_byte(g);
		if (count >= 0xf8)
			count = 1020 + (count - 0xf8);
		if (count > g->budget || g->pos >= g->size)
			count = g->pos >= g->size ? 0 : g->budget;
		dbus_signature_iter_recurse(sig, &inner);
		contained = dbus_signature_iter_get_signature(&inner);
		gen_container(g, it, type, contained, &inner, count);
		dbus_free(contained);
		return;
	case DBUS_TYPE_STRUCT:
	case DBUS_TYPE_DICT_ENTRY:
		dbus_signature_iter_recurse(sig, &inner);
		gen_container(g, it, type, NULL, &inner, 1);
		return;
	case DBUS_TYPE_VARIANT: {
		DBusSignatureIter vs;
		/* libdbus allows 32 levels of nesting of each kind */
		const char *vsig = g->depth > 12 ? "s" :
			gen_variant_sigs[gen_byte(g) % GEN_N_VARIANT_SIGS];

		dbus_signature_iter_init(&vs, vsig);
		{
			DBusMessageIter sub;

			if (!dbus_message_iter_open_container(it, type, vsig, &sub))
				abort();
			g->depth++;
			gen_value(g, &sub, &vs);
			g->depth--;
			if (!dbus_message_iter_close_container(it, &sub))
				abort();
		}
		return;
	}
	default:
		abort();
	}
	if (!dbus_message_iter_append_basic(it, type, &v))
		abort();
}

static const struct {
	int type;
	const char *iface;
	const char *member;
} gen_calls[] = {
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "SetMuted" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "Toggle" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "RegisterEnforcer" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "Acknowledge" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "UnregisterEnforcer" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "ReportSources" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.freedesktop.DBus.Properties", "Get" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.freedesktop.DBus.Properties", "GetAll" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.freedesktop.DBus.Properties", "Set" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.freedesktop.DBus.Introspectable", "Introspect" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.freedesktop.DBus.Peer", "Ping" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, NULL, "RegisterEnforcer" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, NULL, "ReportSources" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, NULL, "Get" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, NULL, "Nope" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.example.Other", "SetMuted" },
	{ DBUS_MESSAGE_TYPE_SIGNAL, "org.freedesktop.DBus", "NameOwnerChanged" },
	{ DBUS_MESSAGE_TYPE_SIGNAL, "org.freedesktop.DBus.Properties", "PropertiesChanged" },
	{ DBUS_MESSAGE_TYPE_METHOD_RETURN, NULL, NULL },
	/* appended, so that the seeds written before keep their meaning */
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "SourceMuteChanged" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "SpeechWhileMuted" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "CaptureStarted" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "CaptureStopped" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "GetCaptureLog" },
	{ DBUS_MESSAGE_TYPE_METHOD_CALL, "org.privacymute.Policy1", "SetLocked" },
};
#define GEN_N_CALLS	(sizeof(gen_calls) / sizeof(gen_calls[0]))

/* Containers in a signature: a bound on its nesting, far below the 32
 * levels a message may have, variants inside included. */
static int gen_containers(const char *sig)
{
	int n = 0;

	for (; *sig; sig++)
		n += *sig == 'a' || *sig == '(' || *sig == '{';
	return n;
}

/* The next message of the input, NULL when there is none (or libdbus
 * refused a marshalled one: then *end is set if the input is used up). */
static DBusMessage *gen_message(struct gen *g, int *end)
{
	const char *sig, *senders[] = { ":1.1", ":1.2" };
	DBusSignatureIter si;
	DBusMessageIter it;
	DBusMessage *m;
	uint8_t h;
	size_t n;

	*end = g->pos >= g->size;
	if (*end)
		return NULL;
	h = gen_byte(g);
	if (h == 0xff) {
		m = dbus_message_demarshal((const char *)g->data + g->pos, g->size - g->pos, NULL);
		g->pos = g->size;
		*end = 1;
		return m;
	}
	sig = (const char *)g->data + g->pos;
	n = strnlen(sig, g->size - g->pos);
	g->pos += n + (g->pos + n < g->size);
	{
		char buf[256];

		if (n >= sizeof(buf))
			n = 0;
		memcpy(buf, sig, n);
		buf[n] = '\0';
		if (!dbus_signature_validate(buf, NULL) || strchr(buf, DBUS_TYPE_UNIX_FD) ||
		    gen_containers(buf) > 8)
			buf[0] = '\0';

		h &= 0x3f;
		if (gen_calls[(h & 0x1f) % GEN_N_CALLS].type == DBUS_MESSAGE_TYPE_METHOD_CALL)
			m = dbus_message_new_method_call("org.privacymute.Policy1",
					"/org/privacymute/Policy1",
					gen_calls[(h & 0x1f) % GEN_N_CALLS].iface,
					gen_calls[(h & 0x1f) % GEN_N_CALLS].member);
		else if (gen_calls[(h & 0x1f) % GEN_N_CALLS].type == DBUS_MESSAGE_TYPE_SIGNAL)
			m = dbus_message_new_signal("/org/freedesktop/DBus",
					gen_calls[(h & 0x1f) % GEN_N_CALLS].iface,
					gen_calls[(h & 0x1f) % GEN_N_CALLS].member);
		else
			m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
		if (m == NULL || !dbus_message_set_sender(m, senders[(h >> 5) & 1]))
			abort();
		if (buf[0] == '\0')
			return m;
		dbus_message_iter_init_append(m, &it);
		dbus_signature_iter_init(&si, buf);
		do {
			gen_value(g, &it, &si);
		} while (dbus_signature_iter_next(&si));
	}
	return m;
}

#endif /* PM_FUZZ_DBUS_GEN_H */
