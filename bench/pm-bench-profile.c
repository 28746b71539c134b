/* privacy-mute benchmark tool: per-node cycle times from PipeWire's profiler */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-bench-profile [--seconds S] > nodes.tsv
 *
 * Binds the daemon's Profiler interface (libpipewire-module-profiler, as
 * pw-top does) and, over S seconds, sums what pw-top shows per node: WAIT
 * (awake - signal) and BUSY (finish - awake) of every cycle, and ERR
 * (cycles that did not finish, plus the driver's xrun counter). One line
 * per node that ran, tab separated:
 *
 *   name  id  driver(0|1)  cycles  busy_mean_ns  busy_max_ns  wait_mean_ns  errors  xruns
 *
 * For a driver pw-top's BUSY spans until the whole graph finished; xruns is
 * the growth of the driver's xrun counter over the window.
 */

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spa/param/profiler.h>
/* SPA_POD_STRUCT_FOREACH and SPA_POD_OBJECT_FOREACH: iter.h, which
 * PipeWire 1.6's parser.h no longer includes (it includes body.h) */
#include <spa/pod/iter.h>
#include <spa/pod/parser.h>
#include <spa/utils/list.h>

#include <pipewire/impl.h>
#include <pipewire/pipewire.h>
#include <pipewire/extensions/profiler.h>

#define MAX_NAME	128
#define STATUS_FINISHED	3

struct node {
	struct spa_list link;
	uint32_t id;
	char name[MAX_NAME];
	bool driver;
	uint64_t cycles, errors, busy_sum, busy_max, wait_sum;
	bool have_xrun;
	uint32_t xrun_first, xrun_last;
};

struct data {
	struct pw_main_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct pw_registry *registry;
	struct spa_hook registry_listener;
	struct pw_proxy *profiler;
	struct spa_hook profiler_listener;
	struct spa_list nodes;
	int sync;
	bool started;
	struct spa_source *start_timer, *stop_timer;
	double seconds;
};

static struct node *get_node(struct data *d, uint32_t id, const char *name)
{
	struct node *n;

	spa_list_for_each(n, &d->nodes, link)
		if (n->id == id && (name == NULL || strncmp(n->name, name, MAX_NAME - 1) == 0))
			return n;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->id = id;
	snprintf(n->name, sizeof(n->name), "%s", name ? name : "?");
	spa_list_append(&d->nodes, &n->link);
	return n;
}

static void add_block(struct data *d, const struct spa_pod *pod, bool driver, uint32_t xruns)
{
	int32_t id = 0, status = 0;
	const char *name = NULL;
	int64_t prev_signal = 0, signal = 0, awake = 0, finish = 0;
	struct node *n;

	if (spa_pod_parse_struct(pod,
			SPA_POD_Int(&id),
			SPA_POD_String(&name),
			SPA_POD_Long(&prev_signal),
			SPA_POD_Long(&signal),
			SPA_POD_Long(&awake),
			SPA_POD_Long(&finish),
			SPA_POD_Int(&status)) < 0)
		return;
	if ((n = get_node(d, (uint32_t)id, name)) == NULL)
		return;
	n->driver = driver;
	n->cycles++;
	if (status != STATUS_FINISHED || finish < awake || awake < signal) {
		/* as pw-top: a cycle the node did not finish is an error */
		n->errors++;
	} else {
		uint64_t busy = (uint64_t)(finish - awake);
		n->busy_sum += busy;
		if (busy > n->busy_max)
			n->busy_max = busy;
		n->wait_sum += (uint64_t)(awake - signal);
	}
	if (driver) {
		if (!n->have_xrun)
			n->xrun_first = xruns;
		n->have_xrun = true;
		n->xrun_last = xruns;
	}
}

static void on_profile(void *data, const struct spa_pod *pod)
{
	struct data *d = data;
	struct spa_pod *o;
	struct spa_pod_prop *p;

	if (!d->started)
		return;
	SPA_POD_STRUCT_FOREACH(pod, o) {
		int64_t counter = 0;
		float load[3] = { 0, 0, 0 };
		int32_t xruns = 0;

		if (!spa_pod_is_object_type(o, SPA_TYPE_OBJECT_Profiler))
			continue;
		/* info comes first in each point: counter, loads, xrun count */
		SPA_POD_OBJECT_FOREACH((struct spa_pod_object *)o, p) {
			switch (p->key) {
			case SPA_PROFILER_info:
				spa_pod_parse_struct(&p->value,
						SPA_POD_Long(&counter),
						SPA_POD_Float(&load[0]),
						SPA_POD_Float(&load[1]),
						SPA_POD_Float(&load[2]),
						SPA_POD_Int(&xruns));
				break;
			case SPA_PROFILER_driverBlock:
				add_block(d, &p->value, true, (uint32_t)xruns);
				break;
			case SPA_PROFILER_followerBlock:
				add_block(d, &p->value, false, 0);
				break;
			default:
				break;
			}
		}
	}
}

static const struct pw_profiler_events profiler_events = {
	PW_VERSION_PROFILER_EVENTS,
	.profile = on_profile,
};

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type,
		uint32_t version, const struct spa_dict *props)
{
	struct data *d = data;

	if (strcmp(type, PW_TYPE_INTERFACE_Profiler) != 0 || d->profiler != NULL)
		return;
	d->profiler = pw_registry_bind(d->registry, id, type, PW_VERSION_PROFILER, 0);
	if (d->profiler)
		pw_proxy_add_object_listener(d->profiler, &d->profiler_listener,
				&profiler_events, d);
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = on_global,
};

