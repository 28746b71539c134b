/* privacy-mute unit test: D-Bus arguments of the policy, and status output */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dbus/dbus.h>

#include "log-print.h"
#include "owner-check.h"
#include "policy-args.h"
#include "policy-core.h"
#include "status.h"

#include "check.h"

static DBusMessage *new_call(void)
{
	return dbus_message_new_method_call("org.privacymute.Policy1",
			"/org/privacymute/Policy1", "org.privacymute.Policy1", "RegisterEnforcer");
}

/* Append { key: variant of type sig } to an open a{sv}. */
static void add_entry(DBusMessageIter *dict, const char *key, int type, const void *value)
{
	DBusMessageIter entry, var;
	char sig[2] = { (char)type, '\0' };

	dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry);
	dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key);
	dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, sig, &var);
	dbus_message_iter_append_basic(&var, type, value);
	dbus_message_iter_close_container(&entry, &var);
	dbus_message_iter_close_container(dict, &entry);
}

static void test_enforcer_info(void)
{
	const char *process = "pipewire", *host = "box", *other = "x";
	dbus_uint32_t pid = 1234, sources = 3;
	struct pm_enforcer_info info;
	DBusMessageIter it, dict;
	DBusMessage *m;
	const char *why = NULL;

	m = new_call();
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, "process", DBUS_TYPE_STRING, &process);
	add_entry(&dict, "future", DBUS_TYPE_STRING, &other);	/* ignored */
	add_entry(&dict, "host", DBUS_TYPE_STRING, &host);
	add_entry(&dict, "pid", DBUS_TYPE_UINT32, &pid);
	add_entry(&dict, "sources", DBUS_TYPE_UINT32, &sources);
	dbus_message_iter_close_container(&it, &dict);
	CHECK(pm_args_parse_enforcer_info(m, &info, &why) == 0);
	CHECK(info.process && strcmp(info.process, "pipewire") == 0);
	CHECK(info.host && strcmp(info.host, "box") == 0);
	CHECK(info.pid == 1234 && info.sources == 3);
	dbus_message_unref(m);

	/* everything is optional */
	m = new_call();
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	dbus_message_iter_close_container(&it, &dict);
	CHECK(pm_args_parse_enforcer_info(m, &info, &why) == 0);
	CHECK(info.process == NULL && info.host == NULL && info.pid == 0 && info.sources == 0);
	dbus_message_unref(m);

	/* a known key with the wrong type */
	m = new_call();
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, "pid", DBUS_TYPE_STRING, &other);
	dbus_message_iter_close_container(&it, &dict);
	CHECK(pm_args_parse_enforcer_info(m, &info, &why) < 0);
	CHECK(why && strstr(why, "pid"));
	dbus_message_unref(m);

	m = new_call();
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, "process", DBUS_TYPE_UINT32, &pid);
	dbus_message_iter_close_container(&it, &dict);
	CHECK(pm_args_parse_enforcer_info(m, &info, &why) < 0);
	CHECK(why && strstr(why, "process"));
	dbus_message_unref(m);

	/* a string over the limit */
	{
		char big[PM_MAX_INFO_STRING + 2];
		const char *p = big;

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		m = new_call();
		dbus_message_iter_init_append(m, &it);
		dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
		add_entry(&dict, "host", DBUS_TYPE_STRING, &p);
		dbus_message_iter_close_container(&it, &dict);
		CHECK(pm_args_parse_enforcer_info(m, &info, &why) < 0);
		CHECK(why && strstr(why, "host"));
		dbus_message_unref(m);
	}

	/* wrong signatures */
	m = new_call();
	CHECK(pm_args_parse_enforcer_info(m, &info, &why) < 0);
	dbus_message_unref(m);
	m = new_call();
	dbus_message_append_args(m, DBUS_TYPE_UINT32, &pid, DBUS_TYPE_INVALID);
	CHECK(pm_args_parse_enforcer_info(m, &info, &why) < 0);
	CHECK(why && strstr(why, "a{sv}"));
	dbus_message_unref(m);
}

static DBusMessage *new_report(void)
{
	return dbus_message_new_method_call("org.privacymute.Policy1",
			"/org/privacymute/Policy1", "org.privacymute.Policy1", "ReportSources");
}

/* Append (id, name, class, guarded, exempt) to an open a(ussbb). */
static void add_source_ex(DBusMessageIter *arr, dbus_uint32_t id, const char *name,
		const char *media_class, dbus_bool_t guarded, dbus_bool_t exempt)
{
	DBusMessageIter st;

	dbus_message_iter_open_container(arr, DBUS_TYPE_STRUCT, NULL, &st);
	dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT32, &id);
	dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &name);
	dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &media_class);
	dbus_message_iter_append_basic(&st, DBUS_TYPE_BOOLEAN, &guarded);
	dbus_message_iter_append_basic(&st, DBUS_TYPE_BOOLEAN, &exempt);
	dbus_message_iter_close_container(arr, &st);
}

