/* privacy-mute unit test: policy state machine and enforcer registry */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy-core.h"

#include "check.h"

static const struct pm_enforcer_info info_a = { "pipewire", "host", 100, 2 };
static const struct pm_enforcer_info info_b = { "wireplumber", "host", 200, 1 };

static void test_init(void)
{
	struct pm_core core;

	pm_core_init(&core, true, 0);
	CHECK(core.muted);
	CHECK(core.generation == 1);	/* never 0 */
	CHECK(!core.enforced);
	CHECK(core.n_enforcers == 0);
	pm_core_clear(&core);

	pm_core_init(&core, false, 42);
	CHECK(!core.muted && core.generation == 42);
	pm_core_clear(&core);
}

static void test_no_enforcer(void)
{
	struct pm_core core;

	pm_core_init(&core, false, 1);
	/* nobody can confirm: answered at once, never enforced */
	CHECK(pm_core_wait_verdict(&core, core.generation, false) == PM_WAIT_NOT_ENFORCED);
	CHECK(pm_core_set_muted(&core, true) == (PM_CHANGED_MUTED | PM_CHANGED_GENERATION));
	CHECK(!core.enforced);
	CHECK(pm_core_wait_verdict(&core, core.generation, false) == PM_WAIT_NOT_ENFORCED);
	pm_core_clear(&core);
}

static void test_register_ack(void)
{
	struct pm_core core;
	struct pm_enforcer *a;
	uint32_t changed;

	pm_core_init(&core, false, 7);
	CHECK(pm_core_register(&core, ":1.1", &info_a, &changed) == 0);
	CHECK(changed == PM_CHANGED_ENFORCERS);
	CHECK(core.n_enforcers == 1);
	a = pm_core_find(&core, ":1.1");
	CHECK(a != NULL && strcmp(a->process, "pipewire") == 0 && a->pid == 100);
	CHECK(!pm_core_is_current(&core, a));
	CHECK(!core.enforced);
	CHECK(pm_core_wait_verdict(&core, 7, false) == PM_WAIT_PENDING);
	CHECK(pm_core_wait_verdict(&core, 7, true) == PM_WAIT_NOT_ENFORCED);

	/* another generation, or the other state, does not count */
	CHECK(pm_core_acknowledge(&core, ":1.1", 6, false, 2, &changed) == 0);
	CHECK(!core.enforced && !(changed & PM_CHANGED_ENFORCED));
	CHECK(pm_core_acknowledge(&core, ":1.1", 7, true, 2, &changed) == 0);
	CHECK(!core.enforced);
	/* a generation not issued yet is refused, and not kept for later */
	CHECK(pm_core_acknowledge(&core, ":1.1", 8, true, 2, &changed) == -ERANGE);
	CHECK(changed == 0 && !core.enforced);
	CHECK(pm_core_acknowledge(&core, ":1.1", UINT64_MAX, false, 2, &changed) == -ERANGE);
	CHECK(pm_core_set_muted(&core, true) != 0 && core.generation == 8);
	CHECK(!core.enforced && !pm_core_is_current(&core, pm_core_find(&core, ":1.1")));
	CHECK(pm_core_set_muted(&core, false) != 0 && core.generation == 9);
	pm_core_clear(&core);
	pm_core_init(&core, false, 7);
	CHECK(pm_core_register(&core, ":1.1", &info_a, &changed) == 0);

	CHECK(pm_core_acknowledge(&core, ":1.1", 7, false, 2, &changed) == 0);
	CHECK(changed == (PM_CHANGED_ENFORCED | PM_CHANGED_ENFORCERS));
	CHECK(core.enforced);
	CHECK(pm_core_wait_verdict(&core, 7, false) == PM_WAIT_ENFORCED);

	/* the same acknowledgement again changes nothing; a new source
	 * count shows in Enforcers */
	CHECK(pm_core_acknowledge(&core, ":1.1", 7, false, 2, &changed) == 0);
	CHECK(changed == 0);
	CHECK(pm_core_acknowledge(&core, ":1.1", 7, false, 5, &changed) == 0);
	CHECK(changed == PM_CHANGED_ENFORCERS);
	CHECK(pm_core_find(&core, ":1.1")->sources == 5);

	/* a second enforcer: not enforced until it acknowledges too */
	CHECK(pm_core_register(&core, ":1.2", &info_b, &changed) == 0);
	CHECK(changed == (PM_CHANGED_ENFORCERS | PM_CHANGED_ENFORCED));
	CHECK(!core.enforced);
	CHECK(pm_core_wait_verdict(&core, 7, false) == PM_WAIT_PENDING);
	CHECK(pm_core_acknowledge(&core, ":1.2", 7, false, 1, &changed) == 0);
	CHECK(core.enforced);

	/* unknown names */
	CHECK(pm_core_acknowledge(&core, ":1.9", 7, false, 1, &changed) == -ENOENT);
	CHECK(changed == 0);
	CHECK(pm_core_unregister(&core, ":1.9", &changed) == -ENOENT);
	CHECK(pm_core_find(&core, ":1.9") == NULL);

	/* registering again restarts the duty to acknowledge */
	CHECK(pm_core_register(&core, ":1.1", &info_b, &changed) == 0);
	CHECK(core.n_enforcers == 2);
	CHECK(!core.enforced);
	CHECK(strcmp(pm_core_find(&core, ":1.1")->process, "wireplumber") == 0);
	CHECK(pm_core_acknowledge(&core, ":1.1", 7, false, 1, &changed) == 0);
	CHECK(core.enforced);
	pm_core_clear(&core);
	CHECK(core.n_enforcers == 0 && core.enforcers == NULL);
}

