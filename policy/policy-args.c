/* privacy-mute: D-Bus arguments of the policy service, parsed and built */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy-args.h"
#include "policy-names.h"

static const struct {
	const char *name;
	uint32_t mask;
} properties[] = {
	{ "Muted", PM_CHANGED_MUTED },
	{ "Enforced", PM_CHANGED_ENFORCED },
	{ "Generation", PM_CHANGED_GENERATION },
	{ "Enforcers", PM_CHANGED_ENFORCERS },
	{ "Unguarded", PM_CHANGED_UNGUARDED },
	{ "FollowSourceMute", PM_CHANGED_FOLLOW },
	{ "Locked", PM_CHANGED_LOCKED },
	{ "SpeechDetection", PM_CHANGED_SPEECH },
	{ "NotifySpeech", PM_CHANGED_NOTIFY_SPEECH },
	{ "NotifyCapture", PM_CHANGED_NOTIFY_CAPTURE },
	{ "LastChangedBy", PM_CHANGED_LAST_CHANGE },
	{ "Exempt", PM_CHANGED_EXEMPT },
	{ "DaemonEnforcer", PM_CHANGED_DAEMON },
};

#define N_PROPERTIES	(sizeof(properties) / sizeof(properties[0]))

#define FAIL(reason)	do { *why = (reason); return -EINVAL; } while (0)

static int info_string(DBusMessageIter *var, const char **dst,
		const char *wrong_type, const char *too_long, const char **why)
{
	const char *s;

	if (dbus_message_iter_get_arg_type(var) != DBUS_TYPE_STRING)
		FAIL(wrong_type);
	dbus_message_iter_get_basic(var, &s);
	if (strlen(s) > PM_MAX_INFO_STRING)
		FAIL(too_long);
	*dst = s;
	return 0;
}

static int info_uint32(DBusMessageIter *var, uint32_t *dst, const char *wrong_type,
		const char **why)
{
	dbus_uint32_t v;

	if (dbus_message_iter_get_arg_type(var) != DBUS_TYPE_UINT32)
		FAIL(wrong_type);
	dbus_message_iter_get_basic(var, &v);
	*dst = v;
	return 0;
}

static int info_bool(DBusMessageIter *var, bool *dst, const char *wrong_type,
		const char **why)
{
	dbus_bool_t v;

	if (dbus_message_iter_get_arg_type(var) != DBUS_TYPE_BOOLEAN)
		FAIL(wrong_type);
	dbus_message_iter_get_basic(var, &v);
	*dst = v;
	return 0;
}

#define TOO_LONG(key)	"\"" key "\" is longer than the limit of 256 bytes"

int pm_args_parse_enforcer_info(DBusMessage *m, struct pm_enforcer_info *info,
		const char **why)
{
	DBusMessageIter it, dict, entry, var;
	const char *key;
	int res;

	_Static_assert(PM_MAX_INFO_STRING == 256, "update TOO_LONG");

	*info = (struct pm_enforcer_info) { 0 };
	if (!dbus_message_has_signature(m, "a{sv}") || !dbus_message_iter_init(m, &it))
		FAIL("expected signature (a{sv})");

	dbus_message_iter_recurse(&it, &dict);
	while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
		dbus_message_iter_recurse(&dict, &entry);
		dbus_message_iter_get_basic(&entry, &key);
		dbus_message_iter_next(&entry);
		dbus_message_iter_recurse(&entry, &var);

		res = 0;
		if (strcmp(key, "process") == 0)
			res = info_string(&var, &info->process,
					"\"process\" must be a string (variant of type s)",
					TOO_LONG("process"), why);
		else if (strcmp(key, "host") == 0)
			res = info_string(&var, &info->host,
					"\"host\" must be a string (variant of type s)",
					TOO_LONG("host"), why);
		else if (strcmp(key, "pid") == 0)
			res = info_uint32(&var, &info->pid,
					"\"pid\" must be a uint32 (variant of type u)", why);
		else if (strcmp(key, "sources") == 0)
			res = info_uint32(&var, &info->sources,
					"\"sources\" must be a uint32 (variant of type u)", why);
		else if (strcmp(key, "daemon") == 0)
			res = info_bool(&var, &info->daemon,
					"\"daemon\" must be a boolean (variant of type b)", why);
		/* other keys: room for later versions of the module */
		if (res < 0)
			return res;
		dbus_message_iter_next(&dict);
	}
	return 0;
}

