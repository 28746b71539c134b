/* privacy-mute benchmark tool: the guard's cost per cycle, in-process */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-bench-guard [--cycles N] [--warmup W] [--rounds R] [--paced]
 *                  [--quanta 64,256,1024] [--channels 2,8] > guard-cycle.tsv
 *
 * One process, no daemon: a pw_context (config "null", the SPA libs a
 * client.conf maps, the adapter module) makes a real source the way the
 * daemon does, the "adapter" factory around audiotestsrc (live = false,
 * 48 kHz), its audioconvert in dsp mode (PortConfig, as a session manager
 * sets it): one F32 output port per channel. Each port gets memfd buffers
 * as a link would give it and an io, the node a position with the quantum
 * as its duration, and then the tool does what impl-node does for a
 * follower in each cycle: spa_node_process() on the node, timed with
 * CLOCK_MONOTONIC, then what the port's tee does (status back to
 * NEED_DATA, the buffer id kept, for the node to recycle).
 *
 * Variants, on the same node and the same real buffers: none (no guard),
 * unmuted and muted (pm_guard_new() on the node, the buffers given again so
 * it hands the node shadows; node-guard.c, shadow.c, silence.c as the
 * module builds them). They alternate in R rounds of N / R timed cycles
 * each, every block after W cycles untimed, so drift and cache state fall
 * on all three alike. The first muted cycle of each round, which clears
 * every real buffer (no stale audio left), is timed apart as "engage".
 * Every block also checks what consumers would get: the chunk size of one
 * quantum, and silence while muted, or the tool fails.
 *
 * Back to back the caches stay hot; --paced starts each timed cycle one
 * period after the last, as in the daemon, where the node sleeps between
 * cycles and other work takes its caches. Realtime priority on one core
 * where allowed. One line per variant, tab separated:
 *
 *   variant quantum channels median_ns p99_ns period_ns overhead_pct_of_period block_spread_ns
 *
 * overhead: the variant's median minus none's, in % of the period
 * (quantum / 48 kHz), 0 for none; block spread: half the range of the
 * medians of single blocks, the noise a difference of medians must beat.
 */

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <spa/node/node.h>
#include <spa/node/io.h>
#include <spa/node/utils.h>
#include <spa/param/param.h>
#include <spa/param/buffers.h>
#include <spa/param/port-config.h>
#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>
#include <spa/pod/parser.h>
#include <spa/buffer/buffer.h>
#include <spa/utils/result.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

#include "node-guard.h"

/* node-guard.c logs to the module's topic */
PW_LOG_TOPIC(pm_log_topic, "mod.privacy-mute");

#define RATE		48000
#define MAX_CH		8
#define MAX_BUFS	16u

enum { V_NONE, V_UNMUTED, V_MUTED, V_ENGAGE, N_VARIANTS };
static const char *const variant_names[N_VARIANTS] = { "none", "unmuted", "muted", "engage" };

struct buf {
	struct spa_buffer buffer;
	struct spa_data data;
	struct spa_chunk chunk;
};

struct port {
	struct spa_io_buffers io;
	uint32_t n_buffers;
	struct buf bufs[MAX_BUFS];
	struct spa_buffer *ptrs[MAX_BUFS];
	uint8_t *mem;
	size_t mem_size;
};

struct bench {
	struct pw_context *context;
	struct pw_impl_factory *factory;
	struct pw_impl_node *node;
	struct spa_node *spa;
	struct spa_io_position position;
	uint32_t quantum, channels;
	struct port ports[MAX_CH];
	struct pm_mute mute;
	struct pm_guard *guard;
	uint32_t cycles, warmup, rounds;
	bool paced;
	uint64_t next;			/* paced: when the next cycle starts */
	/* the lowest and highest median of one block, per variant */
	uint64_t block_min[N_VARIANTS], block_max[N_VARIANTS];
	uint64_t *times[N_VARIANTS];
	uint32_t n_times[N_VARIANTS];
};

