/* privacy-mute: SetMuted and Toggle calls waiting for the enforcers' acknowledgements */
/* SPDX-License-Identifier: MIT */

#include "service-internal.h"

/* ---- waiting calls ---- */

static void log_unconfirmed(struct pm_service *s)
{
	if (s->timeout_logged == s->core.generation)
		return;
	s->timeout_logged = s->core.generation;
	pm_log("%s (generation %" PRIu64 ") not confirmed within %d ms: "
			"%u of %u enforcers acknowledged",
			s->core.muted ? "muted" : "unmuted", s->core.generation,
			s->ack_timeout_ms, count_current(&s->core), s->core.n_enforcers);
}

void check_pending(struct pm_service *s, int64_t now)
{
	struct pending **pp = &s->pending, *p;

	while ((p = *pp) != NULL) {
		bool expired = now >= p->deadline;
		enum pm_wait verdict = pm_core_wait_verdict(&s->core, p->generation, expired);

		if (verdict == PM_WAIT_PENDING) {
			pp = &p->next;
			continue;
		}
		if (verdict == PM_WAIT_NOT_ENFORCED && expired &&
		    p->generation == s->core.generation)
			log_unconfirmed(s);
		*pp = p->next;
		s->n_pending--;
		reply_state(s, p->call, p->toggle, p->muted, verdict == PM_WAIT_ENFORCED);
		dbus_message_unref(p->call);
		free(p);
	}
}

static bool add_pending(struct pm_service *s, DBusMessage *call, bool toggle)
{
	struct pending *p, **pp;

	if (s->n_pending >= MAX_PENDING) {
		/* once per flood, not once per call */
		if (!s->pending_full_logged)
			pm_log("%u calls already wait for enforcers; answering "
					"more at once", s->n_pending);
		s->pending_full_logged = true;
		return false;
	}
	s->pending_full_logged = false;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		pm_log("out of memory: answering at once");
		return false;
	}
	*p = (struct pending) {
		.call = dbus_message_ref(call),
		.generation = s->core.generation,
		.deadline = pm_now_ms() + s->ack_timeout_ms,
		.toggle = toggle,
		.muted = s->core.muted,
	};
	for (pp = &s->pending; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	s->n_pending++;
	return true;
}

/* Answer now if the verdict on the current state is known, else wait. */
void answer_or_wait(struct pm_service *s, DBusMessage *call, bool toggle)
{
	enum pm_wait verdict = pm_core_wait_verdict(&s->core, s->core.generation, false);

	if (verdict == PM_WAIT_PENDING) {
		/* the state is applied already; nobody listens for the verdict */
		if (dbus_message_get_no_reply(call))
			return;
		if (add_pending(s, call, toggle))
			return;
		verdict = PM_WAIT_NOT_ENFORCED;
	}
	reply_state(s, call, toggle, s->core.muted, verdict == PM_WAIT_ENFORCED);
}