int pm_args_parse_sources(DBusMessage *m, struct pm_source_info **sources, uint32_t *n,
		const char **why)
{
	struct pm_source_info *arr = NULL;
	DBusMessageIter it, list, st;
	dbus_uint32_t id;
	dbus_bool_t guarded, exempt;
	const char *name, *media_class;
	uint32_t count = 0;

	_Static_assert(PM_MAX_INFO_STRING == 256, "update the messages below");
	_Static_assert(PM_MAX_SOURCES == 1024, "update the messages below");

	*sources = NULL;
	*n = 0;
	if (!dbus_message_has_signature(m, "a(ussbb)") || !dbus_message_iter_init(m, &it))
		FAIL("expected signature (a(ussbb))");

	/* count first: a report over the limit is refused before any work */
	dbus_message_iter_recurse(&it, &list);
	while (dbus_message_iter_get_arg_type(&list) == DBUS_TYPE_STRUCT) {
		if (++count > PM_MAX_SOURCES)
			FAIL("more than 1024 sources in one report (the limit is 1024)");
		dbus_message_iter_next(&list);
	}
	if (count == 0)
		return 0;
	if ((arr = calloc(count, sizeof(*arr))) == NULL)
		return -ENOMEM;

	dbus_message_iter_recurse(&it, &list);
	for (uint32_t i = 0; i < count; i++) {
		/* the signature is checked: (ussbb) in that order */
		dbus_message_iter_recurse(&list, &st);
		dbus_message_iter_get_basic(&st, &id);
		dbus_message_iter_next(&st);
		dbus_message_iter_get_basic(&st, &name);
		dbus_message_iter_next(&st);
		dbus_message_iter_get_basic(&st, &media_class);
		dbus_message_iter_next(&st);
		dbus_message_iter_get_basic(&st, &guarded);
		dbus_message_iter_next(&st);
		dbus_message_iter_get_basic(&st, &exempt);
		if (strlen(name) > PM_MAX_INFO_STRING) {
			free(arr);
			FAIL("a source name is longer than the limit of 256 bytes");
		}
		if (strlen(media_class) > PM_MAX_INFO_STRING) {
			free(arr);
			FAIL("a media class is longer than the limit of 256 bytes");
		}
		arr[i] = (struct pm_source_info) {
			.id = id,
			.name = name,
			.media_class = media_class,
			.guarded = guarded,
			.exempt = exempt && !guarded,
		};
		dbus_message_iter_next(&list);
	}
	*sources = arr;
	*n = count;
	return 0;
}

int pm_args_parse_capture_started(DBusMessage *m, uint32_t *id,
		struct pm_capture_info *info, const char **why)
{
	DBusMessageIter it, dict, entry, var;
	dbus_uint32_t u;
	const char *key;
	int res;

	_Static_assert(PM_CAPTURE_STRING_MAX == 256, "update TOO_LONG");

	*info = (struct pm_capture_info) { 0 };
	if (!dbus_message_has_signature(m, "ua{sv}") || !dbus_message_iter_init(m, &it))
		FAIL("expected signature (ua{sv})");
	dbus_message_iter_get_basic(&it, &u);
	*id = u;
	dbus_message_iter_next(&it);

	dbus_message_iter_recurse(&it, &dict);
	while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
		dbus_message_iter_recurse(&dict, &entry);
		dbus_message_iter_get_basic(&entry, &key);
		dbus_message_iter_next(&entry);
		dbus_message_iter_recurse(&entry, &var);

