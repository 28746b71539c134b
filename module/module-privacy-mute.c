/* privacy-mute: PipeWire module entry */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include <spa/utils/cleanup.h>
#include <spa/utils/result.h>
#include <spa/utils/string.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "capture-links.h"
#include "export-hook.h"
#include "module-impl.h"
#include "node-guard.h"
#include "options.h"
#include "own-nodes.h"
#include "pm-config.h"
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

/* Tell the policy how many sources we guard, once it knows us: the
 * acknowledgement of the state in force carries the count. */
void pm_impl_report_sources(struct impl *impl)
{
	if (impl->policy == NULL)
		return;
	pm_impl_schedule_report(impl);
	if (impl->generation != 0)
		pm_impl_acknowledge(impl);
	else
		pm_policy_client_set_sources(impl->policy, impl->n_guarded);
}

#define SPEECH_INTERVAL_MS	100
#define SPEECH_REPORT_NS	(30 * SPA_NSEC_PER_SEC)

/* Someone captures from the source: in the daemon we see its links; a
 * source hosted elsewhere runs only while something consumes it. */
static bool is_consumed(struct impl *impl, struct guarded_node *guarded)
{
	struct pw_impl_node *node = pm_guard_get_node(guarded->guard);

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
	struct guarded_node *guarded;
	struct timespec ts;
	uint64_t now;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = SPA_TIMESPEC_TO_NSEC(&ts);
	spa_list_for_each(guarded, &impl->guarded, link) {
		if (pm_guard_take_level(guarded->guard, &ms) == 0 || !is_consumed(impl, guarded)) {
			pm_vad_reset(&guarded->vad);
			continue;
		}
		if (!pm_vad_feed(&guarded->vad, ms, SPEECH_INTERVAL_MS) ||
		    (guarded->last_speech != 0 && now - guarded->last_speech < SPEECH_REPORT_NS))
			continue;
		guarded->last_speech = now;
		pw_log_info("speech while muted on '%s'", pw_properties_get(
					pw_impl_node_get_properties(pm_guard_get_node(guarded->guard)),
					PW_KEY_NODE_NAME));
		pm_policy_client_speech(impl->policy, pw_properties_get(
					pw_impl_node_get_properties(pm_guard_get_node(guarded->guard)),
					PW_KEY_NODE_NAME));
	}
}

/* What follows the mute on the main loop: the speech decision runs only
 * while muted, and the capture log covers only muted stretches. */
static void mute_changed(struct impl *impl, bool muted)
{
	struct timespec value = { .tv_nsec = SPEECH_INTERVAL_MS * SPA_NSEC_PER_MSEC };
	struct timespec interval = value, off = { 0 };
	struct guarded_node *guarded;
	double ms;

	if (impl->captures)
		pm_capture_links_set_muted(impl->captures, muted);
	if (impl->speech_timer)
		pw_loop_update_timer(pw_context_get_main_loop(impl->context), impl->speech_timer,
				muted ? &value : &off, muted ? &interval : &off, false);
	spa_list_for_each(guarded, &impl->guarded, link) {
		pm_guard_take_level(guarded->guard, &ms);
		pm_vad_reset(&guarded->vad);
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
	struct guarded_node *guarded;

	if (muted && !__atomic_load_n(&impl->mute.muted, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&impl->mute.engage, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&impl->mute.muted, muted ? 1 : 0, __ATOMIC_RELEASE);

	spa_list_for_each(guarded, &impl->guarded, link)
		pm_guard_sync(guarded->guard);
	mute_changed(impl, muted);
}

/* Acknowledge the state in force, unless it is a mute that a source we
 * cannot silence yet (old buffers) or at all (stray) would leak through: then
 * Enforced stays false until that source renegotiates or goes away. */
void pm_impl_acknowledge(struct impl *impl)
{
	bool muted = __atomic_load_n(&impl->mute.muted, __ATOMIC_ACQUIRE);
	uint32_t n_stray;

	if (impl->policy == NULL || impl->generation == 0)
		return;
	if (muted && impl->n_old_buffers > 0) {
		pw_log_warn("mute (generation %" PRIu64 ") not confirmed: %u sources "
				"still stream with buffers set up before the module was loaded",
				impl->generation, impl->n_old_buffers);
		return;
	}
	if (muted && (n_stray = pm_impl_count_stray(impl)) > 0) {
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
	pm_impl_acknowledge(impl);
	/* after a (re)registration the policy has no report from us */
	pm_impl_schedule_report(impl);
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

/* Also for an impl that init left half-built: everything is checked. */
static void impl_free(struct impl *impl)
{
	struct guarded_node *guarded;

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
		spa_list_for_each(guarded, &impl->guarded, link) {
			if (n_ids < SPA_N_ELEMENTS(ids) && pm_guard_is_shadowing(guarded->guard) &&
			    (id = pm_impl_daemon_id(impl, pm_guard_get_node(guarded->guard))) !=
			    SPA_ID_INVALID)
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
	pm_impl_unwatch_nodes(impl);
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
	spa_autoptr(pw_properties) props = NULL;
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
			pm_impl_send_report, impl);
	impl->policy = pm_policy_client_new(context, impl->options.bus,
			impl->options.policy_executable,
			impl->options.policy_uid < 0 ? (uint32_t)geteuid() :
			(uint32_t)impl->options.policy_uid, &policy_events, impl);
	if (impl->policy == NULL) {
		res = -errno;
		pw_log_error(NAME ": cannot follow the policy: %s (is support.dbus "
				"disabled in the context properties?)", spa_strerror(res));
		goto error;
	}

	impl->suspender = pm_suspender_new(context, impl->daemon);
	pm_impl_watch_nodes(impl);
	/* pw_stream nodes are not registered: see them when they are exported */
	impl->export_hook = pm_export_hook_new(context, pm_impl_node_exported, impl);
	if (impl->export_hook == NULL && errno != ENOTSUP)
		pw_log_warn("cannot watch exported nodes: %m");
	if (!impl->daemon) {
		impl->own_nodes = pm_own_nodes_new(context, &pm_impl_own_nodes_events, impl);
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

error:
	impl_free(impl);
	return res;
}
