/* privacy-mute: the policy's properties as a client sees them, and printed */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dbus-take.h"
#include "policy-core.h"
#include "status.h"

static void enforcers_free(struct pm_status_enforcer *e, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].process);
		free(e[i].host);
	}
	free(e);
}

static void sources_free(struct pm_status_source *s, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].media_class);
	}
	free(s);
}

static void change_free(struct pm_status_change *c)
{
	free(c->caller);
	free(c->executable);
	free(c->how);
	*c = (struct pm_status_change) { 0 };
}

static void owner_free(struct pm_status_owner *o)
{
	free(o->name);
	free(o->executable);
	free(o->why);
	*o = (struct pm_status_owner) { 0 };
}

void pm_status_clear(struct pm_status *st)
{
	enforcers_free(st->enforcers, st->n_enforcers);
	sources_free(st->unguarded, st->n_unguarded);
	sources_free(st->exempt, st->n_exempt);
	change_free(&st->last_change);
	owner_free(&st->owner);
	*st = (struct pm_status) { 0 };
}

int pm_status_set_owner(struct pm_status *st, bool verified, const char *name, uint32_t pid,
		const char *executable, const char *why)
{
	struct pm_status_owner o = {
		.checked = true,
		.verified = verified,
		.name = strdup(name ? name : ""),
		.pid = pid,
		.executable = strdup(executable ? executable : ""),
		.why = strdup(why ? why : ""),
	};

	if (o.name == NULL || o.executable == NULL || o.why == NULL) {
		owner_free(&o);
		return -ENOMEM;
	}
	owner_free(&st->owner);
	st->owner = o;
	return 0;
}

/* a(sssuub) */
static int parse_enforcers(DBusMessageIter *var, struct pm_status_enforcer **out,
		uint32_t *n_out)
{
	struct pm_status_enforcer *arr = NULL, *tmp, *e;
	DBusMessageIter it, st;
	uint32_t n = 0;
	dbus_uint32_t pid, sources;
	dbus_bool_t acked;
	int res = -EINVAL;

	if (dbus_message_iter_get_arg_type(var) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(var) != DBUS_TYPE_STRUCT)
		return -EINVAL;
	dbus_message_iter_recurse(var, &it);
	while (dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_STRUCT) {
		if ((tmp = realloc(arr, (n + 1) * sizeof(*arr))) == NULL) {
			res = -ENOMEM;
			goto fail;
		}
		arr = tmp;
		e = &arr[n++];
		*e = (struct pm_status_enforcer) { 0 };
		dbus_message_iter_recurse(&it, &st);
		if ((res = pm_take_string(&st, &e->name)) < 0 ||
		    (res = pm_take_string(&st, &e->process)) < 0 ||
		    (res = pm_take_string(&st, &e->host)) < 0)
			goto fail;
		res = -EINVAL;
		if (!pm_take(&st, DBUS_TYPE_UINT32, &pid) ||
		    !pm_take(&st, DBUS_TYPE_UINT32, &sources) ||
		    !pm_take(&st, DBUS_TYPE_BOOLEAN, &acked) ||
		    dbus_message_iter_get_arg_type(&st) != DBUS_TYPE_INVALID)
			goto fail;
		e->pid = pid;
		e->sources = sources;
		e->acknowledged = acked;
		dbus_message_iter_next(&it);
	}
	*out = arr;
	*n_out = n;
	return 0;
fail:
	enforcers_free(arr, n);
	return res;
}

/* a(uss) */
static int parse_sources(DBusMessageIter *var, struct pm_status_source **out,
		uint32_t *n_out)
{
	struct pm_status_source *arr = NULL, *tmp, *src;
	DBusMessageIter it, st;
	uint32_t n = 0;
	dbus_uint32_t id;
	int res = -EINVAL;

	if (dbus_message_iter_get_arg_type(var) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(var) != DBUS_TYPE_STRUCT)
		return -EINVAL;
	dbus_message_iter_recurse(var, &it);
	while (dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_STRUCT) {
		if ((tmp = realloc(arr, (n + 1) * sizeof(*arr))) == NULL) {
			res = -ENOMEM;
			goto fail;
		}
		arr = tmp;
		src = &arr[n++];
		*src = (struct pm_status_source) { 0 };
		dbus_message_iter_recurse(&it, &st);
		res = -EINVAL;
		if (!pm_take(&st, DBUS_TYPE_UINT32, &id))
			goto fail;
		src->id = id;
		if ((res = pm_take_string(&st, &src->name)) < 0 ||
		    (res = pm_take_string(&st, &src->media_class)) < 0)
			goto fail;
		res = -EINVAL;
		if (dbus_message_iter_get_arg_type(&st) != DBUS_TYPE_INVALID)
			goto fail;
		dbus_message_iter_next(&it);
	}
	*out = arr;
	*n_out = n;
	return 0;
fail:
	sources_free(arr, n);
	return res;
}

