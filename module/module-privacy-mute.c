/* privacy-mute: PipeWire module entry */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <spa/node/utils.h>
#include <spa/utils/result.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "capture-links.h"
#include "export-hook.h"
#include "node-guard.h"
#include "classify.h"
#include "options.h"
#include "pm-config.h"
#include "own-nodes.h"
#include "policy-client.h"
#include "source-mute.h"
#include "suspender.h"
#include "vad.h"

/** \page page_module_privacy_mute Privacy Mute
 *
 * A microphone mute that applications cannot see through or undo.
 *
 * The module guards every capture source node that runs in the process
 * it is loaded into, by what the node is: adapter and spa-node-factory
 * nodes whose media.class is Audio/Source* or Audio/Duplex (in any case),
 * or whose SPA factory reads a capture device or makes audio (factory.name
 * api.*.source, audiotestsrc) whatever class a client gave them, or whose
 * SPA factory it does not know unless their class says they consume audio
 * (fail-closed); present at load time or created later; and the nodes of
 * pw_stream based sources this process exports, such as the PulseAudio
 * pipe and tunnel sources of pipewire-pulse. Load it into
 * every process that hosts microphones: the pipewire daemon, WirePlumber
 * (Bluetooth) and pipewire-pulse; each one registers as an enforcer. While
 * the privacy-mute policy (org.privacymute.Policy1 on D-Bus) says muted,
 * it writes digital silence into the source's own output buffers in the
 * data thread, before any consumer is triggered. The source's mute and
 * volume properties are left untouched, so a client cannot tell a privacy
 * mute from a quiet room, nor undo it.
 *
 * A new state is applied with an atomic flag plus a blocking invoke on the
 * data loop of every guarded node; only then is it acknowledged to the
 * policy. Before the policy has answered, and after it or the bus went
 * away, the last known state stays (at start: initial.state, muted by
 * default: fail-closed).
 *
 * ## Module Name
 *
 * `libpipewire-module-privacy-mute`
 *
 * ## Module Options
 *
 * - `policy.bus = session | system`: the bus of the policy (default session)
 * - `policy.executable = PATH`: on the session bus, only an owner of the
 *   policy's name that runs this executable (and as our uid) is followed;
 *   default the installed privacy-mute-policy. On the system bus the owner
 *   must be root. Anyone else holding the name is ignored, and the state
 *   stays as it is (fail-closed).
 * - `policy.uid = UID`: the user the policy runs as on the session bus
 *   (default: the user of this process)
 * - `initial.state = muted | unmuted`: the state until the policy answers
 *   (default muted)
 * - `monitor.sinks = true | false`: also silence the monitor outputs of
 *   sinks (what the speakers play), default false
 * - `exempt.nodes = [ PATTERN ... ]`: node.name patterns (fnmatch) that are
 *   never guarded, e.g. a loopback the user trusts; default none. Only
 *   nodes the configuration or a module made: a client-made node (client.id
 *   or object.linger) is guarded whatever its name.
 *
 * Unknown options and invalid values make the module refuse to load, with
 * a message naming the option.
 *
 * Every instance reports to the policy each capture node it can see in the
 * graph, its own guarded and exempt ones marked; the policy confirms a
 * mute only when none is left unguarded, so the microphones of a process
 * without the module (the daemon's, if it failed to load there) keep the
 * mute from being confirmed.
 *
 * Outside the daemon, a capture source of this process that the module
 * cannot reach (a pw_stream exported before a run-time load) keeps it from
 * confirming a mute while the source exists. In the daemon, the module also
 * reports changes of the default source's own mute to the policy, which
 * follows them only when started with --follow-source-mute.
 *
 * ## Example configuration
 *
 *\code{.unparsed}
 * # ~/.config/pipewire/pipewire.conf.d/privacy-mute.conf
 * context.modules = [
 *     { name = libpipewire-module-privacy-mute
 *       args = {
 *           policy.bus = session
 *           initial.state = muted
 *           #monitor.sinks = false
 *           #exempt.nodes = [ "my-trusted-loopback*" ]
 *       }
 *     }
 * ]
 *\endcode
 */