static void add_source(DBusMessageIter *arr, dbus_uint32_t id, const char *name,
		const char *media_class, dbus_bool_t guarded)
{
	add_source_ex(arr, id, name, media_class, guarded, FALSE);
}

/* A ReportSources call with n entries "srcI"; name_at gets the name big
 * instead, class_at the class. */
static DBusMessage *report_of(uint32_t n, uint32_t name_at, uint32_t class_at,
		const char *big)
{
	DBusMessage *m = new_report();
	DBusMessageIter it, arr;
	char name[32];

	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(ussbb)", &arr);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "src%u", i);
		add_source(&arr, i, i == name_at ? big : name,
				i == class_at ? big : "Audio/Source", i % 2);
	}
	dbus_message_iter_close_container(&it, &arr);
	return m;
}

static void test_sources(void)
{
	struct pm_source_info *src;
	DBusMessageIter it, arr;
	DBusMessage *m;
	const char *why;
	char big[PM_MAX_INFO_STRING + 2];
	dbus_uint32_t u = 1;
	uint32_t n;

	m = new_report();
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(ussbb)", &arr);
	add_source(&arr, 42, "alsa_input.mic", "Audio/Source", TRUE);
	add_source(&arr, 0, "app.virtual", "Audio/Source/Virtual", FALSE);
	add_source_ex(&arr, 7, "trusted-loopback", "Audio/Source", FALSE, TRUE);
	/* guarded wins: exempt only counts for a source left alone */
	add_source_ex(&arr, 8, "both", "Audio/Source", TRUE, TRUE);
	dbus_message_iter_close_container(&it, &arr);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == 0);
	CHECK(n == 4 && src != NULL);
	if (n == 4) {
		CHECK(src[2].id == 7 && src[2].exempt && !src[2].guarded);
		CHECK(src[3].id == 8 && !src[3].exempt && src[3].guarded);
		CHECK(!src[0].exempt && !src[1].exempt);
		CHECK(src[0].id == 42 && strcmp(src[0].name, "alsa_input.mic") == 0 &&
				strcmp(src[0].media_class, "Audio/Source") == 0 && src[0].guarded);
		CHECK(src[1].id == 0 && strcmp(src[1].name, "app.virtual") == 0 &&
				strcmp(src[1].media_class, "Audio/Source/Virtual") == 0 &&
				!src[1].guarded);
	}
	free(src);
	dbus_message_unref(m);

	/* an empty report is a report: nothing to show */
	m = report_of(0, UINT32_MAX, UINT32_MAX, NULL);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == 0);
	CHECK(n == 0 && src == NULL);
	dbus_message_unref(m);

	/* the limits, exactly and one over */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m = report_of(PM_MAX_SOURCES, UINT32_MAX, UINT32_MAX, NULL);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == 0);
	CHECK(n == PM_MAX_SOURCES && src[PM_MAX_SOURCES - 1].id == PM_MAX_SOURCES - 1);
	free(src);
	dbus_message_unref(m);
	why = NULL;
	m = report_of(PM_MAX_SOURCES + 1, UINT32_MAX, UINT32_MAX, NULL);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == -EINVAL);
	CHECK(src == NULL && n == 0);
	CHECK(why && strstr(why, "1024"));
	dbus_message_unref(m);

	why = NULL;
	m = report_of(3, 2, UINT32_MAX, big);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == -EINVAL);
	CHECK(src == NULL && why && strstr(why, "name") && strstr(why, "256"));
	dbus_message_unref(m);
	why = NULL;
	m = report_of(3, UINT32_MAX, 0, big);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == -EINVAL);
	CHECK(src == NULL && why && strstr(why, "class") && strstr(why, "256"));
	dbus_message_unref(m);
	big[PM_MAX_INFO_STRING] = '\0';
	m = report_of(3, 1, 1, big);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == 0);
	CHECK(n == 3 && strlen(src[1].name) == PM_MAX_INFO_STRING);
	free(src);
	dbus_message_unref(m);

	/* wrong signatures name the expected one; the old a(ussb) too */
	why = NULL;
	m = new_report();
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "(ussb)", &arr);
	dbus_message_iter_close_container(&it, &arr);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == -EINVAL);
	CHECK(why && strstr(why, "a(ussbb)"));
	dbus_message_unref(m);
	why = NULL;
	m = new_report();
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == -EINVAL);
	CHECK(why && strstr(why, "a(ussbb)"));
	dbus_message_unref(m);
	why = NULL;
	m = new_report();
	dbus_message_append_args(m, DBUS_TYPE_UINT32, &u, DBUS_TYPE_INVALID);
	CHECK(pm_args_parse_sources(m, &src, &n, &why) == -EINVAL);
	CHECK(why && strstr(why, "a(ussbb)"));
	dbus_message_unref(m);
}