		res = 0;
		if (strcmp(key, "source") == 0)
			res = info_string(&var, &info->source,
					"\"source\" must be a string (variant of type s)",
					TOO_LONG("source"), why);
		else if (strcmp(key, "application") == 0)
			res = info_string(&var, &info->application,
					"\"application\" must be a string (variant of type s)",
					TOO_LONG("application"), why);
		else if (strcmp(key, "binary") == 0)
			res = info_string(&var, &info->binary,
					"\"binary\" must be a string (variant of type s)",
					TOO_LONG("binary"), why);
		else if (strcmp(key, "pid") == 0)
			res = info_uint32(&var, &info->pid,
					"\"pid\" must be a uint32 (variant of type u)", why);
		if (res < 0)
			return res;
		dbus_message_iter_next(&dict);
	}
	return 0;
}

int pm_args_parse_speech(DBusMessage *m, const char **source, const char **why)
{
	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, source, DBUS_TYPE_INVALID))
		FAIL("expected signature (s)");
	if (strlen(*source) > PM_MAX_INFO_STRING)
		FAIL("the source name is longer than the limit of 256 bytes");
	return 0;
}

#undef FAIL

bool pm_args_append_capture_log(DBusMessageIter *it, const struct pm_capture_log *log)
{
	DBusMessageIter arr = DBUS_MESSAGE_ITER_INIT_CLOSED;
	DBusMessageIter st = DBUS_MESSAGE_ITER_INIT_CLOSED;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "(ssusxx)", &arr))
		return false;
	for (uint32_t i = 0; i < log->n; i++) {
		const struct pm_capture_entry *e = &log->entries[i];
		dbus_uint32_t pid = e->pid;
		dbus_int64_t start = e->start_us, stop = e->stop_us;

		if (!dbus_message_iter_open_container(&arr, DBUS_TYPE_STRUCT, NULL, &st) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &e->application) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &e->binary) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT32, &pid) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &e->source) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_INT64, &start) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_INT64, &stop) ||
		    !dbus_message_iter_close_container(&arr, &st)) {
			dbus_message_iter_abandon_container_if_open(&arr, &st);
			dbus_message_iter_abandon_container_if_open(it, &arr);
			return false;
		}
	}
	return dbus_message_iter_close_container(it, &arr);
}

static const struct pm_method_info methods[] = {
	{ PM_POLICY_INTERFACE, "SetMuted", "b", PM_METHOD_SET_MUTED },
	{ PM_POLICY_INTERFACE, "Toggle", "", PM_METHOD_TOGGLE },
	{ PM_POLICY_INTERFACE, "RegisterEnforcer", "a{sv}", PM_METHOD_REGISTER_ENFORCER },
	{ PM_POLICY_INTERFACE, "Acknowledge", "tbu", PM_METHOD_ACKNOWLEDGE },
	{ PM_POLICY_INTERFACE, "UnregisterEnforcer", "", PM_METHOD_UNREGISTER_ENFORCER },
	{ PM_POLICY_INTERFACE, "ReportSources", "a(ussbb)", PM_METHOD_REPORT_SOURCES },
	{ PM_POLICY_INTERFACE, "SourceMuteChanged", "sb", PM_METHOD_SOURCE_MUTE_CHANGED },
	{ PM_POLICY_INTERFACE, "SpeechWhileMuted", "s", PM_METHOD_SPEECH_WHILE_MUTED },
	{ PM_POLICY_INTERFACE, "CaptureStarted", "ua{sv}", PM_METHOD_CAPTURE_STARTED },
	{ PM_POLICY_INTERFACE, "CaptureStopped", "u", PM_METHOD_CAPTURE_STOPPED },
	{ PM_POLICY_INTERFACE, "GetCaptureLog", "", PM_METHOD_GET_CAPTURE_LOG },
	{ PM_POLICY_INTERFACE, "SetLocked", "b", PM_METHOD_SET_LOCKED },
	{ DBUS_INTERFACE_PROPERTIES, "Get", "ss", PM_METHOD_GET },
	{ DBUS_INTERFACE_PROPERTIES, "GetAll", "s", PM_METHOD_GET_ALL },
	{ DBUS_INTERFACE_PROPERTIES, "Set", "ssv", PM_METHOD_SET },
	{ DBUS_INTERFACE_INTROSPECTABLE, "Introspect", "", PM_METHOD_INTROSPECT },
};