static void test_set_muted(void)
{
	struct pm_core core;
	uint32_t changed;
	uint64_t old;

	pm_core_init(&core, false, 1);
	pm_core_register(&core, ":1.1", &info_a, &changed);
	pm_core_register(&core, ":1.2", &info_b, &changed);
	pm_core_acknowledge(&core, ":1.1", 1, false, 2, &changed);
	pm_core_acknowledge(&core, ":1.2", 1, false, 1, &changed);
	CHECK(core.enforced);

	/* the current state: nothing changes */
	CHECK(pm_core_set_muted(&core, false) == 0);
	CHECK(core.generation == 1 && core.enforced);

	old = core.generation;
	changed = pm_core_set_muted(&core, true);
	CHECK(changed == (PM_CHANGED_MUTED | PM_CHANGED_GENERATION |
				PM_CHANGED_ENFORCERS | PM_CHANGED_ENFORCED));
	CHECK(core.muted && core.generation == old + 1);
	CHECK(!core.enforced);
	/* a call waiting for the old state is superseded */
	CHECK(pm_core_wait_verdict(&core, old, false) == PM_WAIT_NOT_ENFORCED);
	CHECK(pm_core_wait_verdict(&core, core.generation, false) == PM_WAIT_PENDING);

	pm_core_acknowledge(&core, ":1.1", core.generation, true, 2, &changed);
	CHECK(!core.enforced);
	/* the laggard leaves: the rest confirmed, so enforced */
	CHECK(pm_core_unregister(&core, ":1.2", &changed) == 0);
	CHECK(changed == (PM_CHANGED_ENFORCERS | PM_CHANGED_ENFORCED));
	CHECK(core.enforced && core.n_enforcers == 1);
	CHECK(pm_core_wait_verdict(&core, core.generation, false) == PM_WAIT_ENFORCED);

	/* the last one leaves: nothing enforces the mute any more */
	CHECK(pm_core_unregister(&core, ":1.1", &changed) == 0);
	CHECK(changed == (PM_CHANGED_ENFORCERS | PM_CHANGED_ENFORCED));
	CHECK(!core.enforced && core.n_enforcers == 0 && core.enforcers == NULL);
	CHECK(pm_core_wait_verdict(&core, core.generation, false) == PM_WAIT_NOT_ENFORCED);
	pm_core_clear(&core);
}