static void setup_core(struct pm_core *core)
{
	static const struct pm_enforcer_info a = { "pipe\"wire\\", "host\n1", 10, 2 };
	static const struct pm_enforcer_info b = { "wp", "", 20, 1 };
	uint32_t changed;

	pm_core_init(core, true, 5);
	pm_core_register(core, ":1.1", &a, &changed);
	pm_core_register(core, ":1.2", &b, &changed);
	pm_core_acknowledge(core, ":1.1", 5, true, 2, &changed);
}

/* The a{sv} built from core with mask, read back as a client does. */
static int round_trip(const struct pm_core *core, uint32_t mask, struct pm_status *st)
{
	DBusMessage *m = dbus_message_new_signal("/x", "a.b", "C");
	DBusMessageIter it;
	int res;

	dbus_message_iter_init_append(m, &it);
	CHECK(pm_args_append_properties(&it, core, mask));
	dbus_message_iter_init(m, &it);
	res = pm_status_update(st, &it);
	dbus_message_unref(m);
	return res;
}

static void test_properties(void)
{
	struct pm_core core;
	struct pm_status st = { 0 };

	setup_core(&core);
	CHECK(pm_args_property_mask("Muted") == PM_CHANGED_MUTED);
	CHECK(pm_args_property_mask("Enforcers") == PM_CHANGED_ENFORCERS);
	CHECK(pm_args_property_mask("muted") == 0);

	/* Muted and Generation always travel together */
	CHECK(round_trip(&core, PM_CHANGED_MUTED, &st) == 0);
	CHECK(st.have == (PM_CHANGED_MUTED | PM_CHANGED_GENERATION));
	CHECK(st.muted && st.generation == 5);
	pm_status_clear(&st);
	CHECK(round_trip(&core, PM_CHANGED_GENERATION, &st) == 0);
	CHECK(st.have == (PM_CHANGED_MUTED | PM_CHANGED_GENERATION));
	pm_status_clear(&st);
	CHECK(round_trip(&core, PM_CHANGED_ENFORCED, &st) == 0);
	CHECK(st.have == PM_CHANGED_ENFORCED && !st.enforced);
	pm_status_clear(&st);

	CHECK(round_trip(&core, ~0u, &st) == 0);
	CHECK(st.have == (PM_CHANGED_MUTED | PM_CHANGED_GENERATION |
				PM_CHANGED_ENFORCED | PM_CHANGED_ENFORCERS |
				PM_CHANGED_UNGUARDED | PM_CHANGED_FOLLOW | PM_CHANGED_LOCKED |
				PM_CHANGED_SPEECH | PM_CHANGED_NOTIFY_SPEECH |
				PM_CHANGED_NOTIFY_CAPTURE | PM_CHANGED_LAST_CHANGE |
				PM_CHANGED_EXEMPT | PM_CHANGED_DAEMON));
	CHECK(!st.daemon_enforcer);
	CHECK(st.n_exempt == 0 && st.exempt == NULL);
	CHECK(st.last_change.generation == 0);
	CHECK(st.n_unguarded == 0 && st.unguarded == NULL);
	CHECK(st.n_enforcers == 2);
	CHECK(strcmp(st.enforcers[0].name, ":1.1") == 0);
	CHECK(strcmp(st.enforcers[0].process, "pipe\"wire\\") == 0);
	CHECK(st.enforcers[0].pid == 10 && st.enforcers[0].sources == 2);
	CHECK(st.enforcers[0].acknowledged && !st.enforcers[1].acknowledged);
	CHECK(pm_status_acknowledged(&st) == 1);

	/* a later update with fewer enforcers replaces the list */
	{
		uint32_t changed;
		pm_core_unregister(&core, ":1.2", &changed);
		CHECK(round_trip(&core, PM_CHANGED_ENFORCERS | PM_CHANGED_ENFORCED, &st) == 0);
		CHECK(st.n_enforcers == 1 && st.enforced && st.muted);
	}

	/* Unguarded, as reported to the core */
	{
		static const struct pm_source_info report[] = {
			{ 7, "virt\"mic", "Audio/Source/Virtual", false },
			{ 3, "alsa_input.mic", "Audio/Source", true },
			{ 5, "other", "Audio/Duplex", false },
		};
		uint32_t changed;

		CHECK(pm_args_property_mask("Unguarded") == PM_CHANGED_UNGUARDED);
		CHECK(pm_core_report(&core, ":1.1", report, 3, &changed) == 0);
		/* muted, with sources nobody guards: no longer enforced */
		CHECK(changed == (PM_CHANGED_UNGUARDED | PM_CHANGED_ENFORCED) && !core.enforced);
		CHECK(round_trip(&core, PM_CHANGED_UNGUARDED, &st) == 0);
		CHECK(st.n_unguarded == 2);
		if (st.n_unguarded == 2) {
			CHECK(st.unguarded[0].id == 5 && strcmp(st.unguarded[0].name, "other") == 0 &&
					strcmp(st.unguarded[0].media_class, "Audio/Duplex") == 0);
			CHECK(st.unguarded[1].id == 7 &&
					strcmp(st.unguarded[1].name, "virt\"mic") == 0);
		}
		/* the enforcer leaves: an empty list replaces it */
		pm_core_unregister(&core, ":1.1", &changed);
		CHECK(changed & PM_CHANGED_UNGUARDED);
		CHECK(round_trip(&core, changed, &st) == 0);
		CHECK(st.n_unguarded == 0 && st.unguarded == NULL);
		CHECK(st.n_enforcers == 0);
	}
	pm_status_clear(&st);
	pm_core_clear(&core);
}

