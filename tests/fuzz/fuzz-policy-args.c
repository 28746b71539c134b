/* privacy-mute fuzzing: the policy service's D-Bus argument handling */
/* SPDX-License-Identifier: MIT */

/*
 * Up to 16 messages per input (dbus-gen.h), from two senders, each handled
 * as the service does: dispatch lookup, then every argument parser, whose
 * results drive a pm_core as the handlers would (register, acknowledge,
 * report, unregister, set the mute). At the end the properties are built
 * as for GetAll, must marshal into a message libdbus accepts, and must read
 * back (pm_status_update, as the CLI does) to what the core holds. The
 * capture reports drive a capture log, which must come back the same from
 * the GetCaptureLog reply (as the CLI reads it) and from its file format.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-log.h"
#include "dbus-gen.h"
#include "log-print.h"
#include "policy-args.h"
#include "policy-core.h"
#include "status.h"

#define ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

static struct pm_capture_log capture_log;

static void handle_awareness(struct pm_core *core, DBusMessage *m,
		enum pm_lookup lookup, const struct pm_method_info *mt)
{
	const char *sender = dbus_message_get_sender(m), *why, *source;
	struct pm_capture_info info;
	dbus_uint32_t id;
	dbus_bool_t b;
	uint32_t cid;
	int res;

	why = NULL;
	res = pm_args_parse_capture_started(m, &cid, &info, &why);
	if (res < 0) {
		ASSERT(why != NULL && why[0] != '\0');
	} else {
		ASSERT(dbus_message_has_signature(m, "ua{sv}"));
		ASSERT(info.application == NULL || strlen(info.application) <= PM_CAPTURE_STRING_MAX);
		ASSERT(info.binary == NULL || strlen(info.binary) <= PM_CAPTURE_STRING_MAX);
		ASSERT(info.source == NULL || strlen(info.source) <= PM_CAPTURE_STRING_MAX);
		if (sender) {
			res = pm_capture_log_start(&capture_log, sender, cid, &info,
					(int64_t)core->generation * 1000);
			/* the parser enforces the log's limits */
			ASSERT(res == 0 || res == -EEXIST);
		}
	}
	why = NULL;
	if (pm_args_parse_speech(m, &source, &why) == 0)
		ASSERT(strlen(source) <= PM_MAX_INFO_STRING);
	else
		ASSERT(why != NULL);
	if (lookup != PM_LOOKUP_OK)
		return;
	if (mt->id == PM_METHOD_CAPTURE_STOPPED && sender &&
	    dbus_message_get_args(m, NULL, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID))
		pm_capture_log_stop(&capture_log, sender, id, (int64_t)core->generation * 1000);
	if (mt->id == PM_METHOD_SET_LOCKED &&
	    dbus_message_get_args(m, NULL, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID))
		pm_core_set_locked(core, b);
	/* a lock is a muted lock, whatever came before */
	if (core->locked)
		ASSERT(core->muted && pm_core_may_set_muted(core, false) == -EPERM);
}

static void handle(struct pm_core *core, DBusMessage *m)
{
	const char *sender = dbus_message_get_sender(m), *iface = NULL, *name = NULL, *why;
	const struct pm_method_info *mt;
	struct pm_enforcer_info info;
	struct pm_source_info *sources;
	enum pm_property_check pc;
	enum pm_lookup lookup;
	uint64_t generation;
	uint32_t n, changed, count;
	bool muted;
	int res;

	lookup = pm_args_lookup_method(m, &mt);
	ASSERT((lookup == PM_LOOKUP_OK || lookup == PM_LOOKUP_BAD_SIGNATURE) == (mt != NULL));
	if (lookup == PM_LOOKUP_OK)
		ASSERT(dbus_message_has_signature(m, mt->signature));

	handle_awareness(core, m, lookup, mt);

	if (pm_args_parse_set_muted(m, &muted))
		pm_core_set_muted(core, muted);
	if (lookup == PM_LOOKUP_OK && mt->id == PM_METHOD_TOGGLE)
		pm_core_set_muted(core, !core->muted);

	if (pm_args_parse_acknowledge(m, &generation, &muted, &count) && sender)
		pm_core_acknowledge(core, sender, generation, muted, count, &changed);

	pc = pm_args_parse_property(m, &iface, &name);
	if (pc != PM_PROPERTY_INVALID_ARGS)
		ASSERT(iface != NULL && name != NULL);
	if (pc == PM_PROPERTY_OK)
		ASSERT(pm_args_property_mask(name) != 0);
	iface = NULL;
	if (pm_args_parse_get_all(m, &iface) != PM_PROPERTY_INVALID_ARGS)
		ASSERT(iface != NULL);

	if (pm_args_name_gone(m, &name)) {
		ASSERT(name[0] == ':');
		pm_core_unregister(core, name, &changed);
		pm_capture_log_close(&capture_log, name, (int64_t)core->generation * 1000);
	}
	if (lookup == PM_LOOKUP_OK && mt->id == PM_METHOD_UNREGISTER_ENFORCER && sender)
		pm_core_unregister(core, sender, &changed);

	why = NULL;
	res = pm_args_parse_enforcer_info(m, &info, &why);
	if (res < 0) {
		ASSERT(why != NULL && why[0] != '\0');
	} else {
		ASSERT(dbus_message_has_signature(m, "a{sv}"));
		ASSERT(info.process == NULL || strlen(info.process) <= PM_MAX_INFO_STRING);
		ASSERT(info.host == NULL || strlen(info.host) <= PM_MAX_INFO_STRING);
		if (sender)
			ASSERT(pm_core_register(core, sender, &info, &changed) != -E2BIG);
	}

	why = NULL;
	res = pm_args_parse_sources(m, &sources, &n, &why);
	if (res == -EINVAL) {
		ASSERT(why != NULL && why[0] != '\0');
	} else if (res == 0) {
		ASSERT(dbus_message_has_signature(m, "a(ussb)"));
		ASSERT(n <= PM_MAX_SOURCES && (n == 0) == (sources == NULL));
		for (uint32_t i = 0; i < n; i++)
			ASSERT(strlen(sources[i].name) <= PM_MAX_INFO_STRING &&
					strlen(sources[i].media_class) <= PM_MAX_INFO_STRING);
		if (sender) {
			res = pm_core_report(core, sender, sources, n, &changed);
			/* the parser enforces the core's limits */
			ASSERT(res != -ENOSPC && res != -E2BIG);
		}
		free(sources);
	}
}