#define NAME "privacy-mute"

PW_LOG_TOPIC(pm_log_topic, "mod." NAME);
#define PW_LOG_TOPIC_DEFAULT pm_log_topic

#define MODULE_USAGE	"( policy.bus=<session|system, default session> ) "	\
			"( policy.executable=<path, default " PM_INSTALLED_POLICY "> ) " \
			"( policy.uid=<user id, default our own> ) "		\
			"( initial.state=<muted|unmuted, default muted> ) "	\
			"( monitor.sinks=<true|false, default false> ) "	\
			"( exempt.nodes=[ <node name pattern> ... ] ) "

static const struct spa_dict_item module_props[] = {
	{ PW_KEY_MODULE_AUTHOR, "The privacy-mute authors" },
	{ PW_KEY_MODULE_DESCRIPTION, "Microphone privacy mute enforced in the audio graph" },
	{ PW_KEY_MODULE_USAGE, MODULE_USAGE },
	{ PW_KEY_MODULE_VERSION, PACKAGE_VERSION },
};

struct guarded {
	struct spa_list link;
	struct impl *impl;
	struct pm_guard *guard;
	/* it had buffers before we guarded it: we cannot silence them, so
	 * the mute is not acknowledged until the node renegotiates (it is
	 * suspended, then linked again through us) */
	bool pending;
	struct spa_hook node_listener;
	/* speech while muted, decided on the main loop */
	struct pm_vad vad;
	uint64_t last_speech;	/* CLOCK_MONOTONIC ns of the last report, 0 none */
};

struct impl {
	struct pw_context *context;
	struct spa_hook module_listener;
	struct spa_hook context_listener;

	struct pm_options options;
	struct pm_mute mute;

	struct spa_list guarded;
	uint32_t n_guarded;
	uint32_t n_pending;

	struct pm_export_hook *export_hook;
	struct pm_suspender *suspender;
	/* outside the daemon: the capture nodes we exported, as it lists them */
	struct pm_own_nodes *own_nodes;
	uint32_t n_stray;
	/* in the daemon: the default source's own mute, for the policy */
	struct pm_source_mute *source_mute;
	/* in the daemon: the links of capture sources, for the capture log */
	struct pm_capture_links *captures;
	struct spa_source *speech_timer;
	struct pm_policy_client *policy;
	/* in the daemon we see every source of the graph, hosted here or not */
	bool daemon;
	struct spa_source *report_timer;
	uint64_t generation;	/* of the state applied, 0 before the policy spoke */
};

/* Tell the policy how many sources we guard, once it knows us: the
 * acknowledgement of the state in force carries the count. */
static void schedule_report(struct impl *impl);
static void acknowledge(struct impl *impl);
static uint32_t daemon_id(struct impl *impl, struct pw_impl_node *node);

static void report_sources(struct impl *impl)
{
	if (impl->policy == NULL)
		return;
	schedule_report(impl);
	if (impl->generation != 0)
		acknowledge(impl);
	else
		pm_policy_client_set_sources(impl->policy, impl->n_guarded);
}

static void guard_destroyed(void *data, struct pm_guard *guard)
{
	struct guarded *g = data;
	struct impl *impl = g->impl;

	spa_list_remove(&g->link);
	impl->n_guarded--;
	if (g->pending) {
		spa_hook_remove(&g->node_listener);
		impl->n_pending--;
	}
	free(g);
	report_sources(impl);
	acknowledge(impl);
}

static const struct pm_guard_events guard_events = {
	.destroyed = guard_destroyed,
};

static const char *factory_name(struct impl *impl, const struct pw_properties *props)
{
	uint32_t id = pw_properties_get_uint32(props, PW_KEY_FACTORY_ID, SPA_ID_INVALID);
	struct pw_global *global;
	struct pw_impl_factory *factory;

	if (id == SPA_ID_INVALID)
		return NULL;
	global = pw_context_find_global(impl->context, id);
	if (global == NULL || !pw_global_is_type(global, PW_TYPE_INTERFACE_Factory))
		return NULL;
	factory = pw_global_get_object(global);
	return factory ? pw_impl_factory_get_info(factory)->name : NULL;
}