/* (tsuss) */
static int parse_change(DBusMessageIter *var, struct pm_status_change *out)
{
	struct pm_status_change c = { 0 };
	DBusMessageIter st;
	dbus_uint64_t generation;
	dbus_uint32_t pid;
	int res = -EINVAL;

	if (dbus_message_iter_get_arg_type(var) != DBUS_TYPE_STRUCT)
		return -EINVAL;
	dbus_message_iter_recurse(var, &st);
	if (!pm_take(&st, DBUS_TYPE_UINT64, &generation) ||
	    (res = pm_take_string(&st, &c.caller)) < 0)
		goto fail;
	res = -EINVAL;
	if (!pm_take(&st, DBUS_TYPE_UINT32, &pid) ||
	    (res = pm_take_string(&st, &c.executable)) < 0 ||
	    (res = pm_take_string(&st, &c.how)) < 0)
		goto fail;
	res = -EINVAL;
	if (dbus_message_iter_get_arg_type(&st) != DBUS_TYPE_INVALID)
		goto fail;
	c.generation = generation;
	c.pid = pid;
	*out = c;
	return 0;
fail:
	change_free(&c);
	return res;
}

int pm_status_update(struct pm_status *st, DBusMessageIter *it)
{
	struct pm_status next = *st;
	struct pm_status_enforcer *enf = NULL;
	uint32_t n_enf = 0;
	bool have_enf = false;
	struct pm_status_source *ung = NULL, *ex = NULL;
	uint32_t n_ung = 0, n_ex = 0;
	bool have_ung = false, have_ex = false;
	struct pm_status_change chg = { 0 };
	bool have_chg = false;
	DBusMessageIter dict, entry, var;
	const char *key;
	dbus_bool_t b;
	dbus_uint64_t t;
	int res = -EINVAL;

	if (dbus_message_iter_get_arg_type(it) != DBUS_TYPE_ARRAY ||
	    dbus_message_iter_get_element_type(it) != DBUS_TYPE_DICT_ENTRY)
		return -EINVAL;
	dbus_message_iter_recurse(it, &dict);
	while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
		dbus_message_iter_recurse(&dict, &entry);
		if (!pm_take(&entry, DBUS_TYPE_STRING, &key) ||
		    dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_VARIANT)
			goto fail;
		dbus_message_iter_recurse(&entry, &var);

		if (strcmp(key, "Muted") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.muted = b;
			next.have |= PM_CHANGED_MUTED;
		} else if (strcmp(key, "Enforced") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.enforced = b;
			next.have |= PM_CHANGED_ENFORCED;
		} else if (strcmp(key, "DaemonEnforcer") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.daemon_enforcer = b;
			next.have |= PM_CHANGED_DAEMON;
		} else if (strcmp(key, "FollowSourceMute") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.follow_source_mute = b;
			next.have |= PM_CHANGED_FOLLOW;
		} else if (strcmp(key, "Locked") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.locked = b;
			next.have |= PM_CHANGED_LOCKED;
		} else if (strcmp(key, "SpeechDetection") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.speech_detection = b;
			next.have |= PM_CHANGED_SPEECH;
		} else if (strcmp(key, "NotifySpeech") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.notify_speech = b;
			next.have |= PM_CHANGED_NOTIFY_SPEECH;
		} else if (strcmp(key, "NotifyCapture") == 0) {
			if (!pm_take(&var, DBUS_TYPE_BOOLEAN, &b))
				goto fail;
			next.notify_capture = b;
			next.have |= PM_CHANGED_NOTIFY_CAPTURE;
		} else if (strcmp(key, "Generation") == 0) {
			if (!pm_take(&var, DBUS_TYPE_UINT64, &t))
				goto fail;
			next.generation = t;
			next.have |= PM_CHANGED_GENERATION;
		} else if (strcmp(key, "Enforcers") == 0) {
			/* a repeated key: the last one counts */
			enforcers_free(enf, n_enf);
			enf = NULL;
			n_enf = 0;
			if ((res = parse_enforcers(&var, &enf, &n_enf)) < 0)
				goto fail;
			res = -EINVAL;
			have_enf = true;
			next.have |= PM_CHANGED_ENFORCERS;
		} else if (strcmp(key, "Unguarded") == 0) {
			sources_free(ung, n_ung);
			ung = NULL;
			n_ung = 0;
			if ((res = parse_sources(&var, &ung, &n_ung)) < 0)
				goto fail;
			res = -EINVAL;
			have_ung = true;
			next.have |= PM_CHANGED_UNGUARDED;
		} else if (strcmp(key, "Exempt") == 0) {
			sources_free(ex, n_ex);
			ex = NULL;
			n_ex = 0;
			if ((res = parse_sources(&var, &ex, &n_ex)) < 0)
				goto fail;
			res = -EINVAL;
			have_ex = true;
			next.have |= PM_CHANGED_EXEMPT;
		} else if (strcmp(key, "LastChangedBy") == 0) {
			change_free(&chg);
			if ((res = parse_change(&var, &chg)) < 0)
				goto fail;
			res = -EINVAL;
			have_chg = true;
			next.have |= PM_CHANGED_LAST_CHANGE;
		}
		dbus_message_iter_next(&dict);
	}
	if (have_chg) {
		change_free(&st->last_change);
		next.last_change = chg;
	}
	if (have_enf) {
		enforcers_free(st->enforcers, st->n_enforcers);
		next.enforcers = enf;
		next.n_enforcers = n_enf;
	}
	if (have_ung) {
		sources_free(st->unguarded, st->n_unguarded);
		next.unguarded = ung;
		next.n_unguarded = n_ung;
	}
	if (have_ex) {
		sources_free(st->exempt, st->n_exempt);
		next.exempt = ex;
		next.n_exempt = n_ex;
	}
	*st = next;
	return 0;