static void test_generation_wraps(void)
{
	struct pm_core core;

	pm_core_init(&core, false, UINT64_MAX);
	CHECK(core.generation == UINT64_MAX);
	pm_core_set_muted(&core, true);
	CHECK(core.generation == 1);
	pm_core_set_muted(&core, false);
	CHECK(core.generation == 2);
	pm_core_clear(&core);
}

static void test_limits(void)
{
	struct pm_core core;
	struct pm_enforcer_info info = { 0 };
	char name[32], big[PM_MAX_INFO_STRING + 2];
	uint32_t changed;
	int i;

	pm_core_init(&core, false, 1);

	/* NULL strings are kept as "" */
	CHECK(pm_core_register(&core, ":1.0", &info, &changed) == 0);
	CHECK(strcmp(pm_core_find(&core, ":1.0")->process, "") == 0);
	CHECK(strcmp(pm_core_find(&core, ":1.0")->host, "") == 0);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	info.process = big;	/* one byte over */
	CHECK(pm_core_register(&core, ":1.big", &info, &changed) == -E2BIG);
	CHECK(changed == 0 && pm_core_find(&core, ":1.big") == NULL);
	big[PM_MAX_INFO_STRING] = '\0';	/* exactly the limit */
	CHECK(pm_core_register(&core, ":1.big", &info, &changed) == 0);
	CHECK(pm_core_unregister(&core, ":1.big", &changed) == 0);
	info.process = NULL;

	for (i = 1; i < PM_MAX_ENFORCERS; i++) {
		snprintf(name, sizeof(name), ":1.%d", i);
		if (pm_core_register(&core, name, &info, &changed) != 0)
			break;
	}
	CHECK(i == PM_MAX_ENFORCERS);
	CHECK(core.n_enforcers == PM_MAX_ENFORCERS);
	CHECK(pm_core_register(&core, ":2.0", &info, &changed) == -ENOSPC);
	CHECK(changed == 0);
	/* a known name may register again when full */
	CHECK(pm_core_register(&core, ":1.5", &info, &changed) == 0);
	CHECK(core.n_enforcers == PM_MAX_ENFORCERS);

	/* removal from the middle keeps the others */
	CHECK(pm_core_unregister(&core, ":1.100", &changed) == 0);
	CHECK(pm_core_find(&core, ":1.100") == NULL);
	CHECK(pm_core_find(&core, ":1.99") != NULL && pm_core_find(&core, ":1.101") != NULL);
	CHECK(pm_core_register(&core, ":2.0", &info, &changed) == 0);
	pm_core_clear(&core);
}

