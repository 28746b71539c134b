/* privacy-mute unit test: D-Bus arguments of the policy, and status output */
/* SPDX-License-Identifier: MIT */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

#include "policy-args.h"
#include "policy-core.h"
#include "status.h"

static int failures;
#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

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
				PM_CHANGED_ENFORCED | PM_CHANGED_ENFORCERS));
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
				"\"acknowledged\": false}]}\n") == 0);
	free(out);

	st.n_enforcers = 0;
	out = print_with(pm_status_print_json, &st);
	if (out)
		CHECK(strcmp(out, "{\"muted\": true, \"enforced\": false, \"generation\": 12, "
				"\"enforcers\": []}\n") == 0);
	free(out);

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
	}
	free(out);
}

int main(void)
{
	test_enforcer_info();
	test_properties();
	test_status_bad();
	test_output();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