static void test_status_bad(void)
{
	struct pm_status st = { .muted = true, .generation = 9 };
	const char *key = "Muted", *val = "yes";
	DBusMessage *m = dbus_message_new_signal("/x", "a.b", "C");
	DBusMessageIter it, dict;

	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, key, DBUS_TYPE_STRING, &val);
	dbus_message_iter_close_container(&it, &dict);
	dbus_message_iter_init(m, &it);
	CHECK(pm_status_update(&st, &it) < 0);
	/* unchanged */
	CHECK(st.muted && st.generation == 9 && st.have == 0);
	dbus_message_unref(m);

	/* Unguarded of the wrong type: st unchanged */
	m = dbus_message_new_signal("/x", "a.b", "C");
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, "Unguarded", DBUS_TYPE_STRING, &val);
	dbus_message_iter_close_container(&it, &dict);
	dbus_message_iter_init(m, &it);
	CHECK(pm_status_update(&st, &it) < 0);
	CHECK(st.have == 0 && st.n_unguarded == 0);
	dbus_message_unref(m);

	/* not a dict at all */
	m = dbus_message_new_signal("/x", "a.b", "C");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &val, DBUS_TYPE_INVALID);
	dbus_message_iter_init(m, &it);
	CHECK(pm_status_update(&st, &it) < 0);
	dbus_message_unref(m);
}

static char *print_with(void (*print)(FILE *, const struct pm_status *),
		const struct pm_status *st)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (f == NULL)
		return NULL;
	print(f, st);
	fclose(f);
	return buf;
}

static void test_output(void)
{
	struct pm_status_enforcer e[] = {
		{ ":1.1", "a\"b\\c", "h\n\t\x01", 10, 2, true },
		{ ":1.2", "wp", "", 20, 1, false },
	};
	struct pm_status_source u[] = {
		{ 0, "app.mic", "Audio/Source/Virtual" },
		{ 57, "q\"\\\n", "Audio/Source" },
	};
	struct pm_status st = {
		.muted = true, .enforced = false, .generation = 12,
		.enforcers = e, .n_enforcers = 2, .have = ~0u,
	};
	char *out;

	out = print_with(pm_status_print_json, &st);
	CHECK(out != NULL);
	if (out)
		CHECK(strcmp(out, "{\"muted\": true, \"enforced\": false, \"generation\": 12, "
				"\"enforcers\": [{\"name\": \":1.1\", \"process\": \"a\\\"b\\\\c\", "
				"\"host\": \"h\\n\\t\\u0001\", \"pid\": 10, \"sources\": 2, "
				"\"acknowledged\": true}, {\"name\": \":1.2\", \"process\": \"wp\", "
				"\"host\": \"\", \"pid\": 20, \"sources\": 1, "
				"\"acknowledged\": false}], \"unguarded\": [], \"exempt\": [], \"daemon_enforcer\": false, "
			"\"follow_source_mute\": false, \"locked\": false, \"speech_detection\": false, "
			"\"notify_speech\": false, \"notify_capture\": false, \"last_changed_by\": null}\n") == 0);
	free(out);

	st.n_enforcers = 0;
	out = print_with(pm_status_print_json, &st);
	if (out)
		CHECK(strcmp(out, "{\"muted\": true, \"enforced\": false, \"generation\": 12, "
				"\"enforcers\": [], \"unguarded\": [], \"exempt\": [], \"daemon_enforcer\": false, \"follow_source_mute\": false, "
				"\"locked\": false, \"speech_detection\": false, \"notify_speech\": false, "
				"\"notify_capture\": false, \"last_changed_by\": null}\n") == 0);
	free(out);

	st.unguarded = u;
	st.n_unguarded = 2;
	out = print_with(pm_status_print_json, &st);
	if (out)
		CHECK(strcmp(out, "{\"muted\": true, \"enforced\": false, \"generation\": 12, "
				"\"enforcers\": [], \"unguarded\": [{\"id\": 0, \"name\": \"app.mic\", "
				"\"class\": \"Audio/Source/Virtual\"}, {\"id\": 57, \"name\": "
				"\"q\\\"\\\\\\n\", \"class\": \"Audio/Source\"}], \"exempt\": [], \"daemon_enforcer\": false, "
			"\"follow_source_mute\": false, \"locked\": false, \"speech_detection\": false, "
			"\"notify_speech\": false, \"notify_capture\": false, \"last_changed_by\": null}\n") == 0);
	free(out);
	out = print_with(pm_status_print_text, &st);
	if (out)
		CHECK(strstr(out, "enforcers: 0\n"
				"daemon enforcer: MISSING (the module is not loaded into pipewire)\n"
				"unguarded: 2\n"
				"  app.mic (Audio/Source/Virtual, id 0)\n"
				"  q\"\\? (Audio/Source, id 57)\n") != NULL);
	free(out);
	st.unguarded = NULL;
	st.n_unguarded = 0;

	st.n_enforcers = 2;
	out = print_with(pm_status_print_text, &st);
	if (out) {
		CHECK(strstr(out, "state: muted\n") != NULL);
		CHECK(strstr(out, "enforced: no\n") != NULL);
		CHECK(strstr(out, "generation: 12\n") != NULL);
		CHECK(strstr(out, "enforcers: 2\n") != NULL);
		/* control characters never reach the terminal */
		CHECK(strstr(out, "  :1.1 a\"b\\c pid 10 on h???: 2 sources, acknowledged\n") != NULL);
		CHECK(strstr(out, "  :1.2 wp pid 20 on ?: 1 source, not acknowledged\n") != NULL);
		/* last, after the enforcers */
		CHECK(strlen(out) > 16 &&
				strcmp(out + strlen(out) - 16, "unguarded: none\n") == 0);
	}
	free(out);
}

