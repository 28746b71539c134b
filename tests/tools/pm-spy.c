/* privacy-mute test tool: a hostile client that spins on shared buffers */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-spy [--name NODE_NAME] [--ports N] [--format s16|f32] [--clobber]
 *          [--seconds S] [--interval S] [--cpu N]
 *
 * A pw_filter with N input ports, 32 bit float mono (dsp), or with
 * --format one port of that raw stereo 48 kHz format, for a source in
 * passthrough or convert mode. The test links its ports with pw-link.
 *
 * A second thread, pinned to another core where it can be, spins over
 * every buffer data it was ever handed (recorded in add_buffer and in
 * process()), copies each whole buffer and counts the non-zero samples in
 * the copy: it reads the memory while the source is writing it, not only
 * when the graph says the data is ready. With --clobber it also writes
 * offset = 0, size = 0, flags = 0 into every shared chunk, each cycle and
 * on each pass, so a guard that took its range from the chunk would
 * silence nothing.
 *
 * Every second (--interval: every S seconds) one line goes to stdout:
 *
 *   interval N: cycles X, non-zero samples caught Y, delivered Z
 *
 * (caught: by the spinning thread; delivered: in the chunk ranges handed
 * to process()), and at exit a "total:" line of the same form. SIGUSR1
 * resets the counts: the total is from the last reset on. The first line,
 * "ready pid PID", names the process to signal.
 */

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>
#include <spa/utils/result.h>

#include <pipewire/pipewire.h>
#include <pipewire/filter.h>

#define MAX_PORTS	64
#define MAX_REGIONS	1024
#define MAX_COPY	(4u << 20)

struct region {
	uint8_t *data;
	uint32_t maxsize;
	struct spa_chunk *chunk;
	int active;			/* atomic */
};

struct port {
	struct data *d;
};

struct data {
	struct pw_main_loop *loop;
	struct pw_filter *filter;
	struct port *ports[MAX_PORTS];
	uint32_t n_ports;
	uint32_t sample_size;
	bool clobber;
	int cpu;

	struct region regions[MAX_REGIONS];
	uint32_t n_regions;		/* atomic */

	pthread_t spinner;
	bool spinning;
	int stop;			/* atomic */
	uint32_t generation;		/* atomic: bumped by each reset */
	uint64_t passes;		/* atomic */

	/* counts since the last reset, and of the current interval */
	uint64_t caught, delivered, cycles;		/* atomic */
	uint64_t i_caught, i_delivered, i_cycles;	/* atomic */
	uint32_t interval;
	uint8_t *copy;
};

static uint64_t nonzero(const uint8_t *p, uint32_t size, uint32_t sample_size)
{
	uint64_t n = 0;
	uint32_t i, k;

	for (i = 0; i + sample_size <= size; i += sample_size) {
		for (k = 0; k < sample_size; k++) {
			if (p[i + k] != 0) {
				n++;
				break;
			}
		}
	}
	return n;
}

static void clobber_chunk(struct spa_chunk *c)
{
	__atomic_store_n(&c->offset, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->size, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->flags, 0, __ATOMIC_RELAXED);
}