static bool node_is_local(struct impl *impl, const struct pw_properties *props)
{
	return pm_node_is_local(factory_name(impl, props),
			pw_properties_get(props, PW_KEY_FACTORY_ID) != NULL,
			pw_properties_get(props, PW_KEY_CLIENT_ID) != NULL);
}

/* exempt.nodes names it, and the configuration or a module made it */
static bool node_is_exempt(struct impl *impl, const struct pw_properties *props)
{
	return pm_options_is_exempt(&impl->options, pw_properties_get(props, PW_KEY_NODE_NAME)) &&
		pm_node_may_be_exempt(pw_properties_get(props, PW_KEY_CLIENT_ID) != NULL,
				pw_properties_get_bool(props, PW_KEY_OBJECT_LINGER, false));
}

static struct guarded *maybe_guard(struct impl *impl, struct pw_impl_node *node)
{
	const struct pw_properties *props = pw_impl_node_get_properties(node);
	const char *media_class = pw_properties_get(props, PW_KEY_MEDIA_CLASS);
	const char *spa_factory = pw_properties_get(props, PW_KEY_FACTORY_NAME);
	const char *name = pw_properties_get(props, PW_KEY_NODE_NAME);
	struct guarded *g;

	if (!node_is_local(impl, props) ||
	    !pm_node_is_guarded(&impl->options, media_class, spa_factory, true))
		return NULL;
	if (node_is_exempt(impl, props)) {
		pw_log_info("not guarding source '%s': exempt.nodes", name);
		return NULL;
	}
	if (pm_options_is_exempt(&impl->options, name))
		pw_log_warn("source '%s' matches exempt.nodes but a client made it: guarded", name);

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		pw_log_error("out of memory guarding %s", name);
		return NULL;
	}
	g->impl = impl;
	pm_vad_init(&g->vad);
	g->guard = pm_guard_new(node, &impl->mute, &guard_events, g);
	if (g->guard == NULL) {
		if (errno != EEXIST)
			pw_log_error("cannot guard source '%s': %m", name);
		free(g);
		return NULL;
	}
	spa_list_append(&impl->guarded, &g->link);
	impl->n_guarded++;
	report_sources(impl);
	pw_log_info("guarding source '%s' (%s, %s)", name, media_class,
			spa_factory ? spa_factory : "stream");
	return g;
}

#define MAX_REPORT	1024

struct report {
	struct impl *impl;
	struct pm_source_report *items;
	uint32_t n_items;
};

static struct guarded *find_guarded(struct impl *impl, struct pw_impl_node *node)
{
	struct guarded *g;
	spa_list_for_each(g, &impl->guarded, link)
		if (pm_guard_get_node(g->guard) == node)
			return g;
	return NULL;
}

static void report_add(struct report *r, uint32_t id, const char *name,
		const char *media_class, bool guarded, bool exempt)
{
	if (r->n_items >= MAX_REPORT)
		return;
	r->items[r->n_items++] = (struct pm_source_report) {
		.id = id == SPA_ID_INVALID ? 0 : id,
		.name = name,
		.media_class = media_class,
		.guarded = guarded,
		.exempt = exempt,
	};
}

static void report_node(struct report *r, uint32_t id, struct pw_impl_node *node,
		bool guarded, bool exempt)
{
	const struct pw_properties *props = pw_impl_node_get_properties(node);

	report_add(r, id, pw_properties_get(props, PW_KEY_NODE_NAME),
			pw_properties_get(props, PW_KEY_MEDIA_CLASS), guarded, exempt);
}

/* A node of this context: one we guard (a pending one counts as not
 * guarded yet), one exempt.nodes leaves alone, or, in the daemon, any
 * other capture node of the graph, unguarded (client-nodes of sources
 * hosted elsewhere included: their own enforcers cover them). */