enum pm_lookup pm_args_lookup_method(DBusMessage *m, const struct pm_method_info **method)
{
	const char *iface = dbus_message_get_interface(m);
	const char *member = dbus_message_get_member(m);
	bool known_iface = iface == NULL || strcmp(iface, DBUS_INTERFACE_PEER) == 0;

	*method = NULL;
	if (dbus_message_get_type(m) != DBUS_MESSAGE_TYPE_METHOD_CALL || member == NULL)
		return PM_LOOKUP_NOT_A_CALL;

	/* a call without an interface field matches any interface */
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		const struct pm_method_info *mt = &methods[i];

		if (iface != NULL && strcmp(iface, mt->iface) != 0)
			continue;
		known_iface = true;
		if (strcmp(member, mt->member) != 0)
			continue;
		*method = mt;
		return dbus_message_has_signature(m, mt->signature) ?
			PM_LOOKUP_OK : PM_LOOKUP_BAD_SIGNATURE;
	}
	return known_iface ? PM_LOOKUP_UNKNOWN_METHOD : PM_LOOKUP_UNKNOWN_INTERFACE;
}

bool pm_args_parse_set_muted(DBusMessage *m, bool *muted)
{
	dbus_bool_t b;

	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID))
		return false;
	*muted = b;
	return true;
}

bool pm_args_parse_acknowledge(DBusMessage *m, uint64_t *generation, bool *muted,
		uint32_t *sources)
{
	dbus_uint64_t t;
	dbus_bool_t b;
	dbus_uint32_t u;

	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_UINT64, &t,
				DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_UINT32, &u,
				DBUS_TYPE_INVALID))
		return false;
	*generation = t;
	*muted = b;
	*sources = u;
	return true;
}

bool pm_args_is_our_interface(const char *iface)
{
	/* an empty interface name means "whichever has it" */
	return iface[0] == '\0' || strcmp(iface, PM_POLICY_INTERFACE) == 0;
}

bool pm_args_is_standard_interface(const char *iface)
{
	return strcmp(iface, DBUS_INTERFACE_PROPERTIES) == 0 ||
		strcmp(iface, DBUS_INTERFACE_INTROSPECTABLE) == 0 ||
		strcmp(iface, DBUS_INTERFACE_PEER) == 0;
}

enum pm_property_check pm_args_parse_property(DBusMessage *m, const char **iface,
		const char **name)
{
	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, iface,
				DBUS_TYPE_STRING, name, DBUS_TYPE_INVALID))
		return PM_PROPERTY_INVALID_ARGS;
	if (!pm_args_is_our_interface(*iface) && !pm_args_is_standard_interface(*iface))
		return PM_PROPERTY_UNKNOWN_INTERFACE;
	if (!pm_args_is_our_interface(*iface) || pm_args_property_mask(*name) == 0)
		return PM_PROPERTY_UNKNOWN_PROPERTY;
	return PM_PROPERTY_OK;
}

enum pm_property_check pm_args_parse_get_all(DBusMessage *m, const char **iface)
{
	if (!dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, iface, DBUS_TYPE_INVALID))
		return PM_PROPERTY_INVALID_ARGS;
	if (!pm_args_is_our_interface(*iface) && !pm_args_is_standard_interface(*iface))
		return PM_PROPERTY_UNKNOWN_INTERFACE;
	return PM_PROPERTY_OK;
}

bool pm_args_name_gone(DBusMessage *m, const char **name)
{
	const char *old_owner, *new_owner;

	return dbus_message_is_signal(m, DBUS_INTERFACE_DBUS, "NameOwnerChanged") &&
		dbus_message_get_args(m, NULL, DBUS_TYPE_STRING, name,
			DBUS_TYPE_STRING, &old_owner, DBUS_TYPE_STRING, &new_owner,
			DBUS_TYPE_INVALID) &&
		(*name)[0] == ':' && new_owner[0] == '\0';
}