fail:
	enforcers_free(enf, n_enf);
	sources_free(ung, n_ung);
	sources_free(ex, n_ex);
	change_free(&chg);
	return res;
}

uint32_t pm_status_acknowledged(const struct pm_status *st)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < st->n_enforcers; i++)
		n += st->enforcers[i].acknowledged;
	return n;
}

/* Control characters could rewrite the terminal; the rest is valid UTF-8
 * (D-Bus guarantees it) and printed as is. */
void pm_text_print_string(FILE *f, const char *s)
{
	if (s == NULL || *s == '\0') {
		fputs("?", f);
		return;
	}
	for (; *s; s++)
		fputc(((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s, f);
}

static void print_text_enforcers(FILE *f, const struct pm_status *st)
{
	fprintf(f, "enforcers: %" PRIu32 "\n", st->n_enforcers);
	for (uint32_t i = 0; i < st->n_enforcers; i++) {
		const struct pm_status_enforcer *e = &st->enforcers[i];

		fputs("  ", f);
		pm_text_print_string(f, e->name);
		fputc(' ', f);
		pm_text_print_string(f, e->process);
		fprintf(f, " pid %" PRIu32 " on ", e->pid);
		pm_text_print_string(f, e->host);
		fprintf(f, ": %" PRIu32 " source%s, %s\n", e->sources,
				e->sources == 1 ? "" : "s",
				e->acknowledged ? "acknowledged" : "not acknowledged");
	}
}

static void print_text_owner(FILE *f, const struct pm_status_owner *o)
{
	if (!o->checked)
		return;
	fputs(o->verified ? "policy: verified (" : "policy: NOT VERIFIED (", f);
	pm_text_print_string(f, o->name);
	fprintf(f, ", pid %" PRIu32, o->pid);
	if (o->executable[0]) {
		fputs(", ", f);
		pm_text_print_string(f, o->executable);
	}
	fputs(")", f);
	if (!o->verified) {
		fputs(": ", f);
		pm_text_print_string(f, o->why);
		fputs("; whatever it says is not shown, and the enforcers do not follow it", f);
	}
	fputc('\n', f);
}

static void print_text_change(FILE *f, const struct pm_status_change *c)
{
	if (c->generation == 0) {
		fputs("last changed by: nobody since the policy started\n", f);
		return;
	}
	fputs("last changed by: ", f);
	if (c->pid != 0) {
		fprintf(f, "pid %" PRIu32 " (", c->pid);
		pm_text_print_string(f, c->executable);
		fputs(") ", f);
	}
	pm_text_print_string(f, c->caller);
	fputs(" with ", f);
	pm_text_print_string(f, c->how);
	fprintf(f, " (generation %" PRIu64 ")\n", c->generation);
}

/* "LABEL: none", or "LABEL: N" and a line per source */
static void print_text_sources(FILE *f, const char *label,
		const struct pm_status_source *list, uint32_t n)
{
	if (n == 0) {
		fprintf(f, "%s: none\n", label);
		return;
	}
	fprintf(f, "%s: %" PRIu32 "\n", label, n);
	for (uint32_t i = 0; i < n; i++) {
		fputs("  ", f);
		pm_text_print_string(f, list[i].name);
		fputs(" (", f);
		pm_text_print_string(f, list[i].media_class);
		fprintf(f, ", id %" PRIu32 ")\n", list[i].id);
	}
}

void pm_status_print_text(FILE *f, const struct pm_status *st)
{
	print_text_owner(f, &st->owner);
	if (st->owner.checked && !st->owner.verified)
		return;
	if (st->have & PM_CHANGED_MUTED)
		fprintf(f, "state: %s\n", st->muted ? "muted" : "unmuted");
	if (st->have & PM_CHANGED_ENFORCED)
		fprintf(f, "enforced: %s\n", st->enforced ? "yes" : "no");
	if (st->have & PM_CHANGED_GENERATION)
		fprintf(f, "generation: %" PRIu64 "\n", st->generation);
	if (st->have & PM_CHANGED_LOCKED)
		fprintf(f, "locked: %s\n", st->locked ? "yes (by the administrator)" : "no");
	if (st->have & PM_CHANGED_FOLLOW)
		fprintf(f, "follows the default source's mute: %s\n",
				st->follow_source_mute ? "yes" : "no");
	if (st->have & PM_CHANGED_SPEECH)
		fprintf(f, "speech detection: %s\n", st->speech_detection ? "on" : "off");
	if (st->have & (PM_CHANGED_NOTIFY_SPEECH | PM_CHANGED_NOTIFY_CAPTURE))
		fprintf(f, "notifications: speech %s, capture %s\n",
				st->notify_speech ? "on" : "off", st->notify_capture ? "on" : "off");
	if (st->have & PM_CHANGED_LAST_CHANGE)
		print_text_change(f, &st->last_change);
	if (st->have & PM_CHANGED_ENFORCERS)
		print_text_enforcers(f, st);
	/* its microphones, if any, show below as unguarded */
	if ((st->have & PM_CHANGED_DAEMON) && !st->daemon_enforcer)
		fputs("daemon enforcer: MISSING (the module is not loaded into pipewire)\n", f);
	/* after the enforcers: the capture sources none of them guards */
	if (st->have & PM_CHANGED_UNGUARDED)
		print_text_sources(f, "unguarded", st->unguarded, st->n_unguarded);
	/* rare, and chosen by the user: shown only when there are some */
	if ((st->have & PM_CHANGED_EXEMPT) && st->n_exempt > 0)
		print_text_sources(f, "exempt", st->exempt, st->n_exempt);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

static void print_json_owner(FILE *f, const struct pm_status_owner *o)
{
	fprintf(f, "\"verified\": %s, \"policy\": {\"name\": ", json_bool(o->verified));
	pm_json_print_string(f, o->name);
	fprintf(f, ", \"pid\": %" PRIu32 ", \"executable\": ", o->pid);
	pm_json_print_string(f, o->executable);
	if (!o->verified) {
		fputs(", \"reason\": ", f);
		pm_json_print_string(f, o->why);
	}
	fputc('}', f);
}

static void print_json_change(FILE *f, const struct pm_status_change *c)
{
	fputs(", \"last_changed_by\": ", f);
	if (c->generation == 0) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"generation\": %" PRIu64 ", \"caller\": ", c->generation);
	pm_json_print_string(f, c->caller);
	fprintf(f, ", \"pid\": %" PRIu32 ", \"executable\": ", c->pid);
	pm_json_print_string(f, c->executable);
	fputs(", \"how\": ", f);
	pm_json_print_string(f, c->how);
	fputc('}', f);
}

static void print_json_sources(FILE *f, const struct pm_status_source *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		fprintf(f, "%s{\"id\": %" PRIu32 ", \"name\": ", i ? ", " : "", list[i].id);
		pm_json_print_string(f, list[i].name);
		fputs(", \"class\": ", f);
		pm_json_print_string(f, list[i].media_class);
		fputc('}', f);
	}
}

void pm_status_print_json(FILE *f, const struct pm_status *st)
{
	if (st->owner.checked && !st->owner.verified) {
		fputc('{', f);
		print_json_owner(f, &st->owner);
		fputs("}\n", f);
		return;
	}
	if (st->owner.checked) {
		fputc('{', f);
		print_json_owner(f, &st->owner);
		fputs(", ", f);
	} else {
		fputc('{', f);
	}
	fprintf(f, "\"muted\": %s, \"enforced\": %s, \"generation\": %" PRIu64
			", \"enforcers\": [", json_bool(st->muted),
			json_bool(st->enforced), st->generation);
	for (uint32_t i = 0; i < st->n_enforcers; i++) {
		const struct pm_status_enforcer *e = &st->enforcers[i];

		fputs(i ? ", {\"name\": " : "{\"name\": ", f);
		pm_json_print_string(f, e->name);
		fputs(", \"process\": ", f);
		pm_json_print_string(f, e->process);
		fputs(", \"host\": ", f);
		pm_json_print_string(f, e->host);
		fprintf(f, ", \"pid\": %" PRIu32 ", \"sources\": %" PRIu32
				", \"acknowledged\": %s}", e->pid, e->sources,
				json_bool(e->acknowledged));
	}
	fputs("], \"unguarded\": [", f);
	print_json_sources(f, st->unguarded, st->n_unguarded);
	fputs("], \"exempt\": [", f);
	print_json_sources(f, st->exempt, st->n_exempt);
	fprintf(f, "], \"daemon_enforcer\": %s, \"follow_source_mute\": %s, \"locked\": %s, "
			"\"speech_detection\": %s, \"notify_speech\": %s, \"notify_capture\": %s",
			json_bool(st->daemon_enforcer), json_bool(st->follow_source_mute), json_bool(st->locked),
			json_bool(st->speech_detection), json_bool(st->notify_speech),
			json_bool(st->notify_capture));
	if (st->have & PM_CHANGED_LAST_CHANGE)
		print_json_change(f, &st->last_change);
	fputs("}\n", f);
}

void pm_status_print_bar(FILE *f, const struct pm_status *st)
{
	const char *text, *alt, *cls;
	char *tip = NULL;
	size_t tip_size = 0;
	FILE *t;

	if (st == NULL) {
		fputs("{\"text\": \"mic ?\", \"alt\": \"unavailable\", \"class\": \"unavailable\", "
				"\"tooltip\": \"privacy-mute: the policy service is not running\", "
				"\"muted\": null, \"enforced\": null}\n", f);
		return;
	}
	/* the class says what the user must know first: a mute that is not
	 * in force is not a mute */
	alt = st->muted ? "muted" : "unmuted";
	if (st->muted && st->enforced) {
		text = "mic muted";
		cls = "muted";
	} else if (st->muted) {
		text = "mic muted (not enforced)";
		cls = "muted-not-enforced";
	} else {
		text = "mic on";
		cls = st->enforced ? "unmuted" : "unmuted-not-enforced";
	}

	if ((t = open_memstream(&tip, &tip_size)) != NULL) {
		fprintf(t, "Privacy mute %s, %s", st->muted ? "on" : "off",
				st->enforced ? "enforced" : "NOT enforced");
		fprintf(t, "\n%" PRIu32 " of %" PRIu32 " enforcers confirmed",
				pm_status_acknowledged(st), st->n_enforcers);
		for (uint32_t i = 0; i < st->n_enforcers; i++)
			fprintf(t, "\n  %s (pid %" PRIu32 "): %" PRIu32 " source%s",
					st->enforcers[i].process ? st->enforcers[i].process : "?",
					st->enforcers[i].pid, st->enforcers[i].sources,
					st->enforcers[i].sources == 1 ? "" : "s");
		if (st->n_unguarded > 0)
			fprintf(t, "\nunguarded: %" PRIu32, st->n_unguarded);
		for (uint32_t i = 0; i < st->n_unguarded; i++)
			fprintf(t, "\n  %s", st->unguarded[i].name ? st->unguarded[i].name : "?");
		if (fclose(t) != 0) {
			free(tip);
			tip = NULL;
		}
	}
	fputs("{\"text\": ", f);
	pm_json_print_string(f, text);
	fprintf(f, ", \"alt\": \"%s\", \"class\": \"%s\", \"tooltip\": ", alt, cls);
	pm_json_print_string(f, tip ? tip : "");
	fprintf(f, ", \"muted\": %s, \"enforced\": %s}\n",
			json_bool(st->muted), json_bool(st->enforced));
	free(tip);
}