static DBusMessage *call(const char *iface, const char *member)
{
	return dbus_message_new_method_call("org.privacymute.Policy1",
			"/org/privacymute/Policy1", iface, member);
}

/* the dispatcher's decisions, as the service takes them */
static void test_lookup(void)
{
	const struct pm_method_info *mt;
	const char *iface, *name, *s1 = "org.privacymute.Policy1", *s2 = "Muted";
	const char *unique = ":1.7", *empty = "", *other = "org.example.Other";
	dbus_bool_t b = TRUE;
	dbus_uint64_t t = 5;
	dbus_uint32_t u = 2;
	uint64_t generation;
	uint32_t sources;
	bool muted;
	DBusMessage *m;

	m = call("org.privacymute.Policy1", "SetMuted");
	dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID);
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK && mt->id == PM_METHOD_SET_MUTED);
	CHECK(pm_args_parse_set_muted(m, &muted) && muted);
	CHECK(!pm_args_parse_acknowledge(m, &generation, &muted, &sources));
	dbus_message_unref(m);

	/* no interface field: any interface */
	m = call(NULL, "Toggle");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK && mt->id == PM_METHOD_TOGGLE);
	dbus_message_unref(m);

	m = call("org.privacymute.Policy1", "Acknowledge");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_BAD_SIGNATURE &&
			mt->id == PM_METHOD_ACKNOWLEDGE && strcmp(mt->signature, "tbu") == 0);
	dbus_message_append_args(m, DBUS_TYPE_UINT64, &t, DBUS_TYPE_BOOLEAN, &b,
			DBUS_TYPE_UINT32, &u, DBUS_TYPE_INVALID);
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK);
	CHECK(pm_args_parse_acknowledge(m, &generation, &muted, &sources) &&
			generation == 5 && muted && sources == 2);
	dbus_message_unref(m);

	m = call("org.privacymute.Policy1", "Nope");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_UNKNOWN_METHOD && mt == NULL);
	dbus_message_unref(m);
	m = call("org.freedesktop.DBus.Peer", "Nope");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_UNKNOWN_METHOD);
	dbus_message_unref(m);
	m = call("org.example.Other", "SetMuted");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_UNKNOWN_INTERFACE);
	dbus_message_unref(m);
	m = dbus_message_new_signal("/org/privacymute/Policy1", "org.privacymute.Policy1", "Toggle");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_NOT_A_CALL);
	dbus_message_unref(m);

	m = call("org.freedesktop.DBus.Properties", "Get");
	CHECK(pm_args_parse_property(m, &iface, &name) == PM_PROPERTY_INVALID_ARGS);
	dbus_message_append_args(m, DBUS_TYPE_STRING, &s1, DBUS_TYPE_STRING, &s2,
			DBUS_TYPE_INVALID);
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK && mt->id == PM_METHOD_GET);
	CHECK(pm_args_parse_property(m, &iface, &name) == PM_PROPERTY_OK &&
			strcmp(name, "Muted") == 0);
	dbus_message_unref(m);
	m = call("org.freedesktop.DBus.Properties", "Get");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &empty, DBUS_TYPE_STRING, &unique,
			DBUS_TYPE_INVALID);
	CHECK(pm_args_parse_property(m, &iface, &name) == PM_PROPERTY_UNKNOWN_PROPERTY);
	dbus_message_unref(m);
	m = call("org.freedesktop.DBus.Properties", "Get");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &other, DBUS_TYPE_STRING, &s2,
			DBUS_TYPE_INVALID);
	CHECK(pm_args_parse_property(m, &iface, &name) == PM_PROPERTY_UNKNOWN_INTERFACE);
	dbus_message_unref(m);

	m = call("org.freedesktop.DBus.Properties", "GetAll");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &empty, DBUS_TYPE_INVALID);
	CHECK(pm_args_parse_get_all(m, &iface) == PM_PROPERTY_OK);
	dbus_message_unref(m);
	m = call("org.freedesktop.DBus.Properties", "GetAll");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &other, DBUS_TYPE_INVALID);
	CHECK(pm_args_parse_get_all(m, &iface) == PM_PROPERTY_UNKNOWN_INTERFACE);
	dbus_message_unref(m);

	m = dbus_message_new_signal("/org/freedesktop/DBus", "org.freedesktop.DBus",
			"NameOwnerChanged");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &unique, DBUS_TYPE_STRING, &unique,
			DBUS_TYPE_STRING, &empty, DBUS_TYPE_INVALID);
	CHECK(pm_args_name_gone(m, &name) && strcmp(name, ":1.7") == 0);
	dbus_message_unref(m);
	m = dbus_message_new_signal("/org/freedesktop/DBus", "org.freedesktop.DBus",
			"NameOwnerChanged");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &unique, DBUS_TYPE_STRING, &empty,
			DBUS_TYPE_STRING, &unique, DBUS_TYPE_INVALID);
	CHECK(!pm_args_name_gone(m, &name));
	dbus_message_unref(m);
}