static void add(struct data *d, uint64_t *total, uint64_t *interval, uint64_t n)
{
	__atomic_fetch_add(total, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(interval, n, __ATOMIC_RELAXED);
}

/* Remember a data plane; called from the main thread (add_buffer) and the
 * data thread (process), so the slot is claimed atomically. */
static void record(struct data *d, struct spa_data *sd)
{
	uint32_t i, n = __atomic_load_n(&d->n_regions, __ATOMIC_ACQUIRE);

	if (sd->data == NULL || sd->maxsize == 0 || sd->chunk == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (d->regions[i].data == sd->data &&
		    __atomic_load_n(&d->regions[i].active, __ATOMIC_ACQUIRE))
			return;
	}
	i = __atomic_fetch_add(&d->n_regions, 1, __ATOMIC_ACQ_REL);
	if (i >= MAX_REGIONS)
		return;
	d->regions[i].data = sd->data;
	d->regions[i].maxsize = SPA_MIN(sd->maxsize, MAX_COPY);
	d->regions[i].chunk = sd->chunk;
	__atomic_store_n(&d->regions[i].active, 1, __ATOMIC_RELEASE);
}

static void *spin(void *arg)
{
	struct data *d = arg;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		uint32_t gen = __atomic_load_n(&d->generation, __ATOMIC_ACQUIRE);
		uint32_t i, n = SPA_MIN(__atomic_load_n(&d->n_regions, __ATOMIC_ACQUIRE),
				(uint32_t)MAX_REGIONS);
		uint64_t caught = 0;

		for (i = 0; i < n; i++) {
			struct region *r = &d->regions[i];
			if (!__atomic_load_n(&r->active, __ATOMIC_ACQUIRE))
				continue;
			/* what a hostile client keeps: a copy of the memory */
			memcpy(d->copy, r->data, r->maxsize);
			caught += nonzero(d->copy, r->maxsize, d->sample_size);
			if (d->clobber)
				clobber_chunk(r->chunk);
		}
		/* a pass that began before a reset does not count after it */
		if (gen == __atomic_load_n(&d->generation, __ATOMIC_ACQUIRE) && caught > 0)
			add(d, &d->caught, &d->i_caught, caught);
		__atomic_fetch_add(&d->passes, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void on_process(void *data, struct spa_io_position *position)
{
	struct data *d = data;
	uint32_t i, j;

	for (i = 0; i < d->n_ports; i++) {
		struct pw_buffer *b = pw_filter_dequeue_buffer(d->ports[i]);
		if (b == NULL)
			continue;
		for (j = 0; j < b->buffer->n_datas; j++) {
			struct spa_data *sd = &b->buffer->datas[j];
			uint32_t off, size;

			record(d, sd);
			if (sd->data == NULL || sd->chunk == NULL || sd->maxsize == 0)
				continue;
			off = SPA_MIN(sd->chunk->offset, sd->maxsize);
			size = SPA_MIN(sd->chunk->size, sd->maxsize - off);
			add(d, &d->delivered, &d->i_delivered,
					nonzero((uint8_t *)sd->data + off, size, d->sample_size));
			if (d->clobber)
				clobber_chunk(sd->chunk);
		}
		pw_filter_queue_buffer(d->ports[i], b);
	}
	add(d, &d->cycles, &d->i_cycles, 1);
}

static void on_add_buffer(void *data, void *port_data, struct pw_buffer *buffer)
{
	struct data *d = data;
	uint32_t j;

	for (j = 0; j < buffer->buffer->n_datas; j++)
		record(d, &buffer->buffer->datas[j]);
}

static void on_remove_buffer(void *data, void *port_data, struct pw_buffer *buffer)
{
	struct data *d = data;
	uint32_t i, j, n = SPA_MIN(__atomic_load_n(&d->n_regions, __ATOMIC_ACQUIRE),
			(uint32_t)MAX_REGIONS);
	uint64_t pass;
	int k;

	for (j = 0; j < buffer->buffer->n_datas; j++) {
		for (i = 0; i < n; i++) {
			if (d->regions[i].data == buffer->buffer->datas[j].data)
				__atomic_store_n(&d->regions[i].active, 0, __ATOMIC_RELEASE);
		}
	}
	if (!d->spinning)
		return;
	/* the memory is unmapped after this: let the spinner finish the pass
	 * it may be in (two pass ends), for at most 100 ms */
	pass = __atomic_load_n(&d->passes, __ATOMIC_ACQUIRE);
	for (k = 0; k < 1000 && __atomic_load_n(&d->passes, __ATOMIC_ACQUIRE) < pass + 2; k++)
		usleep(100);
}

static const struct pw_filter_events filter_events = {
	PW_VERSION_FILTER_EVENTS,
	.process = on_process,
	.add_buffer = on_add_buffer,
	.remove_buffer = on_remove_buffer,
};

static void reset(struct data *d)
{
	__atomic_fetch_add(&d->generation, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&d->caught, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&d->delivered, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&d->cycles, 0, __ATOMIC_RELAXED);
	printf("reset\n");
	fflush(stdout);
}

static void on_timer(void *data, uint64_t expirations)
{
	struct data *d = data;
	uint64_t c = __atomic_exchange_n(&d->i_cycles, 0, __ATOMIC_RELAXED);
	uint64_t y = __atomic_exchange_n(&d->i_caught, 0, __ATOMIC_RELAXED);
	uint64_t z = __atomic_exchange_n(&d->i_delivered, 0, __ATOMIC_RELAXED);

	printf("interval %u: cycles %llu, non-zero samples caught %llu, delivered %llu\n",
			d->interval++, (unsigned long long)c, (unsigned long long)y,
			(unsigned long long)z);
	fflush(stdout);
}

static void on_stop(void *data, int signal_number)
{
	struct data *d = data;
	pw_main_loop_quit(d->loop);
}

static void on_usr1(void *data, int signal_number)
{
	reset(data);
}

static void on_deadline(void *data, uint64_t expirations)
{
	struct data *d = data;
	pw_main_loop_quit(d->loop);
}

static void start_spinner(struct data *d)
{
	long n_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = d->cpu >= 0 ? d->cpu : (int)(n_cpus > 1 ? n_cpus - 1 : 0);
	cpu_set_t set;
	int res;

	if (pthread_create(&d->spinner, NULL, spin, d) != 0) {
		fprintf(stderr, "pm-spy: cannot start the spinning thread: %m\n");
		return;
	}
	d->spinning = true;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if ((res = pthread_setaffinity_np(d->spinner, sizeof(set), &set)) != 0)
		fprintf(stderr, "pm-spy: cannot pin the spinner to cpu %d (%s), it floats\n",
				cpu, strerror(res));
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "ports", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "clobber", no_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "cpu", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct data d = { .n_ports = 2, .sample_size = 4, .cpu = -1 };
	const char *name = "pm-spy", *format = NULL;
	double seconds = 5.0, every = 1.0;
	uint8_t buffer[1024];
	const struct spa_pod *params[1];
	struct spa_source *timer, *deadline;
	struct timespec interval, value;
	uint32_t i;
	int c;

	while ((c = getopt_long(argc, argv, "n:p:f:cs:i:C:", long_options, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'p': d.n_ports = (uint32_t)atoi(optarg); break;
		case 'f': format = optarg; break;
		case 'c': d.clobber = true; break;
		case 's': seconds = atof(optarg); break;
		case 'i': every = atof(optarg); break;
		case 'C': d.cpu = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [--name NAME] [--ports N] [--format s16|f32] "
					"[--clobber] [--seconds S] [--interval S] [--cpu N]\n", argv[0]);
			return 2;
		}
	}
	if (format != NULL) {
		if (strcmp(format, "s16") != 0 && strcmp(format, "f32") != 0) {
			fprintf(stderr, "pm-spy: --format s16 or f32\n");
			return 2;
		}
		d.n_ports = 1;
		d.sample_size = strcmp(format, "s16") == 0 ? 2 : 4;
	}
	if (d.n_ports == 0 || d.n_ports > MAX_PORTS || seconds <= 0 || !(every >= 0.01)) {
		fprintf(stderr, "pm-spy: 1 to %u ports, a positive --seconds, "
				"an --interval of at least 0.01\n", MAX_PORTS);
		return 2;
	}
	if ((d.copy = malloc(MAX_COPY)) == NULL)
		return 1;

	pw_init(&argc, &argv);
	d.loop = pw_main_loop_new(NULL);
	pw_loop_add_signal(pw_main_loop_get_loop(d.loop), SIGINT, on_stop, &d);
	pw_loop_add_signal(pw_main_loop_get_loop(d.loop), SIGTERM, on_stop, &d);
	pw_loop_add_signal(pw_main_loop_get_loop(d.loop), SIGUSR1, on_usr1, &d);

	d.filter = pw_filter_new_simple(pw_main_loop_get_loop(d.loop), name,
			pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				PW_KEY_MEDIA_CATEGORY, "Capture",
				PW_KEY_MEDIA_ROLE, "Communication",
				PW_KEY_NODE_NAME, name,
				NULL),
			&filter_events, &d);

	for (i = 0; i < d.n_ports; i++) {
		struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
		char port_name[32];
		uint32_t n_params = 0;
		struct pw_properties *props;

		snprintf(port_name, sizeof(port_name), "input_%u", i);
		props = pw_properties_new(PW_KEY_PORT_NAME, port_name, NULL);
		if (format == NULL) {
			pw_properties_set(props, PW_KEY_FORMAT_DSP, "32 bit float mono audio");
		} else {
			struct spa_audio_info_raw info = {
				.format = d.sample_size == 2 ? SPA_AUDIO_FORMAT_S16_LE :
					SPA_AUDIO_FORMAT_F32_LE,
				.rate = 48000, .channels = 2,
				.position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR },
			};
			params[n_params++] = spa_format_audio_raw_build(&b,
					SPA_PARAM_EnumFormat, &info);
		}
		d.ports[i] = pw_filter_add_port(d.filter, PW_DIRECTION_INPUT,
				PW_FILTER_PORT_FLAG_MAP_BUFFERS, sizeof(struct port),
				props, params, n_params);
		if (d.ports[i] == NULL) {
			fprintf(stderr, "pm-spy: cannot add port %u: %m\n", i);
			return 1;
		}
	}
	if (pw_filter_connect(d.filter, PW_FILTER_FLAG_RT_PROCESS, NULL, 0) < 0) {
		fprintf(stderr, "pm-spy: cannot connect: %m\n");
		return 1;
	}

	start_spinner(&d);

	interval.tv_sec = (time_t)every;
	interval.tv_nsec = (long)((every - (double)interval.tv_sec) * 1e9);
	timer = pw_loop_add_timer(pw_main_loop_get_loop(d.loop), on_timer, &d);
	pw_loop_update_timer(pw_main_loop_get_loop(d.loop), timer, &interval, &interval, false);
	deadline = pw_loop_add_timer(pw_main_loop_get_loop(d.loop), on_deadline, &d);
	value.tv_sec = (time_t)seconds;
	value.tv_nsec = (long)((seconds - (double)value.tv_sec) * 1e9);
	pw_loop_update_timer(pw_main_loop_get_loop(d.loop), deadline, &value, NULL, false);

	/* a test runs us under timeout(1): this is the pid to signal */
	printf("ready pid %d\n", (int)getpid());
	fflush(stdout);
	pw_main_loop_run(d.loop);

	/* the spinner goes first: disconnecting unmaps the buffers */
	__atomic_store_n(&d.stop, 1, __ATOMIC_RELEASE);
	if (d.spinning)
		pthread_join(d.spinner, NULL);
	d.spinning = false;
	pw_filter_disconnect(d.filter);

	printf("total: cycles %llu, non-zero samples caught %llu, delivered %llu, buffers %u\n",
			(unsigned long long)d.cycles, (unsigned long long)d.caught,
			(unsigned long long)d.delivered,
			SPA_MIN(d.n_regions, (uint32_t)MAX_REGIONS));
	fflush(stdout);

	pw_filter_destroy(d.filter);
	pw_main_loop_destroy(d.loop);
	free(d.copy);
	pw_deinit();
	return 0;
}
