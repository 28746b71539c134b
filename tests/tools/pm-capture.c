/* privacy-mute test tool: a native capture stream with a per-buffer timeline */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-capture [--target NAME] [--no-autoconnect] [--name NODE_NAME]
 *              [--seconds S] [--timeline FILE] [--format FORMAT] > capture.raw
 *
 * Records s16le stereo 48 kHz to stdout, like pw-record, and for every
 * buffer writes one line to the timeline file:
 *
 *   <graph cycle time ns, CLOCK_MONOTONIC> <frames> <non-silent samples>
 *
 * (the time this buffer was handed to us when the driver keeps no graph
 * time, as audiotestsrc),
 *
 * so a test can tell, buffer by buffer, when silence began relative to the
 * moment the policy confirmed the mute. --no-autoconnect leaves the stream
 * unlinked for the test to link it with pw-link.
 *
 * --format asks for another sample format, stereo 48 kHz: u8 s16 s24_32 s32
 * f32 (little endian, interleaved) or u8p s16p s24_32p s32p f32p (planar:
 * each buffer's planes are written one after the other). With the stream's
 * PortConfig set to passthrough (pw-cli set-param), the bytes written are
 * the very bytes of the source's buffers. In the timeline, frames count
 * frames and non-silent counts samples that are not the format's silence
 * (0x80 for u8).
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spa/param/audio/format-utils.h>
#include <spa/utils/result.h>

#include <pipewire/pipewire.h>

struct format {
	const char *name;
	enum spa_audio_format id;
	uint32_t sample_size;
	bool planar;
};

static const struct format formats[] = {
	{ "u8", SPA_AUDIO_FORMAT_U8, 1, false },
	{ "u8p", SPA_AUDIO_FORMAT_U8P, 1, true },
	{ "s16", SPA_AUDIO_FORMAT_S16_LE, 2, false },
	{ "s16p", SPA_AUDIO_FORMAT_S16P, 2, true },
	{ "s24_32", SPA_AUDIO_FORMAT_S24_32_LE, 4, false },
	{ "s24_32p", SPA_AUDIO_FORMAT_S24_32P, 4, true },
	{ "s32", SPA_AUDIO_FORMAT_S32_LE, 4, false },
	{ "s32p", SPA_AUDIO_FORMAT_S32P, 4, true },
	{ "f32", SPA_AUDIO_FORMAT_F32_LE, 4, false },
	{ "f32p", SPA_AUDIO_FORMAT_F32P, 4, true },
};

struct data {
	const struct format *format;
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	FILE *timeline;
	int64_t graph_last;	/* the graph time of the last buffer, as reported */
	uint64_t frames;
	int write_error;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + ts.tv_nsec;
}

static uint32_t count_nonsilent(const struct format *f, const uint8_t *p, uint32_t size)
{
	uint32_t i, j, n = 0;

	for (i = 0; i + f->sample_size <= size; i += f->sample_size) {
		if (f->id == SPA_AUDIO_FORMAT_U8 || f->id == SPA_AUDIO_FORMAT_U8P) {
			n += p[i] != 0x80;
			continue;
		}
		for (j = 0; j < f->sample_size; j++)
			if (p[i + j] != 0) {
				n++;
				break;
			}
	}
	return n;
}

static void on_process(void *userdata)
{
	struct data *d = userdata;
	const struct format *f = d->format;
	struct pw_buffer *b;
	struct spa_data *sd;
	struct pw_time t;
	int64_t now, graph;
	uint32_t size, plane, n_planes, frame_size, frames = 0, nonsilent = 0;
	const uint8_t *s;

	if ((b = pw_stream_dequeue_buffer(d->stream)) == NULL)
		return;
	n_planes = f->planar ? SPA_MIN(b->buffer->n_datas, 2u) : 1;
	frame_size = f->planar ? f->sample_size : f->sample_size * 2;
	for (plane = 0; plane < n_planes; plane++) {
		sd = &b->buffer->datas[plane];
		if (sd->data == NULL || sd->chunk == NULL)
			goto done;
	}
	/* The graph cycle's time, where the driver keeps it (ALSA sources
	 * do); else the time of this call. audiotestsrc keeps none: its
	 * clock.nsec is 0 on PipeWire 1.4, and on 1.6 the time the graph was
	 * last recalculated while it was not running (context.c, "set time
	 * in position for drivers", 1.6.0), which then stays: a time that
	 * does not advance from one buffer to the next, lies in the future
	 * or over a second back is not this cycle's. */
	now = (int64_t)now_ns();
	if (pw_stream_get_time_n(d->stream, &t, sizeof(t)) < 0)
		t.now = 0;
	graph = t.now;
	if (graph <= d->graph_last || graph > now || now - graph > (int64_t)SPA_NSEC_PER_SEC)
		t.now = now;
	d->graph_last = graph;
	for (plane = 0; plane < n_planes; plane++) {
		sd = &b->buffer->datas[plane];
		size = SPA_MIN(sd->chunk->size, sd->maxsize - SPA_MIN(sd->chunk->offset, sd->maxsize));
		s = SPA_PTROFF(sd->data, sd->chunk->offset, const uint8_t);
		nonsilent += count_nonsilent(f, s, size);
		if (plane == 0)
			frames = size / frame_size;
		if (size > 0 && fwrite(s, 1, size, stdout) != size)
			d->write_error = errno ? errno : EIO;
	}
	if (d->timeline)
		fprintf(d->timeline, "%" PRIi64 " %u %u\n", t.now, frames, nonsilent);
	d->frames += frames;
done:
	pw_stream_queue_buffer(d->stream, b);
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.process = on_process,
};

static void on_timeout(void *userdata, uint64_t expirations)
{
	struct data *d = userdata;
	pw_main_loop_quit(d->loop);
}

static void on_signal(void *userdata, int signal_number)
{
	struct data *d = userdata;
	pw_main_loop_quit(d->loop);
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "target", required_argument, NULL, 't' },
		{ "no-autoconnect", no_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "seconds", required_argument, NULL, 's' },
		{ "timeline", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct data d = { .format = &formats[2] };
	const char *target = NULL, *name = "pm-capture";
	double seconds = 2.0;
	bool autoconnect = true;
	uint8_t buffer[1024];
	struct spa_pod_builder pb = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_properties *props;
	struct spa_source *timer;
	struct timespec value;
	int c;

	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 't': target = optarg; break;
		case 'n': autoconnect = false; break;
		case 'N': name = optarg; break;
		case 's': seconds = atof(optarg); break;
		case 'l':
			if ((d.timeline = fopen(optarg, "w")) == NULL) {
				fprintf(stderr, "pm-capture: %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			setvbuf(d.timeline, NULL, _IOLBF, 0);
			break;
		case 'f':
			d.format = NULL;
			for (size_t i = 0; i < SPA_N_ELEMENTS(formats); i++)
				if (!strcmp(formats[i].name, optarg))
					d.format = &formats[i];
			if (d.format == NULL) {
				fprintf(stderr, "pm-capture: unknown format %s\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: pm-capture [--target NAME] [--no-autoconnect] "
					"[--name NODE_NAME] [--seconds S] [--timeline FILE] "
					"[--format u8|s16|s24_32|s32|f32 (p for planar)]\n");
			return 2;
		}
	}

	pw_init(&argc, &argv);
	d.loop = pw_main_loop_new(NULL);
	pw_loop_add_signal(pw_main_loop_get_loop(d.loop), SIGINT, on_signal, &d);
	pw_loop_add_signal(pw_main_loop_get_loop(d.loop), SIGTERM, on_signal, &d);

	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CATEGORY, "Capture",
			PW_KEY_MEDIA_ROLE, "Communication",
			PW_KEY_NODE_NAME, name,
			PW_KEY_APP_NAME, name,
			NULL);
	if (target)
		pw_properties_set(props, PW_KEY_TARGET_OBJECT, target);
	if (!autoconnect)
		pw_properties_set(props, PW_KEY_NODE_AUTOCONNECT, "false");

	d.stream = pw_stream_new_simple(pw_main_loop_get_loop(d.loop), name, props,
			&stream_events, &d);
	params[0] = spa_format_audio_raw_build(&pb, SPA_PARAM_EnumFormat,
			&SPA_AUDIO_INFO_RAW_INIT(.format = d.format->id,
				.rate = 48000, .channels = 2,
				.position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR }));

	if (pw_stream_connect(d.stream, PW_DIRECTION_INPUT, PW_ID_ANY,
			(autoconnect ? PW_STREAM_FLAG_AUTOCONNECT : 0) |
			PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS,
			params, 1) < 0) {
		fprintf(stderr, "pm-capture: cannot connect the stream\n");
		return 1;
	}

	timer = pw_loop_add_timer(pw_main_loop_get_loop(d.loop), on_timeout, &d);
	value.tv_sec = (time_t)seconds;
	value.tv_nsec = (long)((seconds - (double)value.tv_sec) * 1e9);
	pw_loop_update_timer(pw_main_loop_get_loop(d.loop), timer, &value, NULL, false);

	pw_main_loop_run(d.loop);

	pw_stream_destroy(d.stream);
	pw_main_loop_destroy(d.loop);
	pw_deinit();
	fflush(stdout);
	if (d.timeline)
		fclose(d.timeline);
	fprintf(stderr, "pm-capture: %" PRIu64 " frames\n", d.frames);
	return d.write_error ? 1 : 0;
}