uint32_t pm_args_property_mask(const char *name)
{
	for (size_t i = 0; i < N_PROPERTIES; i++)
		if (strcmp(properties[i].name, name) == 0)
			return properties[i].mask;
	return 0;
}

static bool append_enforcers(DBusMessageIter *var, const struct pm_core *core)
{
	DBusMessageIter arr = DBUS_MESSAGE_ITER_INIT_CLOSED;
	DBusMessageIter st = DBUS_MESSAGE_ITER_INIT_CLOSED;

	if (!dbus_message_iter_open_container(var, DBUS_TYPE_ARRAY, "(sssuub)", &arr))
		return false;
	for (uint32_t i = 0; i < core->n_enforcers; i++) {
		const struct pm_enforcer *e = &core->enforcers[i];
		dbus_uint32_t pid = e->pid, sources = e->sources;
		dbus_bool_t acked = pm_core_is_current(core, e);

		if (!dbus_message_iter_open_container(&arr, DBUS_TYPE_STRUCT, NULL, &st) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &e->name) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &e->process) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &e->host) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT32, &pid) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT32, &sources) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_BOOLEAN, &acked) ||
		    !dbus_message_iter_close_container(&arr, &st)) {
			dbus_message_iter_abandon_container_if_open(&arr, &st);
			dbus_message_iter_abandon_container_if_open(var, &arr);
			return false;
		}
	}
	return dbus_message_iter_close_container(var, &arr);
}

static bool append_sources(DBusMessageIter *var, const struct pm_source *list, uint32_t n)
{
	DBusMessageIter arr = DBUS_MESSAGE_ITER_INIT_CLOSED;
	DBusMessageIter st = DBUS_MESSAGE_ITER_INIT_CLOSED;

	if (!dbus_message_iter_open_container(var, DBUS_TYPE_ARRAY, "(uss)", &arr))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		const struct pm_source *src = &list[i];
		dbus_uint32_t id = src->id;

		if (!dbus_message_iter_open_container(&arr, DBUS_TYPE_STRUCT, NULL, &st) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT32, &id) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &src->name) ||
		    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &src->media_class) ||
		    !dbus_message_iter_close_container(&arr, &st)) {
			dbus_message_iter_abandon_container_if_open(&arr, &st);
			dbus_message_iter_abandon_container_if_open(var, &arr);
			return false;
		}
	}
	return dbus_message_iter_close_container(var, &arr);
}

/* (tsuss): generation, caller, pid, executable, how */
static bool append_last_change(DBusMessageIter *var, const struct pm_core *core)
{
	DBusMessageIter st = DBUS_MESSAGE_ITER_INIT_CLOSED;
	const struct pm_change *c = &core->last_change;
	dbus_uint64_t generation = c->generation;
	dbus_uint32_t pid = c->pid;
	const char *caller = c->caller ? c->caller : "";
	const char *exe = c->executable ? c->executable : "";
	const char *how = c->how ? c->how : "";

	if (!dbus_message_iter_open_container(var, DBUS_TYPE_STRUCT, NULL, &st) ||
	    !dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT64, &generation) ||
	    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &caller) ||
	    !dbus_message_iter_append_basic(&st, DBUS_TYPE_UINT32, &pid) ||
	    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &exe) ||
	    !dbus_message_iter_append_basic(&st, DBUS_TYPE_STRING, &how)) {
		dbus_message_iter_abandon_container_if_open(var, &st);
		return false;
	}
	return dbus_message_iter_close_container(var, &st);
}