/* CaptureStarted (ua{sv}), SpeechWhileMuted (s), GetCaptureLog's reply */
static void test_awareness(void)
{
	const char *app = "Zoom", *bin = "zoom", *src = "alsa_input.usb", *other = "x";
	const struct pm_method_info *mt;
	char long_str[300];
	const char *lp = long_str, *why, *source;
	dbus_uint32_t id = 77, pid = 4242;
	struct pm_capture_info info;
	struct pm_capture_log log = { 0 }, back = { 0 };
	DBusMessageIter it, dict;
	DBusMessage *m;
	uint32_t got_id;
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	memset(long_str, 'a', 257);
	long_str[257] = '\0';

	m = call("org.privacymute.Policy1", "CaptureStarted");
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &id);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, "application", DBUS_TYPE_STRING, &app);
	add_entry(&dict, "binary", DBUS_TYPE_STRING, &bin);
	add_entry(&dict, "future", DBUS_TYPE_STRING, &other);	/* ignored */
	add_entry(&dict, "source", DBUS_TYPE_STRING, &src);
	add_entry(&dict, "pid", DBUS_TYPE_UINT32, &pid);
	dbus_message_iter_close_container(&it, &dict);
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK && mt->id == PM_METHOD_CAPTURE_STARTED);
	CHECK(pm_args_parse_capture_started(m, &got_id, &info, &why) == 0);
	CHECK(got_id == 77 && info.pid == 4242);
	CHECK(info.application && strcmp(info.application, "Zoom") == 0);
	CHECK(info.binary && strcmp(info.binary, "zoom") == 0);
	CHECK(info.source && strcmp(info.source, "alsa_input.usb") == 0);
	dbus_message_unref(m);

	/* every key optional */
	m = call("org.privacymute.Policy1", "CaptureStarted");
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &id);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	dbus_message_iter_close_container(&it, &dict);
	CHECK(pm_args_parse_capture_started(m, &got_id, &info, &why) == 0);
	CHECK(info.application == NULL && info.binary == NULL && info.source == NULL &&
			info.pid == 0);
	dbus_message_unref(m);

	/* a string over 256 bytes, a pid of the wrong type */
	m = call("org.privacymute.Policy1", "CaptureStarted");
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &id);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, "application", DBUS_TYPE_STRING, &lp);
	dbus_message_iter_close_container(&it, &dict);
	why = NULL;
	CHECK(pm_args_parse_capture_started(m, &got_id, &info, &why) == -EINVAL);
	CHECK(why && strstr(why, "application") && strstr(why, "256"));
	dbus_message_unref(m);
	m = call("org.privacymute.Policy1", "CaptureStarted");
	dbus_message_iter_init_append(m, &it);
	dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &id);
	dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict);
	add_entry(&dict, "pid", DBUS_TYPE_STRING, &other);
	dbus_message_iter_close_container(&it, &dict);
	CHECK(pm_args_parse_capture_started(m, &got_id, &info, &why) == -EINVAL);
	dbus_message_unref(m);
	/* the wrong signature */
	m = call("org.privacymute.Policy1", "CaptureStarted");
	dbus_message_append_args(m, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID);
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_BAD_SIGNATURE);
	CHECK(pm_args_parse_capture_started(m, &got_id, &info, &why) == -EINVAL);
	dbus_message_unref(m);

	m = call("org.privacymute.Policy1", "SpeechWhileMuted");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &src, DBUS_TYPE_INVALID);
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK &&
			mt->id == PM_METHOD_SPEECH_WHILE_MUTED);
	CHECK(pm_args_parse_speech(m, &source, &why) == 0 && strcmp(source, src) == 0);
	dbus_message_unref(m);
	m = call("org.privacymute.Policy1", "SpeechWhileMuted");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &lp, DBUS_TYPE_INVALID);
	CHECK(pm_args_parse_speech(m, &source, &why) == -EINVAL);
	dbus_message_unref(m);

	m = call("org.privacymute.Policy1", "CaptureStopped");
	dbus_message_append_args(m, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID);
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK && mt->id == PM_METHOD_CAPTURE_STOPPED);
	dbus_message_unref(m);
	m = call("org.privacymute.Policy1", "GetCaptureLog");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_OK && mt->id == PM_METHOD_GET_CAPTURE_LOG);
	dbus_message_unref(m);
	m = call("org.privacymute.Policy1", "SetLocked");
	CHECK(pm_args_lookup_method(m, &mt) == PM_LOOKUP_BAD_SIGNATURE && mt->id == PM_METHOD_SET_LOCKED);
	dbus_message_unref(m);

	/* the log as GetCaptureLog sends it, read back as the CLI does */
	info = (struct pm_capture_info) { .application = "a\"b", .binary = "bin\n",
		.source = "mic", .pid = 9 };
	CHECK(pm_capture_log_start(&log, ":1.5", 1, &info, 1000) == 0);
	info = (struct pm_capture_info) { .application = "second" };
	CHECK(pm_capture_log_start(&log, ":1.5", 2, &info, 2000) == 0);
	CHECK(pm_capture_log_stop(&log, ":1.5", 1, 3000) == 0);
	m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_iter_init_append(m, &it);
	CHECK(pm_args_append_capture_log(&it, &log));
	CHECK(strcmp(dbus_message_get_signature(m), "a(ssusxx)") == 0);
	CHECK(dbus_message_iter_init(m, &it) && pm_status_parse_capture_log(&it, &back) == 0);
	CHECK(back.n == 2);
	if (back.n == 2) {
		CHECK(strcmp(back.entries[0].application, "a\"b") == 0 &&
				strcmp(back.entries[0].binary, "bin\n") == 0 &&
				strcmp(back.entries[0].source, "mic") == 0 &&
				back.entries[0].pid == 9 && back.entries[0].start_us == 1000 &&
				back.entries[0].stop_us == 3000);
		CHECK(strcmp(back.entries[1].application, "second") == 0 &&
				strcmp(back.entries[1].binary, "") == 0 &&
				back.entries[1].start_us == 2000 && back.entries[1].stop_us == 0);
	}
	f = open_memstream(&out, &size);
	pm_capture_log_print_json(f, &back);
	fclose(f);
	CHECK(strcmp(out, "[{\"application\": \"a\\\"b\", \"binary\": \"bin\\n\", \"pid\": 9, "
			"\"source\": \"mic\", \"start_us\": 1000, \"stop_us\": 3000}, "
			"{\"application\": \"second\", \"binary\": \"\", \"pid\": 0, "
			"\"source\": \"\", \"start_us\": 2000, \"stop_us\": 0}]\n") == 0);
	free(out);
	out = NULL;
	f = open_memstream(&out, &size);
	pm_capture_log_print_text(f, &back);
	fclose(f);
	/* two lines; control characters do not reach the terminal */
	CHECK(strstr(out, "a\"b (bin?, pid 9) on mic\n") != NULL);
	CHECK(strstr(out, "still going  second (?, pid 0) on ?\n") != NULL);
	free(out);
	dbus_message_unref(m);

	/* a reply of another type is refused, and leaves nothing */
	m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_append_args(m, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID);
	CHECK(dbus_message_iter_init(m, &it) && pm_status_parse_capture_log(&it, &back) == -EINVAL);
	CHECK(back.n == 0 && back.entries == NULL);
	dbus_message_unref(m);
	pm_capture_log_clear(&back);
	pm_capture_log_clear(&log);
}