static void die(const char *what, int res)
{
	fprintf(stderr, "pm-bench-guard: %s: %s\n", what, spa_strerror(res));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void send(struct bench *b, uint32_t command)
{
	struct spa_command cmd = SPA_NODE_COMMAND_INIT(command);
	int res = spa_node_send_command(b->spa, &cmd);
	if (res < 0)
		die("node command", res);
}

/* the format and the buffers a link would negotiate for one dsp port,
 * memory from a memfd, mapped, as the daemon's pool gives it */
static void port_setup(struct bench *b, uint32_t id)
{
	struct port *p = &b->ports[id];
	uint8_t tmp[4096];
	struct spa_pod_builder pb;
	struct spa_pod *param;
	uint32_t idx = 0, i;
	int32_t n_buffers = 0, blocks = 0, size = 0, stride = 0, align = 0;
	int res, fd;

	spa_pod_builder_init(&pb, tmp, sizeof(tmp));
	if ((res = spa_node_port_enum_params_sync(b->spa, SPA_DIRECTION_OUTPUT, id,
			SPA_PARAM_EnumFormat, &idx, NULL, &param, &pb)) != 1)
		die("output port EnumFormat", res < 0 ? res : -ENOENT);
	spa_pod_fixate(param);
	if ((res = spa_node_port_set_param(b->spa, SPA_DIRECTION_OUTPUT, id,
			SPA_PARAM_Format, 0, param)) < 0)
		die("output port Format", res);

	idx = 0;
	spa_pod_builder_init(&pb, tmp, sizeof(tmp));
	if ((res = spa_node_port_enum_params_sync(b->spa, SPA_DIRECTION_OUTPUT, id,
			SPA_PARAM_Buffers, &idx, NULL, &param, &pb)) != 1)
		die("output port Buffers", res < 0 ? res : -ENOENT);
	spa_pod_fixate(param);
	if (spa_pod_parse_object(param, SPA_TYPE_OBJECT_ParamBuffers, NULL,
			SPA_PARAM_BUFFERS_buffers, SPA_POD_Int(&n_buffers),
			SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(&blocks),
			SPA_PARAM_BUFFERS_size, SPA_POD_Int(&size),
			SPA_PARAM_BUFFERS_stride, SPA_POD_Int(&stride),
			SPA_PARAM_BUFFERS_align, SPA_POD_OPT_Int(&align)) < 0 ||
	    blocks != 1 || size <= 0)
		die("parse Buffers", -EINVAL);
	/* what pw_buffers_negotiate() makes of the node's default alone; a
	 * consumer may ask for more (that only makes the engage cycle,
	 * which clears them all, dearer) */
	p->n_buffers = SPA_CLAMP((uint32_t)n_buffers, 2u, MAX_BUFS);

	p->mem_size = SPA_ROUND_UP_N((size_t)size, 4096) * p->n_buffers;
	if ((fd = memfd_create("pm-bench-guard", MFD_CLOEXEC)) < 0 ||
	    ftruncate(fd, (off_t)p->mem_size) < 0)
		die("memfd", -errno);
	p->mem = mmap(NULL, p->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p->mem == MAP_FAILED)
		die("mmap", -errno);
	for (i = 0; i < p->n_buffers; i++) {
		struct buf *bf = &p->bufs[i];
		bf->data = (struct spa_data) {
			.type = SPA_DATA_MemFd,
			.flags = SPA_DATA_FLAG_READWRITE | SPA_DATA_FLAG_MAPPABLE,
			.fd = fd,
			.mapoffset = (uint32_t)(i * SPA_ROUND_UP_N((size_t)size, 4096)),
			.maxsize = (uint32_t)size,
			.data = p->mem + i * SPA_ROUND_UP_N((size_t)size, 4096),
			.chunk = &bf->chunk,
		};
		bf->buffer = (struct spa_buffer) { .n_datas = 1, .datas = &bf->data };
		p->ptrs[i] = &bf->buffer;
	}
}

/* (again) give every port its real buffers and io: through a guard, if
 * there is one, which then hands the node shadows of them */
static void use_buffers(struct bench *b, bool give)
{
	uint32_t i;
	int res;

	for (i = 0; i < b->channels; i++) {
		struct port *p = &b->ports[i];
		if ((res = spa_node_port_use_buffers(b->spa, SPA_DIRECTION_OUTPUT, i, 0,
				give ? p->ptrs : NULL, give ? p->n_buffers : 0)) < 0)
			die("port_use_buffers", res);
		p->io = SPA_IO_BUFFERS_INIT;
		if (give && (res = spa_node_port_set_io(b->spa, SPA_DIRECTION_OUTPUT, i,
				SPA_IO_Buffers, &p->io, sizeof(p->io))) < 0)
			die("port_set_io", res);
	}
}

static void node_new(struct bench *b)
{
	static const char *const positions[] = { "[ FL FR ]", "[ FL FR FC LFE RL RR SL SR ]" };
	static const uint32_t pos2[] = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR };
	static const uint32_t pos8[] = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR,
		SPA_AUDIO_CHANNEL_FC, SPA_AUDIO_CHANNEL_LFE, SPA_AUDIO_CHANNEL_RL,
		SPA_AUDIO_CHANNEL_RR, SPA_AUDIO_CHANNEL_SL, SPA_AUDIO_CHANNEL_SR };
	struct spa_audio_info_raw info;
	struct pw_properties *props;
	uint8_t tmp[4096];
	struct spa_pod_builder pb;
	struct spa_pod *format, *param;
	uint32_t i;
	int res;

	props = pw_properties_new(
			SPA_KEY_FACTORY_NAME, "audiotestsrc",
			PW_KEY_NODE_NAME, "pm-bench-guard-src",
			PW_KEY_MEDIA_CLASS, "Audio/Source",
			PW_KEY_OBJECT_REGISTER, "false",
			"audio.rate", "48000",
			"audio.position", b->channels == 2 ? positions[0] : positions[1],
			"node.param.Props", "{ volume = 0.5 live = false }",
			NULL);
	pw_properties_setf(props, "audio.channels", "%u", b->channels);
	pw_properties_setf(props, PW_KEY_NODE_LATENCY, "%u/%u", b->quantum, RATE);
	b->node = pw_impl_factory_create_object(b->factory, NULL, PW_TYPE_INTERFACE_Node,
			PW_VERSION_NODE, props, 0);
	if (b->node == NULL)
		die("adapter node", -errno);
	b->spa = pw_impl_node_get_implementation(b->node);

	/* dsp mode, as the session manager sets it: one F32 port a channel */
	spa_zero(info);
	info.format = SPA_AUDIO_FORMAT_F32P;
	info.rate = RATE;
	info.channels = b->channels;
	for (i = 0; i < b->channels; i++)
		info.position[i] = b->channels == 2 ? pos2[i] : pos8[i];
	spa_pod_builder_init(&pb, tmp, sizeof(tmp));
	format = spa_format_audio_raw_build(&pb, SPA_PARAM_Format, &info);
	param = spa_pod_builder_add_object(&pb,
			SPA_TYPE_OBJECT_ParamPortConfig, SPA_PARAM_PortConfig,
			SPA_PARAM_PORT_CONFIG_direction, SPA_POD_Id(SPA_DIRECTION_OUTPUT),
			SPA_PARAM_PORT_CONFIG_mode, SPA_POD_Id(SPA_PARAM_PORT_CONFIG_MODE_dsp),
			SPA_PARAM_PORT_CONFIG_monitor, SPA_POD_Bool(false),
			SPA_PARAM_PORT_CONFIG_control, SPA_POD_Bool(false),
			SPA_PARAM_PORT_CONFIG_format, SPA_POD_Pod(format));
	if ((res = spa_node_set_param(b->spa, SPA_PARAM_PortConfig, 0, param)) < 0)
		die("PortConfig", res);

	/* a follower of a driver at this quantum, as impl-node sets it */
	spa_zero(b->position);
	b->position.clock.id = 1;
	b->position.clock.rate = SPA_FRACTION(1, RATE);
	b->position.clock.target_rate = SPA_FRACTION(1, RATE);
	b->position.clock.duration = b->quantum;
	b->position.clock.target_duration = b->quantum;
	b->position.state = SPA_IO_POSITION_STATE_RUNNING;
	if ((res = spa_node_set_io(b->spa, SPA_IO_Position, &b->position,
			sizeof(b->position))) < 0)
		die("set_io Position", res);
	for (i = 0; i < b->channels; i++)
		port_setup(b, i);
}