int pm_args_append_property(DBusMessageIter *it, const struct pm_core *core,
		const char *name)
{
	DBusMessageIter var = DBUS_MESSAGE_ITER_INIT_CLOSED;
	dbus_bool_t b;
	dbus_uint64_t t;
	uint32_t mask = pm_args_property_mask(name);
	const char *sig;
	bool ok;

	switch (mask) {
	case PM_CHANGED_MUTED:
	case PM_CHANGED_ENFORCED:
	case PM_CHANGED_FOLLOW:
	case PM_CHANGED_LOCKED:
	case PM_CHANGED_SPEECH:
	case PM_CHANGED_NOTIFY_SPEECH:
	case PM_CHANGED_NOTIFY_CAPTURE:
	case PM_CHANGED_DAEMON:
		sig = "b";
		break;
	case PM_CHANGED_GENERATION:
		sig = "t";
		break;
	case PM_CHANGED_ENFORCERS:
		sig = "a(sssuub)";
		break;
	case PM_CHANGED_UNGUARDED:
	case PM_CHANGED_EXEMPT:
		sig = "a(uss)";
		break;
	case PM_CHANGED_LAST_CHANGE:
		sig = "(tsuss)";
		break;
	default:
		return -ENOENT;
	}
	if (!dbus_message_iter_open_container(it, DBUS_TYPE_VARIANT, sig, &var))
		return -ENOMEM;
	switch (mask) {
	case PM_CHANGED_MUTED:
	case PM_CHANGED_ENFORCED:
	case PM_CHANGED_FOLLOW:
	case PM_CHANGED_LOCKED:
	case PM_CHANGED_SPEECH:
	case PM_CHANGED_NOTIFY_SPEECH:
	case PM_CHANGED_NOTIFY_CAPTURE:
	case PM_CHANGED_DAEMON:
		b = mask == PM_CHANGED_DAEMON ? pm_core_has_daemon_enforcer(core) :
			mask == PM_CHANGED_MUTED ? core->muted :
			mask == PM_CHANGED_ENFORCED ? core->enforced :
			mask == PM_CHANGED_FOLLOW ? core->follow_source_mute :
			mask == PM_CHANGED_LOCKED ? core->locked :
			mask == PM_CHANGED_SPEECH ? core->speech_detection :
			mask == PM_CHANGED_NOTIFY_SPEECH ? core->notify_speech :
			core->notify_capture;
		ok = dbus_message_iter_append_basic(&var, DBUS_TYPE_BOOLEAN, &b);
		break;
	case PM_CHANGED_GENERATION:
		t = core->generation;
		ok = dbus_message_iter_append_basic(&var, DBUS_TYPE_UINT64, &t);
		break;
	case PM_CHANGED_ENFORCERS:
		ok = append_enforcers(&var, core);
		break;
	case PM_CHANGED_LAST_CHANGE:
		ok = append_last_change(&var, core);
		break;
	case PM_CHANGED_EXEMPT:
		ok = append_sources(&var, core->exempt, core->n_exempt);
		break;
	default:
		ok = append_sources(&var, core->unguarded, core->n_unguarded);
		break;
	}
	if (!ok || !dbus_message_iter_close_container(it, &var)) {
		dbus_message_iter_abandon_container_if_open(it, &var);
		return -ENOMEM;
	}
	return 0;
}

bool pm_args_append_properties(DBusMessageIter *it, const struct pm_core *core,
		uint32_t mask)
{
	DBusMessageIter dict = DBUS_MESSAGE_ITER_INIT_CLOSED;
	DBusMessageIter entry = DBUS_MESSAGE_ITER_INIT_CLOSED;

	if (mask & (PM_CHANGED_MUTED | PM_CHANGED_GENERATION))
		mask |= PM_CHANGED_MUTED | PM_CHANGED_GENERATION;
	/* derived from the enforcers */
	if (mask & PM_CHANGED_ENFORCERS)
		mask |= PM_CHANGED_DAEMON;

	if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sv}", &dict))
		return false;
	for (size_t i = 0; i < N_PROPERTIES; i++) {
		if (!(mask & properties[i].mask))
			continue;
		if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
		    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &properties[i].name) ||
		    pm_args_append_property(&entry, core, properties[i].name) < 0 ||
		    !dbus_message_iter_close_container(&dict, &entry)) {
			dbus_message_iter_abandon_container_if_open(&dict, &entry);
			dbus_message_iter_abandon_container_if_open(it, &dict);
			return false;
		}
	}
	return dbus_message_iter_close_container(it, &dict);
}