/* LastChangedBy: recorded at the change, completed later, and only for
 * the change it is of; a client reads and prints it. */
static void test_last_change(void)
{
	struct pm_core core;
	struct pm_status st = { 0 };
	char *out;
	uint64_t first;

	pm_core_init(&core, false, 5);
	CHECK(pm_core_set_muted(&core, true) != 0);
	CHECK(pm_core_set_last_change(&core, ":1.7", "SetMuted") == PM_CHANGED_LAST_CHANGE);
	first = core.generation;
	CHECK(round_trip(&core, PM_CHANGED_LAST_CHANGE, &st) == 0);
	CHECK(st.have == PM_CHANGED_LAST_CHANGE);
	CHECK(st.last_change.generation == first && st.last_change.pid == 0);
	CHECK(strcmp(st.last_change.caller, ":1.7") == 0 && st.last_change.executable[0] == '\0');
	/* the bus answered: completed */
	CHECK(pm_core_complete_last_change(&core, first, 1234, "/usr/bin/foo") ==
			PM_CHANGED_LAST_CHANGE);
	CHECK(round_trip(&core, PM_CHANGED_LAST_CHANGE, &st) == 0);
	CHECK(st.last_change.pid == 1234 && strcmp(st.last_change.executable, "/usr/bin/foo") == 0);
	out = print_with(pm_status_print_text, &st);
	CHECK(out && strstr(out, "last changed by: pid 1234 (/usr/bin/foo) :1.7 with SetMuted "
				"(generation 6)\n"));
	free(out);
	out = print_with(pm_status_print_json, &st);
	CHECK(out && strstr(out, "\"last_changed_by\": {\"generation\": 6, \"caller\": \":1.7\", "
				"\"pid\": 1234, \"executable\": \"/usr/bin/foo\", \"how\": \"SetMuted\"}}"));
	free(out);
	/* a later change: a late answer for the first one changes nothing */
	CHECK(pm_core_set_muted(&core, false) != 0);
	CHECK(pm_core_set_last_change(&core, ":1.8", "Toggle") == PM_CHANGED_LAST_CHANGE);
	CHECK(pm_core_complete_last_change(&core, first, 99, "/bin/late") == 0);
	CHECK(core.last_change.pid == 0 && strcmp(core.last_change.caller, ":1.8") == 0);
	pm_status_clear(&st);
	pm_core_clear(&core);
}