static int report_global(void *data, struct pw_global *global)
{
	struct report *r = data;
	const struct pw_properties *props;
	struct pw_impl_node *node;
	struct guarded *g;
	bool local;

	if (!pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		return 0;
	node = pw_global_get_object(global);
	props = pw_impl_node_get_properties(node);
	local = node_is_local(r->impl, props);
	if ((g = find_guarded(r->impl, node)) != NULL) {
		if (r->impl->daemon)
			report_node(r, pw_global_get_id(global), node, !g->pending, false);
		return 0;
	}
	if (!pm_node_captures(pw_properties_get(props, PW_KEY_MEDIA_CLASS),
				pw_properties_get(props, PW_KEY_FACTORY_NAME), local))
		return 0;
	if (local && node_is_exempt(r->impl, props))
		report_node(r, r->impl->daemon ? pw_global_get_id(global) :
				daemon_id(r->impl, node), node, false, true);
	else if (r->impl->daemon)
		report_node(r, pw_global_get_id(global), node, false, false);
	return 0;
}

/* Elsewhere: every capture node the daemon lists that we did not report
 * yet, unguarded. Without the daemon's enforcer its microphones then
 * show up as unguarded. */
static void report_seen(void *data, uint32_t id, const char *name, const char *media_class)
{
	struct report *r = data;

	for (uint32_t i = 0; i < r->n_items; i++)
		if (r->items[i].id == id)
			return;
	report_add(r, id, name, media_class, false, false);
}

/* Every enforcer reports every capture node it can see, its own guarded
 * (and exempt) ones marked; the policy lists the ones none covers. */
static void send_report(void *data, uint64_t expirations)
{
	struct impl *impl = data;
	struct report r = { .impl = impl };
	struct guarded *g;

	if ((r.items = calloc(MAX_REPORT, sizeof(*r.items))) == NULL) {
		pw_log_error("out of memory building the source report");
		return;
	}
	if (!impl->daemon) {
		/* pw_stream sources are not globals here */
		spa_list_for_each(g, &impl->guarded, link)
			report_node(&r, daemon_id(impl, pm_guard_get_node(g->guard)),
					pm_guard_get_node(g->guard), !g->pending, false);
	}
	pw_context_for_each_global(impl->context, report_global, &r);
	if (impl->own_nodes)
		pm_own_nodes_for_each_capture(impl->own_nodes, report_seen, &r);
	pm_policy_client_report_sources(impl->policy, r.items, r.n_items);
	free(r.items);
}

/* Coalesce the bursts of node changes at start into one report. */
static void schedule_report(struct impl *impl)
{
	struct timespec value = { .tv_nsec = 100 * SPA_NSEC_PER_MSEC }, interval = { 0 };
	if (impl->report_timer)
		pw_loop_update_timer(pw_context_get_main_loop(impl->context),
				impl->report_timer, &value, &interval, false);
}

static bool is_capture_node(struct pw_global *global)
{
	const struct pw_properties *props;

	if (!pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		return false;
	props = pw_impl_node_get_properties(pw_global_get_object(global));
	return pm_node_captures(pw_properties_get(props, PW_KEY_MEDIA_CLASS),
			pw_properties_get(props, PW_KEY_FACTORY_NAME), false);
}

static void context_global_added(void *data, struct pw_global *global)
{
	struct impl *impl = data;

	if (pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		maybe_guard(impl, pw_global_get_object(global));
	if (impl->daemon && is_capture_node(global))
		schedule_report(impl);
}

static void context_global_removed(void *data, struct pw_global *global)
{
	struct impl *impl = data;

	if (impl->daemon && is_capture_node(global))
		schedule_report(impl);
}

static const struct pw_context_events context_events = {
	PW_VERSION_CONTEXT_EVENTS,
	.global_added = context_global_added,
	.global_removed = context_global_removed,
};

static void node_exported(void *data, struct pw_impl_node *node)
{
	maybe_guard(data, node);
}

static void pending_done(struct guarded *g)
{
	struct impl *impl = g->impl;

	if (!g->pending)
		return;
	g->pending = false;
	spa_hook_remove(&g->node_listener);
	impl->n_pending--;
	schedule_report(impl);
	acknowledge(impl);
}

static void pending_state_changed(void *data, enum pw_node_state old,
		enum pw_node_state state, const char *error)
{
	struct guarded *g = data;
	/* suspended: its buffers are gone, the next ones pass through us */
	if (state <= PW_NODE_STATE_SUSPENDED) {
		pw_log_info("source '%s' renegotiates: guarded from now on",
				pw_properties_get(pw_impl_node_get_properties(
						pm_guard_get_node(g->guard)), PW_KEY_NODE_NAME));
		pending_done(g);
	}
}

static const struct pw_impl_node_events pending_events = {
	PW_VERSION_IMPL_NODE_EVENTS,
	.state_changed = pending_state_changed,
};

static int guard_existing(void *data, struct pw_global *global)
{
	struct impl *impl = data;
	struct pw_impl_node *node;
	struct guarded *g;

	if (!pw_global_is_type(global, PW_TYPE_INTERFACE_Node))
		return 0;
	node = pw_global_get_object(global);
	if ((g = maybe_guard(impl, node)) == NULL ||
	    pw_impl_node_get_info(node)->state < PW_NODE_STATE_IDLE)
		return 0;
	g->pending = true;
	impl->n_pending++;
	pw_impl_node_add_listener(node, &g->node_listener, &pending_events, g);
	pw_log_warn("source '%s' already streams: its buffers were set up before the module "
			"was loaded, so the mute is not confirmed until it renegotiates; "
			"asking the daemon to suspend it",
			pw_properties_get(pw_impl_node_get_properties(node), PW_KEY_NODE_NAME));
	if (impl->suspender)
		pm_suspender_request(impl->suspender,
				pw_properties_get(pw_impl_node_get_properties(node), PW_KEY_NODE_NAME));
	return 0;
}

static bool guards_name(struct impl *impl, const char *name)
{
	struct guarded *g;
	spa_list_for_each(g, &impl->guarded, link)
		if (spa_streq(pw_properties_get(pw_impl_node_get_properties(
					pm_guard_get_node(g->guard)), PW_KEY_NODE_NAME), name))
			return true;
	return false;
}

static bool is_stray(void *data, uint32_t id, const char *name)
{
	struct impl *impl = data;
	return !guards_name(impl, name) && !pm_options_is_exempt(&impl->options, name);
}

static bool log_stray(void *data, uint32_t id, const char *name)
{
	if (!is_stray(data, id, name))
		return false;
	pw_log_warn("source '%s' (%u) runs in this process but was exported before the "
			"module was loaded: it cannot be silenced here, so a mute is not "
			"confirmed while it exists", name, id);
	return true;
}

/* Capture sources of this process that we never saw: pw_streams exported
 * before a run-time load. Their buffers are out of our reach. */
static uint32_t count_stray(struct impl *impl)
{
	return impl->own_nodes ? pm_own_nodes_for_each(impl->own_nodes, is_stray, impl) : 0;
}

static void own_nodes_changed(void *data)
{
	struct impl *impl = data;
	uint32_t n = count_stray(impl);

	/* a capture node came or went in the graph */
	schedule_report(impl);
	if (n == impl->n_stray)
		return;
	if (n > impl->n_stray)
		pm_own_nodes_for_each(impl->own_nodes, log_stray, impl);
	impl->n_stray = n;
	acknowledge(impl);
}

static const struct pm_own_nodes_events own_nodes_events = {
	.changed = own_nodes_changed,
};

#define SPEECH_INTERVAL_MS	100
#define SPEECH_REPORT_NS	(30 * SPA_NSEC_PER_SEC)

/* Someone captures from the source: in the daemon we see its links; a
 * source hosted elsewhere runs only while something consumes it. */
static bool is_consumed(struct impl *impl, struct guarded *g)
{
	struct pw_impl_node *node = pm_guard_get_node(g->guard);

	if (impl->captures)
		return pm_capture_links_count(impl->captures, node) > 0;
	return pw_impl_node_get_info(node)->state == PW_NODE_STATE_RUNNING;
}

/* Every 100 ms while muted: the levels the data threads measured feed one
 * voice-activity decision per source. Only "speech on <source>", at most
 * every 30 s per source, ever leaves this process. */
static void speech_tick(void *data, uint64_t expirations)
{
	struct impl *impl = data;
	struct guarded *g;
	struct timespec ts;
	uint64_t now;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = SPA_TIMESPEC_TO_NSEC(&ts);
	spa_list_for_each(g, &impl->guarded, link) {
		if (pm_guard_take_level(g->guard, &ms) == 0 || !is_consumed(impl, g)) {
			pm_vad_reset(&g->vad);
			continue;
		}
		if (!pm_vad_feed(&g->vad, ms, SPEECH_INTERVAL_MS) ||
		    (g->last_speech != 0 && now - g->last_speech < SPEECH_REPORT_NS))
			continue;
		g->last_speech = now;
		pw_log_info("speech while muted on '%s'", pw_properties_get(
					pw_impl_node_get_properties(pm_guard_get_node(g->guard)),
					PW_KEY_NODE_NAME));
		pm_policy_client_speech(impl->policy, pw_properties_get(
					pw_impl_node_get_properties(pm_guard_get_node(g->guard)),
					PW_KEY_NODE_NAME));
	}
}

/* What follows the mute on the main loop: the speech decision runs only
 * while muted, and the capture log covers only muted stretches. */
static void mute_changed(struct impl *impl, bool muted)
{
	struct timespec value = { .tv_nsec = SPEECH_INTERVAL_MS * SPA_NSEC_PER_MSEC };
	struct timespec interval = value, off = { 0 };
	struct guarded *g;
	double ms;

	if (impl->captures)
		pm_capture_links_set_muted(impl->captures, muted);
	if (impl->speech_timer)
		pw_loop_update_timer(pw_context_get_main_loop(impl->context), impl->speech_timer,
				muted ? &value : &off, muted ? &interval : &off, false);
	spa_list_for_each(g, &impl->guarded, link) {
		pm_guard_take_level(g->guard, &ms);
		pm_vad_reset(&g->vad);
	}
}

static void capture_started(void *data, uint32_t id, const struct pm_capture_info *info)
{
	struct impl *impl = data;
	pm_policy_client_capture_started(impl->policy, id, info->source, info->application,
			info->pid, info->binary);
}

static void capture_stopped(void *data, uint32_t id)
{
	struct impl *impl = data;
	pm_policy_client_capture_stopped(impl->policy, id);
}

static const struct pm_capture_links_events capture_events = {
	.started = capture_started,
	.stopped = capture_stopped,
};

/* Apply a state: store it, then wait until every data loop that runs a
 * guarded node has finished the cycle it was in. Every later cycle sees
 * the new state, so it is enforced when this returns. */
static void apply_state(struct impl *impl, bool muted)
{
	struct guarded *g;

	if (muted && !__atomic_load_n(&impl->mute.muted, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&impl->mute.engage, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&impl->mute.muted, muted ? 1 : 0, __ATOMIC_RELEASE);

	spa_list_for_each(g, &impl->guarded, link)
		pm_guard_sync(g->guard);
	mute_changed(impl, muted);
}

/* Acknowledge the state in force, unless it is a mute that a source we
 * cannot silence yet (pending) or at all (stray) would leak through: then
 * Enforced stays false until that source renegotiates or goes away. */
static void acknowledge(struct impl *impl)
{
	bool muted = __atomic_load_n(&impl->mute.muted, __ATOMIC_ACQUIRE);
	uint32_t n_stray;

	if (impl->policy == NULL || impl->generation == 0)
		return;
	if (muted && impl->n_pending > 0) {
		pw_log_warn("mute (generation %" PRIu64 ") not confirmed: %u sources "
				"still stream with buffers set up before the module was loaded",
				impl->generation, impl->n_pending);
		return;
	}
	if (muted && (n_stray = count_stray(impl)) > 0) {
		pw_log_warn("mute (generation %" PRIu64 ") not confirmed: %u sources of this "
				"process were exported before the module was loaded",
				impl->generation, n_stray);
		return;
	}
	pm_policy_client_ack(impl->policy, impl->generation, muted, impl->n_guarded);
}

static void policy_state(void *data, bool muted, uint64_t generation)
{
	struct impl *impl = data;

	apply_state(impl, muted);
	impl->generation = generation;
	pw_log_info("%s applied on %u sources (generation %" PRIu64 ")",
			muted ? "mute" : "unmute", impl->n_guarded, generation);
	acknowledge(impl);
	/* after a (re)registration the policy has no report from us */
	schedule_report(impl);
}

static void source_mute_changed(void *data, const char *source, bool muted)
{
	struct impl *impl = data;
	pm_policy_client_source_mute(impl->policy, source, muted);
}

static const struct pm_source_mute_events source_mute_events = {
	.changed = source_mute_changed,
};

static const struct pm_policy_client_events policy_events = {
	.state = policy_state,
};

/* The daemon's id of a node we guard: in the daemon its own; elsewhere the
 * node's object.id is the one of our own context, so find it by name
 * among the nodes the daemon lists for this process. */
static uint32_t daemon_id(struct impl *impl, struct pw_impl_node *node)
{
	const struct pw_properties *p = pw_impl_node_get_properties(node);
	const char *str;

	if (p == NULL)
		return SPA_ID_INVALID;
	if (impl->own_nodes != NULL)
		return pm_own_nodes_find(impl->own_nodes, pw_properties_get(p, PW_KEY_NODE_NAME));
	str = pw_properties_get(p, PW_KEY_OBJECT_ID);
	return str ? (uint32_t)atoi(str) : SPA_ID_INVALID;
}

static void impl_free(struct impl *impl)
{
	struct guarded *g, *t;

	if (impl->policy)
		pm_policy_client_destroy(impl->policy);
	impl->policy = NULL;
	if (impl->report_timer)
		pw_loop_destroy_source(pw_context_get_main_loop(impl->context), impl->report_timer);
	impl->report_timer = NULL;
	if (impl->export_hook)
		pm_export_hook_destroy(impl->export_hook);
	if (impl->suspender) {
		/* sources that run on our private buffers renegotiate without us */
		uint32_t ids[64], n_ids = 0, id;
		spa_list_for_each(g, &impl->guarded, link) {
			if (n_ids < SPA_N_ELEMENTS(ids) && pm_guard_is_shadowing(g->guard) &&
			    (id = daemon_id(impl, pm_guard_get_node(g->guard))) != SPA_ID_INVALID)
				ids[n_ids++] = id;
		}
		pm_suspender_farewell(impl->suspender, ids, n_ids);
		pm_suspender_destroy(impl->suspender);
	}
	if (impl->own_nodes)
		pm_own_nodes_destroy(impl->own_nodes);
	if (impl->source_mute)
		pm_source_mute_destroy(impl->source_mute);
	if (impl->captures)
		pm_capture_links_destroy(impl->captures);
	if (impl->speech_timer)
		pw_loop_destroy_source(pw_context_get_main_loop(impl->context), impl->speech_timer);
	spa_hook_remove(&impl->context_listener);
	spa_list_for_each_safe(g, t, &impl->guarded, link) {
		spa_list_remove(&g->link);
		if (g->pending)
			spa_hook_remove(&g->node_listener);
		pm_guard_destroy(g->guard);
		free(g);
	}
	free(impl);
}

static void module_destroy(void *data)
{
	struct impl *impl = data;

	spa_hook_remove(&impl->module_listener);
	impl_free(impl);
}

static const struct pw_impl_module_events module_events = {
	PW_VERSION_IMPL_MODULE_EVENTS,
	.destroy = module_destroy,
};

SPA_EXPORT
int pipewire__module_init(struct pw_impl_module *module, const char *args)
{
	struct pw_context *context = pw_impl_module_get_context(module);
	struct pw_properties *props = NULL;
	struct pm_options options;
	struct impl *impl;
	char err[256] = "";
	int res;

	PW_LOG_TOPIC_INIT(pm_log_topic);

	if (args != NULL && *args != '\0') {
		struct spa_error_location loc;
		props = pw_properties_new_string_checked(args, strlen(args), &loc);
		if (props == NULL) {
			pw_log_error(NAME ": cannot parse module arguments at line %d column %d: %s",
					loc.line, loc.col, loc.reason);
			return -EINVAL;
		}
	}
	res = pm_options_parse(props ? &props->dict : NULL, &options, err, sizeof(err));
	pw_properties_free(props);
	if (res < 0) {
		pw_log_error(NAME ": %s", err);
		return res;
	}

	impl = calloc(1, sizeof(*impl));
	if (impl == NULL)
		return -errno;
	impl->options = options;

	impl->context = context;
	spa_list_init(&impl->guarded);
	/* fail-closed until the policy answers */
	impl->mute.muted = impl->options.initial_muted;
	impl->mute.engage = 1;

	impl->daemon = spa_atob(pw_properties_get(pw_context_get_properties(context),
				PW_KEY_CORE_DAEMON));
	impl->report_timer = pw_loop_add_timer(pw_context_get_main_loop(context),
			send_report, impl);
	impl->policy = pm_policy_client_new(context, impl->options.bus,
			impl->options.policy_executable,
			impl->options.policy_uid < 0 ? (uint32_t)geteuid() :
			(uint32_t)impl->options.policy_uid, &policy_events, impl);
	if (impl->policy == NULL) {
		res = -errno;
		pw_log_error(NAME ": cannot follow the policy: %s (is support.dbus "
				"disabled in the context properties?)", spa_strerror(res));
		if (impl->report_timer)
			pw_loop_destroy_source(pw_context_get_main_loop(context), impl->report_timer);
		free(impl);
		return res;
	}

	impl->suspender = pm_suspender_new(context, impl->daemon);
	pw_context_add_listener(context, &impl->context_listener, &context_events, impl);
	pw_context_for_each_global(context, guard_existing, impl);
	/* pw_stream nodes are not registered: see them when they are exported */
	impl->export_hook = pm_export_hook_new(context, node_exported, impl);
	if (impl->export_hook == NULL && errno != ENOTSUP)
		pw_log_warn("cannot watch exported nodes: %m");
	if (!impl->daemon) {
		impl->own_nodes = pm_own_nodes_new(context, &own_nodes_events, impl);
		if (impl->own_nodes == NULL)
			pw_log_warn("cannot list the nodes this process exported: %m");
	} else {
		/* one reporter for the whole graph: the daemon's enforcer */
		impl->source_mute = pm_source_mute_new(context, &source_mute_events, impl);
		if (impl->source_mute == NULL)
			pw_log_warn("cannot follow the default source's mute: %m");
		impl->captures = pm_capture_links_new(context, &capture_events, impl);
		if (impl->captures == NULL)
			pw_log_warn("cannot follow capture links: %m");
	}
	impl->speech_timer = pw_loop_add_timer(pw_context_get_main_loop(context),
			speech_tick, impl);
	mute_changed(impl, impl->mute.muted);

	pw_impl_module_add_listener(module, &impl->module_listener, &module_events, impl);
	pw_impl_module_update_properties(module, &SPA_DICT_INIT_ARRAY(module_props));

	pw_log_info("loaded: policy on the %s bus, %s until it answers, guarding %u sources",
			impl->options.bus == PM_BUS_SYSTEM ? "system" : "session",
			impl->options.initial_muted ? "muted" : "unmuted", impl->n_guarded);
	return 0;
}