static void on_core_done(void *data, uint32_t id, int seq)
{
	struct data *d = data;

	if (id != PW_ID_CORE || seq != d->sync)
		return;
	if (d->profiler == NULL) {
		fprintf(stderr, "pm-bench-profile: the daemon has no Profiler interface\n");
		pw_main_loop_quit(d->loop);
		return;
	}
	/* the window starts once the profiler is bound (connecting can be slow
	 * on a loaded daemon); drop what the profiler had queued before */
	struct pw_loop *l = pw_main_loop_get_loop(d->loop);
	struct timespec settle = { 0, 300000000 }, value;
	double seconds = d->seconds + 0.3;
	value.tv_sec = (time_t)seconds;
	value.tv_nsec = (long)((seconds - (double)value.tv_sec) * 1e9);
	pw_loop_update_timer(l, d->start_timer, &settle, NULL, false);
	pw_loop_update_timer(l, d->stop_timer, &value, NULL, false);
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct data *d = data;

	fprintf(stderr, "pm-bench-profile: error on %u: %s\n", id, message);
	if (id == PW_ID_CORE)
		pw_main_loop_quit(d->loop);
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = on_core_done,
	.error = on_core_error,
};

static void on_start(void *data, uint64_t expirations)
{
	struct data *d = data;
	d->started = true;
}

static void on_timeout(void *data, uint64_t expirations)
{
	struct data *d = data;
	pw_main_loop_quit(d->loop);
}

static void on_signal(void *data, int signal_number)
{
	struct data *d = data;
	pw_main_loop_quit(d->loop);
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct data d = { 0 };
	struct pw_loop *l;
	double seconds = 2.0;
	struct node *n, *t;
	int c;

	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atof(optarg); break;
		default:
			fprintf(stderr, "usage: pm-bench-profile [--seconds S]\n");
			return 2;
		}
	}

	pw_init(&argc, &argv);
	spa_list_init(&d.nodes);
	d.loop = pw_main_loop_new(NULL);
	l = pw_main_loop_get_loop(d.loop);
	pw_loop_add_signal(l, SIGINT, on_signal, &d);
	pw_loop_add_signal(l, SIGTERM, on_signal, &d);
	d.context = pw_context_new(l, NULL, 0);
	pw_context_load_module(d.context, PW_EXTENSION_MODULE_PROFILER, NULL, NULL);
	d.core = pw_context_connect(d.context, NULL, 0);
	if (d.core == NULL) {
		fprintf(stderr, "pm-bench-profile: cannot connect to PipeWire\n");
		return 1;
	}
	pw_core_add_listener(d.core, &d.core_listener, &core_events, &d);
	d.registry = pw_core_get_registry(d.core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(d.registry, &d.registry_listener, &registry_events, &d);
	d.sync = pw_core_sync(d.core, PW_ID_CORE, 0);

	d.seconds = seconds;
	d.start_timer = pw_loop_add_timer(l, on_start, &d);
	d.stop_timer = pw_loop_add_timer(l, on_timeout, &d);

	pw_main_loop_run(d.loop);

	spa_list_for_each_safe(n, t, &d.nodes, link) {
		uint64_t ok = n->cycles - n->errors;
		printf("%s\t%u\t%d\t%" PRIu64 "\t%.0f\t%" PRIu64 "\t%.0f\t%" PRIu64 "\t%u\n",
				n->name, n->id, n->driver, n->cycles,
				ok ? (double)n->busy_sum / ok : 0.0, n->busy_max,
				ok ? (double)n->wait_sum / ok : 0.0, n->errors,
				n->xrun_last - n->xrun_first);
		spa_list_remove(&n->link);
		free(n);
	}
	fflush(stdout);
	if (d.profiler)
		pw_proxy_destroy(d.profiler);
	pw_proxy_destroy((struct pw_proxy *)d.registry);
	pw_core_disconnect(d.core);
	pw_context_destroy(d.context);
	pw_main_loop_destroy(d.loop);
	pw_deinit();
	return 0;
}