/* one cycle; returns its ns */
static uint64_t cycle(struct bench *b)
{
	uint64_t t0, t1;
	uint32_t i;
	int res;

	t0 = now_ns();
	res = spa_node_process(b->spa);
	t1 = now_ns();
	if (res < 0 || !(res & SPA_STATUS_HAVE_DATA))
		die("process did not produce", res < 0 ? res : -EIO);
	/* the tee: consumers got it, the node recycles it next cycle */
	for (i = 0; i < b->channels; i++)
		b->ports[i].io.status = SPA_STATUS_NEED_DATA;
	b->position.clock.position += b->quantum;
	b->position.clock.cycle++;
	return t1 - t0;
}

/* Paced, each timed cycle starts one period after the last, as in the
 * daemon, where the node sleeps between cycles and other work takes its
 * caches: what a cycle costs from cold. Back to back, everything stays
 * hot. */
static uint64_t timed_cycle(struct bench *b)
{
	uint64_t period = (uint64_t)b->quantum * SPA_NSEC_PER_SEC / RATE, t;
	struct timespec ts;

	if (b->paced) {
		t = now_ns();
		if (b->next < t || b->next > t + period)
			b->next = t + period;
		ts.tv_sec = (time_t)(b->next / SPA_NSEC_PER_SEC);
		ts.tv_nsec = (long)(b->next % SPA_NSEC_PER_SEC);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		b->next += period;
	}
	return cycle(b);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t rank(const uint64_t *v, uint32_t n, uint32_t p)
{
	/* nearest rank, as bench/report.py */
	uint32_t k = (uint32_t)(((uint64_t)p * n + 99) / 100);
	return v[SPA_CLAMP(k, 1u, n) - 1];
}

/* how far the medians of single blocks stray: the noise a difference of
 * medians must beat */
static void spread_add(struct bench *b, int v, uint32_t start, uint32_t n)
{
	uint64_t tmp[n], m;

	memcpy(tmp, b->times[v] + start, n * sizeof(uint64_t));
	qsort(tmp, n, sizeof(uint64_t), cmp_u64);
	m = rank(tmp, n, 50);
	b->block_min[v] = SPA_MIN(b->block_min[v], m);
	b->block_max[v] = SPA_MAX(b->block_max[v], m);
}

/* what a consumer of every port reads now: one quantum, silent if muted */
static void check_output(struct bench *b, bool muted)
{
	uint32_t i, j;

	for (i = 0; i < b->channels; i++) {
		struct port *p = &b->ports[i];
		struct buf *bf;
		const float *s;
		bool silent = true;

		if (p->io.buffer_id >= p->n_buffers)
			die("no buffer on an output", -EIO);
		bf = &p->bufs[p->io.buffer_id];
		if (bf->chunk.size != b->quantum * sizeof(float))
			die("published chunk is not one quantum", -EIO);
		s = SPA_PTROFF(bf->data.data, bf->chunk.offset, const float);
		for (j = 0; j < b->quantum; j++)
			if (s[j] != 0.0f)
				silent = false;
		if (silent != muted)
			die(muted ? "muted output is not silent" : "unmuted output is silent", -EIO);
	}
}

static void block(struct bench *b, int v)
{
	uint32_t n = b->cycles / b->rounds, i;

	for (i = 0; i < b->warmup; i++)
		cycle(b);
	for (i = 0; i < n; i++)
		b->times[v][b->n_times[v]++] = timed_cycle(b);
	spread_add(b, v, b->n_times[v] - n, n);
	check_output(b, v == V_MUTED);
}

static void guard_on(struct bench *b)
{
	uint32_t i, j;

	send(b, SPA_NODE_COMMAND_Pause);
	use_buffers(b, false);
	/* so that what the checks find unmuted can only be the guard's copy */
	for (i = 0; i < b->channels; i++) {
		struct port *p = &b->ports[i];
		memset(p->mem, 0, p->mem_size);
		for (j = 0; j < p->n_buffers; j++)
			p->bufs[j].chunk = (struct spa_chunk) { 0 };
	}
	if ((b->guard = pm_guard_new(b->node, &b->mute, NULL, NULL)) == NULL)
		die("pm_guard_new", -errno);
	use_buffers(b, true);
	send(b, SPA_NODE_COMMAND_Start);
}

/* take the shadows back while still guarded (freed, no warning), then let
 * the node write into the real buffers again */
static void guard_off(struct bench *b)
{
	send(b, SPA_NODE_COMMAND_Pause);
	use_buffers(b, false);
	pm_guard_destroy(b->guard);
	b->guard = NULL;
	use_buffers(b, true);
	send(b, SPA_NODE_COMMAND_Start);
}

static void run(struct bench *b)
{
	uint64_t med[N_VARIANTS], p99[N_VARIANTS];
	double period = (double)b->quantum * 1e9 / RATE;
	uint32_t r, v;
	int k;

	node_new(b);
	use_buffers(b, true);
	send(b, SPA_NODE_COMMAND_Start);
	for (v = 0; v < N_VARIANTS; v++) {
		b->times[v] = calloc(b->cycles + b->rounds, sizeof(uint64_t));
		b->n_times[v] = 0;
		b->block_min[v] = UINT64_MAX;
		b->block_max[v] = 0;
	}
	for (r = 0; r < b->rounds; r++) {
		/* the order turns each round: none first, then last, ... */
		for (k = 0; k < 2; k++) {
			if ((r + k) % 2 == 0) {
				block(b, V_NONE);
				continue;
			}
			guard_on(b);
			__atomic_store_n(&b->mute.muted, 0, __ATOMIC_RELEASE);
			block(b, V_UNMUTED);
			__atomic_store_n(&b->mute.engage, b->mute.engage + 1, __ATOMIC_RELEASE);
			__atomic_store_n(&b->mute.muted, 1, __ATOMIC_RELEASE);
			b->times[V_ENGAGE][b->n_times[V_ENGAGE]++] = timed_cycle(b);
			block(b, V_MUTED);
			__atomic_store_n(&b->mute.muted, 0, __ATOMIC_RELEASE);
			guard_off(b);
		}
	}
	send(b, SPA_NODE_COMMAND_Pause);
	use_buffers(b, false);
	pw_impl_node_destroy(b->node);

	for (v = 0; v < N_VARIANTS; v++) {
		qsort(b->times[v], b->n_times[v], sizeof(uint64_t), cmp_u64);
		med[v] = rank(b->times[v], b->n_times[v], 50);
		p99[v] = rank(b->times[v], b->n_times[v], 99);
	}
	for (v = 0; v < N_VARIANTS; v++) {
		printf("%s\t%u\t%u\t%" PRIu64 "\t%" PRIu64 "\t%.0f\t%.4f\t%" PRIu64 "\n",
				variant_names[v], b->quantum, b->channels, med[v], p99[v], period,
				v == V_NONE ? 0.0 : ((double)med[v] - (double)med[V_NONE]) / period * 100.0,
				v == V_ENGAGE ? 0 : (b->block_max[v] - b->block_min[v]) / 2);
		free(b->times[v]);
	}
	fflush(stdout);
	for (v = 0; v < b->channels; v++)
		munmap(b->ports[v].mem, b->ports[v].mem_size);
}

static uint32_t parse_list(const char *s, uint32_t *out, uint32_t max)
{
	uint32_t n = 0;
	char *end;

	while (*s && n < max) {
		unsigned long x = strtoul(s, &end, 10);
		if (end == s || x == 0)
			return 0;
		out[n++] = (uint32_t)x;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return 0;
	}
	return n;
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "cycles", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "quanta", required_argument, NULL, 'q' },
		{ "channels", required_argument, NULL, 'c' },
		{ "paced", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct bench b = { .cycles = 2000, .warmup = 50, .rounds = 10 };
	uint32_t quanta[8] = { 64, 256, 1024 }, n_quanta = 3;
	uint32_t channels[8] = { 2, 8 }, n_channels = 2;
	struct pw_main_loop *loop;
	uint32_t i, j;
	int c;

	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 'n': b.cycles = (uint32_t)atoi(optarg); break;
		case 'w': b.warmup = (uint32_t)atoi(optarg); break;
		case 'r': b.rounds = (uint32_t)atoi(optarg); break;
		case 'q': n_quanta = parse_list(optarg, quanta, 8); break;
		case 'p': b.paced = true; break;
		case 'c': n_channels = parse_list(optarg, channels, 8); break;
		default: n_quanta = 0; break;
		}
	}
	for (j = 0; j < n_channels; j++)
		if (channels[j] != 2 && channels[j] != 8)
			n_quanta = 0;
	if (n_quanta == 0 || n_channels == 0 || b.rounds == 0 || b.cycles < b.rounds) {
		fprintf(stderr, "usage: pm-bench-guard [--cycles N] [--warmup W] [--rounds R] "
				"[--quanta 64,256,1024] [--channels 2,8]\n");
		return 2;
	}

	/* as the daemon's data thread runs, where we may: realtime, and on
	 * one core, so that what is timed is the cycle, not the scheduler */
	{
		struct sched_param sp = { .sched_priority = 20 };
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0 ||
		    sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			fprintf(stderr, "pm-bench-guard: no realtime priority or affinity (%m): "
					"timing with the normal scheduler\n");
	}
	pw_init(&argc, &argv);
	PW_LOG_TOPIC_INIT(pm_log_topic);
	/* nothing runs the loops: every invoke (the guard's barrier)
	 * then runs at once, in this thread, as it would between cycles */
	loop = pw_main_loop_new(NULL);
	b.context = pw_context_new(pw_main_loop_get_loop(loop),
			pw_properties_new(PW_KEY_CONFIG_NAME, "null",
				"context.modules.allow-empty", "true",
				"context.num-data-loops", "0",
				NULL), 0);
	if (b.context == NULL)
		die("pw_context_new", -errno);
	/* what client.conf maps, and the source */
	pw_context_add_spa_lib(b.context, "audio.convert.*", "audioconvert/libspa-audioconvert");
	pw_context_add_spa_lib(b.context, "support.*", "support/libspa-support");
	pw_context_add_spa_lib(b.context, "audiotestsrc", "audiotestsrc/libspa-audiotestsrc");
	if (pw_context_load_module(b.context, "libpipewire-module-adapter", NULL, NULL) == NULL)
		die("adapter module", -errno);
	if ((b.factory = pw_context_find_factory(b.context, "adapter")) == NULL)
		die("adapter factory", -ENOENT);

	printf("# variant\tquantum\tchannels\tmedian_ns\tp99_ns\tperiod_ns\t"
			"overhead_pct_of_period\tblock_spread_ns\n");
	for (i = 0; i < n_quanta; i++) {
		for (j = 0; j < n_channels; j++) {
			b.quantum = quanta[i];
			b.channels = channels[j];
			run(&b);
		}
	}
	pw_context_destroy(b.context);
	pw_main_loop_destroy(loop);
	pw_deinit();
	return 0;
}