/* The Unguarded list of core is exactly want[0..n) (id, name, class). */
static bool unguarded_is(const struct pm_core *core, const struct pm_source_info *want,
		uint32_t n)
{
	if (core->n_unguarded != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (core->unguarded[i].id != want[i].id ||
		    strcmp(core->unguarded[i].name, want[i].name) != 0 ||
		    strcmp(core->unguarded[i].media_class, want[i].media_class) != 0 ||
		    core->unguarded[i].guarded)
			return false;
	return true;
}

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static void test_unguarded(void)
{
	/* the daemon sees every source; two are client-nodes of WirePlumber */
	static const struct pm_source_info daemon[] = {
		{ 40, "alsa_input.mic", "Audio/Source", true },
		{ 52, "bluez_input.headset", "Audio/Source", false },
		{ 47, "app.virtual-mic", "Audio/Source/Virtual", false },
		{ 47, "app.virtual-mic", "Audio/Source/Virtual", false },	/* twice */
		{ 60, "bluez_input.other", "Audio/Source", false },
	};
	/* WirePlumber guards what it hosts, under the same node names */
	static const struct pm_source_info wp[] = {
		{ 0, "bluez_input.headset", "Audio/Source", true },
		{ 0, "bluez_input.other", "Audio/Source", true },
	};
	static const struct pm_source_info want_daemon_only[] = {
		{ 47, "app.virtual-mic", "Audio/Source/Virtual", false },
		{ 52, "bluez_input.headset", "Audio/Source", false },
		{ 60, "bluez_input.other", "Audio/Source", false },
	};
	static const struct pm_source_info want_with_wp[] = {
		{ 47, "app.virtual-mic", "Audio/Source/Virtual", false },
	};
	struct pm_source *list;
	uint32_t changed, n;
	struct pm_core core;

	pm_core_init(&core, false, 1);
	/* only registered enforcers report */
	CHECK(pm_core_report(&core, ":1.1", daemon, N(daemon), &changed) == -ENOENT);
	CHECK(changed == 0);

	pm_core_register(&core, ":1.1", &info_a, &changed);
	pm_core_register(&core, ":1.2", &info_b, &changed);
	CHECK(core.n_unguarded == 0 && core.unguarded == NULL);
	/* an empty report changes nothing */
	CHECK(pm_core_report(&core, ":1.1", NULL, 0, &changed) == 0);
	CHECK(changed == 0);

	/* deduplicated by (id, name), sorted by id */
	CHECK(pm_core_report(&core, ":1.1", daemon, N(daemon), &changed) == 0);
	CHECK(changed == PM_CHANGED_UNGUARDED);
	CHECK(unguarded_is(&core, want_daemon_only, N(want_daemon_only)));
	CHECK(pm_core_find(&core, ":1.1")->n_report == N(daemon));
	/* the same report again: no change to announce */
	CHECK(pm_core_report(&core, ":1.1", daemon, N(daemon), &changed) == 0);
	CHECK(changed == 0);

	/* another enforcer's guarded = true covers the same node name */
	CHECK(pm_core_report(&core, ":1.2", wp, N(wp), &changed) == 0);
	CHECK(changed == PM_CHANGED_UNGUARDED);
	CHECK(unguarded_is(&core, want_with_wp, N(want_with_wp)));

	/* the pure function gives the same list */
	CHECK(pm_core_compute_unguarded(&core, &list, &n) == 0);
	CHECK(n == 1 && list != NULL && list[0].id == 47 &&
			strcmp(list[0].name, "app.virtual-mic") == 0);
	pm_sources_free(list, n);

	/* a report replaces the previous one: WirePlumber lost a headset */
	CHECK(pm_core_report(&core, ":1.2", wp, 1, &changed) == 0);
	CHECK(changed == PM_CHANGED_UNGUARDED);
	CHECK(core.n_unguarded == 2 && core.unguarded[1].id == 60);

	/* an enforcer that leaves takes its report along: covered no more */
	CHECK(pm_core_unregister(&core, ":1.2", &changed) == 0);
	CHECK(changed & PM_CHANGED_UNGUARDED);
	CHECK(unguarded_is(&core, want_daemon_only, N(want_daemon_only)));
	/* one without a report leaves the list alone */
	pm_core_register(&core, ":1.3", &info_b, &changed);
	CHECK(!(changed & PM_CHANGED_UNGUARDED));
	CHECK(pm_core_unregister(&core, ":1.3", &changed) == 0);
	CHECK(changed == PM_CHANGED_ENFORCERS);

	/* registering again drops the report too */
	pm_core_register(&core, ":1.2", &info_b, &changed);
	CHECK(pm_core_report(&core, ":1.2", wp, N(wp), &changed) == 0);
	CHECK(unguarded_is(&core, want_with_wp, N(want_with_wp)));
	CHECK(pm_core_register(&core, ":1.2", &info_b, &changed) == 0);
	CHECK(changed & PM_CHANGED_UNGUARDED);
	CHECK(pm_core_find(&core, ":1.2")->n_report == 0);
	CHECK(unguarded_is(&core, want_daemon_only, N(want_daemon_only)));

	/* the daemon's enforcer leaves: nobody reports anything unguarded */
	CHECK(pm_core_unregister(&core, ":1.1", &changed) == 0);
	CHECK(changed & PM_CHANGED_UNGUARDED);
	CHECK(core.n_unguarded == 0 && core.unguarded == NULL);
	pm_core_clear(&core);
}

/* Every enforcer reports every capture node it sees: covered by the same
 * daemon id, or by name for a report with id 0; exempt is its own list;
 * a mute is enforced only with nothing unguarded. */
static void test_covered(void)
{
	/* WirePlumber, with the daemon's enforcer missing: it sees the
	 * daemon's microphone (unguarded) and guards its own */
	static const struct pm_source_info wp[] = {
		{ 0, "bluez_input.headset", "Audio/Source", true },
		{ 40, "alsa_input.mic", "Audio/Source", false },
		{ 52, "bluez_input.headset", "Audio/Source", false },
		{ 61, "trusted-loopback", "Audio/Source", false },
		/* a client names its node like a guarded one: another id */
		{ 70, "alsa_input.mic", "Audio/Source", false },
	};
	static const struct pm_source_info daemon[] = {
		{ 40, "alsa_input.mic", "Audio/Source", true },
		{ 52, "bluez_input.headset", "Audio/Source", false },
		{ 61, "trusted-loopback", "Audio/Source", false, true },
		{ 70, "alsa_input.mic", "audio/source", true },
	};
	struct pm_source *list;
	uint32_t changed, n;
	struct pm_core core;

	pm_core_init(&core, false, 1);
	pm_core_register(&core, ":1.2", &info_b, &changed);
	CHECK(pm_core_acknowledge(&core, ":1.2", 1, false, 1, &changed) == 0);
	CHECK(core.enforced);
	CHECK(pm_core_report(&core, ":1.2", wp, N(wp), &changed) == 0);
	CHECK(core.n_unguarded == 3 && core.unguarded[0].id == 40 &&
			core.unguarded[1].id == 61 && core.unguarded[2].id == 70);
	/* unmuted, what is unguarded does not matter */
	CHECK(core.enforced && !(changed & PM_CHANGED_ENFORCED));
	/* muted and acknowledged, still not enforced: 40 would leak */
	changed = pm_core_set_muted(&core, true);
	CHECK(pm_core_acknowledge(&core, ":1.2", core.generation, true, 1, &changed) == 0);
	CHECK(!core.enforced);
	CHECK(pm_core_wait_verdict(&core, core.generation, false) == PM_WAIT_PENDING);
	CHECK(pm_core_wait_verdict(&core, core.generation, true) == PM_WAIT_NOT_ENFORCED);

	/* the daemon's enforcer comes: it guards 40 and 70, exempts 61 */
	pm_core_register(&core, ":1.1", &info_a, &changed);
	CHECK(pm_core_acknowledge(&core, ":1.1", core.generation, true, 2, &changed) == 0);
	CHECK(!core.enforced);
	CHECK(pm_core_report(&core, ":1.1", daemon, N(daemon), &changed) == 0);
	CHECK(core.n_unguarded == 0 && core.unguarded == NULL);
	CHECK(changed & PM_CHANGED_UNGUARDED && changed & PM_CHANGED_EXEMPT &&
			changed & PM_CHANGED_ENFORCED);
	CHECK(core.enforced);
	CHECK(core.n_exempt == 1 && core.exempt[0].id == 61 &&
			strcmp(core.exempt[0].name, "trusted-loopback") == 0 && core.exempt[0].exempt);
	CHECK(pm_core_compute_exempt(&core, &list, &n) == 0);
	CHECK(n == 1 && list[0].id == 61);
	pm_sources_free(list, n);

	/* the daemon's guard of 70 goes: 70 is not covered by the name
	 * alsa_input.mic, which 40 carries, because both reports give ids */
	CHECK(pm_core_report(&core, ":1.1", daemon, 3, &changed) == 0);
	CHECK(core.n_unguarded == 1 && core.unguarded[0].id == 70);
	CHECK(!core.enforced && (changed & PM_CHANGED_ENFORCED));
	/* unmuting needs no coverage */
	changed = pm_core_set_muted(&core, false);
	CHECK(pm_core_acknowledge(&core, ":1.1", core.generation, false, 2, &changed) == 0);
	CHECK(pm_core_acknowledge(&core, ":1.2", core.generation, false, 1, &changed) == 0);
	CHECK(core.enforced);
	pm_core_clear(&core);
	CHECK(core.n_exempt == 0 && core.exempt == NULL);
}

static void test_unguarded_order(void)
{
	/* the same (id, name) from two enforcers, names sorted within an id,
	 * id 0 (unknown) first; guarded by the reporter itself never counts */
	static const struct pm_source_info a[] = {
		{ 9, "b", "Audio/Source", false },
		{ 0, "z", "Audio/Source", false },
		{ 9, "a", "Audio/Duplex", false },
		{ 3, "own", "Audio/Source", true },
	};
	static const struct pm_source_info b[] = {
		{ 9, "b", "Audio/Source", false },
		{ 0, "y", "Audio/Source", false },
		{ 9, "b", "Audio/Other", false },	/* same (id, name), other class */
	};
	static const struct pm_source_info want[] = {
		{ 0, "y", "Audio/Source", false },
		{ 0, "z", "Audio/Source", false },
		{ 9, "a", "Audio/Duplex", false },
		{ 9, "b", "Audio/Other", false },	/* first by class, whoever reported it */
	};
	struct pm_core core;
	uint32_t changed;

	pm_core_init(&core, false, 1);
	pm_core_register(&core, ":1.1", &info_a, &changed);
	pm_core_register(&core, ":1.2", &info_b, &changed);
	CHECK(pm_core_report(&core, ":1.1", a, N(a), &changed) == 0);
	CHECK(pm_core_report(&core, ":1.2", b, N(b), &changed) == 0);
	CHECK(unguarded_is(&core, want, N(want)));
	pm_core_clear(&core);
	CHECK(core.n_unguarded == 0 && core.unguarded == NULL);
}

static void test_report_limits(void)
{
	static struct pm_source_info many[PM_MAX_SOURCES + 1];
	static const struct pm_source_info one[] = {
		{ 5, "virtual", "Audio/Source", false },
	};
	struct pm_source_info bad = { 7, "x", "Audio/Source", false };
	char big[PM_MAX_INFO_STRING + 2], name[32];
	static char names[PM_MAX_SOURCES + 1][16];
	struct pm_core core;
	uint32_t changed;

	pm_core_init(&core, false, 1);
	pm_core_register(&core, ":1.1", &info_a, &changed);
	CHECK(pm_core_report(&core, ":1.1", one, 1, &changed) == 0);
	CHECK(core.n_unguarded == 1);

	/* one entry too many: refused, the previous report stands */
	for (uint32_t i = 0; i <= PM_MAX_SOURCES; i++) {
		snprintf(names[i], sizeof(names[i]), "src%u", i);
		many[i] = (struct pm_source_info) { i + 1, names[i], "Audio/Source", false };
	}
	CHECK(pm_core_report(&core, ":1.1", many, PM_MAX_SOURCES + 1, &changed) == -ENOSPC);
	CHECK(changed == 0);
	CHECK(pm_core_find(&core, ":1.1")->n_report == 1);
	CHECK(core.n_unguarded == 1 && core.unguarded[0].id == 5);

	/* strings one byte over the limit, in either field */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad.name = big;
	CHECK(pm_core_report(&core, ":1.1", &bad, 1, &changed) == -E2BIG);
	bad.name = "x";
	bad.media_class = big;
	CHECK(pm_core_report(&core, ":1.1", &bad, 1, &changed) == -E2BIG);
	CHECK(changed == 0);
	CHECK(core.n_unguarded == 1 && core.unguarded[0].id == 5);

	/* exactly the limits */
	big[PM_MAX_INFO_STRING] = '\0';
	bad.name = big;
	CHECK(pm_core_report(&core, ":1.1", &bad, 1, &changed) == 0);
	CHECK(changed == PM_CHANGED_UNGUARDED);
	CHECK(core.n_unguarded == 1 && strlen(core.unguarded[0].name) == PM_MAX_INFO_STRING);
	CHECK(pm_core_report(&core, ":1.1", many, PM_MAX_SOURCES, &changed) == 0);
	CHECK(core.n_unguarded == PM_MAX_SOURCES);

	/* NULL strings are kept as "" */
	bad = (struct pm_source_info) { 1, NULL, NULL, false };
	CHECK(pm_core_report(&core, ":1.1", &bad, 1, &changed) == 0);
	CHECK(core.n_unguarded == 1 && strcmp(core.unguarded[0].name, "") == 0 &&
			strcmp(core.unguarded[0].media_class, "") == 0);

	/* every enforcer's report counts, not just the first */
	for (int i = 2; i < 10; i++) {
		snprintf(name, sizeof(name), ":1.%d", i);
		pm_core_register(&core, name, &info_b, &changed);
		CHECK(pm_core_report(&core, name, many, PM_MAX_SOURCES, &changed) == 0);
	}
	/* deduplicated across the nine reports */
	CHECK(core.n_unguarded == PM_MAX_SOURCES + 1);
	pm_core_clear(&core);
}

/* The lock rules: a lock mutes; while locked, muting works and unmuting
 * (SetMuted(false), Toggle of the muted state) is refused; unlocking
 * leaves the state muted. */
static void test_lock(void)
{
	struct pm_core core;
	uint32_t changed, gen;

	pm_core_init(&core, false, 1);
	CHECK(pm_core_may_set_muted(&core, false) == 0 && pm_core_may_set_muted(&core, true) == 0);
	changed = pm_core_set_locked(&core, true);
	CHECK(core.locked && core.muted && core.generation == 2);
	CHECK(changed & PM_CHANGED_LOCKED && changed & PM_CHANGED_MUTED &&
			changed & PM_CHANGED_GENERATION);
	CHECK(pm_core_may_set_muted(&core, true) == 0);
	CHECK(pm_core_may_set_muted(&core, false) == -EPERM);
	/* the toggle of a muted state is an unmute */
	CHECK(pm_core_may_set_muted(&core, !core.muted) == -EPERM);
	/* refused even when asked directly: nothing changes */
	gen = core.generation;
	CHECK(pm_core_set_muted(&core, false) == 0 && core.muted && core.generation == gen);
	CHECK(pm_core_set_muted(&core, true) == 0);
	/* locking again changes nothing */
	CHECK(pm_core_set_locked(&core, true) == 0);

	changed = pm_core_set_locked(&core, false);
	CHECK(changed == PM_CHANGED_LOCKED && !core.locked && core.muted && core.generation == gen);
	CHECK(pm_core_set_locked(&core, false) == 0);
	CHECK(pm_core_set_muted(&core, false) != 0 && !core.muted);

	/* locking what is muted already: only the lock changes */
	pm_core_set_muted(&core, true);
	gen = core.generation;
	CHECK(pm_core_set_locked(&core, true) == PM_CHANGED_LOCKED && core.generation == gen);
	pm_core_clear(&core);
}

int main(void)
{
	test_init();
	test_no_enforcer();
	test_register_ack();
	test_set_muted();
	test_generation_wraps();
	test_limits();
	test_unguarded();
	test_unguarded_order();
	test_covered();
	test_report_limits();
	test_lock();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