/* The properties as GetAll answers them, read back as the CLI does. */
static void check_properties(const struct pm_core *core)
{
	static const char *const names[] = { "Muted", "Enforced", "Generation",
		"Enforcers", "Unguarded", "Locked", "SpeechDetection", "NotifySpeech",
		"NotifyCapture", "FollowSourceMute" };
	struct pm_status st = { 0 };
	DBusMessageIter it;
	DBusMessage *r, *back;
	DBusError error;
	char *wire;
	int len;

	r = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	ASSERT(r != NULL && dbus_message_set_reply_serial(r, 1));
	dbus_message_set_serial(r, 2);
	dbus_message_iter_init_append(r, &it);
	ASSERT(pm_args_append_properties(&it, core, ~0u));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ASSERT(pm_args_append_property(&it, core, names[i]) == 0);
	ASSERT(pm_args_append_property(&it, core, "Nope") == -ENOENT);

	/* what we built passes libdbus's own validation of received data */
	ASSERT(dbus_message_marshal(r, &wire, &len));
	dbus_error_init(&error);
	back = dbus_message_demarshal(wire, len, &error);
	if (back == NULL) {
		fprintf(stderr, "libdbus refuses the GetAll reply: %s\n", error.message);
		abort();
	}
	dbus_free(wire);

	ASSERT(dbus_message_iter_init(back, &it));
	ASSERT(pm_status_update(&st, &it) == 0);
	ASSERT(st.muted == core->muted && st.enforced == core->enforced &&
			st.generation == core->generation && st.locked == core->locked);
	ASSERT(st.n_enforcers == core->n_enforcers && st.n_unguarded == core->n_unguarded);
	for (uint32_t i = 0; i < st.n_enforcers; i++)
		ASSERT(strcmp(st.enforcers[i].name, core->enforcers[i].name) == 0 &&
				st.enforcers[i].acknowledged ==
				pm_core_is_current(core, &core->enforcers[i]));
	for (uint32_t i = 0; i < st.n_unguarded; i++) {
		ASSERT(strcmp(st.unguarded[i].name, core->unguarded[i].name) == 0);
		/* sorted by id */
		if (i > 0)
			ASSERT(st.unguarded[i - 1].id <= st.unguarded[i].id);
	}
	pm_status_clear(&st);
	dbus_message_unref(back);
	dbus_message_unref(r);
}

static bool entries_equal(const struct pm_capture_log *a, const struct pm_capture_log *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++) {
		const struct pm_capture_entry *x = &a->entries[i], *y = &b->entries[i];

		if (strcmp(x->application, y->application) || strcmp(x->binary, y->binary) ||
		    strcmp(x->source, y->source) || x->pid != y->pid ||
		    x->start_us != y->start_us || x->stop_us != y->stop_us)
			return false;
	}
	return true;
}

/* GetCaptureLog's reply as the CLI reads it, and the file, give it back */
static void check_capture_log(void)
{
	struct pm_capture_log back = { 0 };
	DBusMessageIter it;
	DBusMessage *r, *again;
	DBusError error;
	const char *why;
	char *wire, *text;
	size_t len;
	int wire_len;

	ASSERT(capture_log.n <= PM_CAPTURE_LOG_MAX);
	r = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	ASSERT(r != NULL && dbus_message_set_reply_serial(r, 1));
	dbus_message_set_serial(r, 2);
	dbus_message_iter_init_append(r, &it);
	ASSERT(pm_args_append_capture_log(&it, &capture_log));
	ASSERT(dbus_message_marshal(r, &wire, &wire_len));
	dbus_error_init(&error);
	again = dbus_message_demarshal(wire, wire_len, &error);
	ASSERT(again != NULL);
	dbus_free(wire);
	ASSERT(dbus_message_iter_init(again, &it));
	ASSERT(pm_status_parse_capture_log(&it, &back) == 0);
	ASSERT(entries_equal(&capture_log, &back));
	dbus_message_unref(again);
	dbus_message_unref(r);

	ASSERT(pm_capture_log_format(&capture_log, &text, &len) == 0);
	why = NULL;
	if (pm_capture_log_parse(text, len, &back, &why) != 0) {
		fprintf(stderr, "the capture log's own file is refused: %s\n%s", why, text);
		abort();
	}
	ASSERT(entries_equal(&capture_log, &back));
	free(text);
	pm_capture_log_clear(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen g = { .data = data, .size = size, .budget = 4096 };
	struct pm_core core;
	DBusMessage *m;
	int end;

	/* libdbus aborts on its own check failures: a generator bug, or ours */
	pm_core_init(&core, size > 0 && (data[0] & 1), 1);
	for (int i = 0; i < 16; i++) {
		m = gen_message(&g, &end);
		if (m != NULL) {
			handle(&core, m);
			dbus_message_unref(m);
		}
		if (end)
			break;
	}
	check_properties(&core);
	check_capture_log();
	pm_capture_log_clear(&capture_log);
	pm_core_clear(&core);
	return 0;
}