/* The owner check: uid, and on the session bus the executable. */
static void test_owner_check(void)
{
	struct pm_owner_creds creds = { .have_uid = true, .have_pid = true,
		.uid = 1000, .pid = (uint32_t)getpid() };
	char self[PM_OWNER_EXE_MAX], exe[PM_OWNER_EXE_MAX], why[512];

	CHECK(pm_owner_executable_matches("/usr/bin/p", "/usr/bin/p"));
	CHECK(pm_owner_executable_matches("/usr/bin/p", "/usr/bin/p (deleted)"));
	CHECK(!pm_owner_executable_matches("/usr/bin/p", "/usr/bin/python3"));
	CHECK(!pm_owner_executable_matches("/usr/bin/p", "/usr/bin/p (deleted) x"));
	CHECK(!pm_owner_executable_matches("", ""));
	CHECK(pm_owner_executable(creds.pid, self, sizeof(self)) == 0 && self[0] == '/');
	CHECK(pm_owner_executable(creds.pid, self, 4) == -ENAMETOOLONG);
	CHECK(pm_owner_executable(creds.pid, self, sizeof(self)) == 0);

	CHECK(pm_owner_check(&creds, false, 1000, self, exe, sizeof(exe), why, sizeof(why)));
	CHECK(strcmp(exe, self) == 0);
	CHECK(!pm_owner_check(&creds, false, 1000, "/usr/bin/privacy-mute-policy", exe,
				sizeof(exe), why, sizeof(why)));
	CHECK(strstr(why, "its executable is ") && strstr(why, ", not /usr/bin/privacy-mute-policy"));
	CHECK(!pm_owner_check(&creds, false, 1001, self, exe, sizeof(exe), why, sizeof(why)));
	CHECK(strstr(why, "uid 1000, not 1001"));
	/* system bus: root, and the executable is not read */
	CHECK(!pm_owner_check(&creds, true, 1000, self, exe, sizeof(exe), why, sizeof(why)));
	creds.uid = 0;
	CHECK(pm_owner_check(&creds, true, 1000, "/nowhere", exe, sizeof(exe), why, sizeof(why)));
	CHECK(exe[0] == '\0');
	creds.have_uid = false;
	CHECK(!pm_owner_check(&creds, true, 0, self, exe, sizeof(exe), why, sizeof(why)));
	creds = (struct pm_owner_creds) { .have_uid = true, .uid = 0 };
	CHECK(!pm_owner_check(&creds, false, 0, self, exe, sizeof(exe), why, sizeof(why)));
	CHECK(strstr(why, "does not tell its process"));
}

int main(void)
{
	test_last_change();
	test_owner_check();
	test_lookup();
	test_enforcer_info();
	test_sources();
	test_properties();
	test_status_bad();
	test_output();
	test_awareness();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
