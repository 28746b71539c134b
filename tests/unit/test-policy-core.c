/* privacy-mute unit test: policy state machine and enforcer registry */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy-core.h"

static int failures;
#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

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

int main(void)
{
	test_init();
	test_no_enforcer();
	test_register_ack();
	test_set_muted();
	test_generation_wraps();
	test_limits();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
