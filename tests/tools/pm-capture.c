/* privacy-mute test tool: a native capture stream with a per-buffer timeline */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-capture [--target NAME] [--no-autoconnect] [--name NODE_NAME]
 *              [--seconds S] [--timeline FILE] > capture.raw
 *
 * Records s16le stereo 48 kHz to stdout, like pw-record, and for every
 * buffer writes one line to the timeline file:
 *
 *   <graph cycle time ns, CLOCK_MONOTONIC> <frames> <non-silent samples>
 *
 * so a test can tell, buffer by buffer, when silence began relative to the
 * moment the policy confirmed the mute. --no-autoconnect leaves the stream
 * unlinked for the test to link it with pw-link.
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

struct data {
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	FILE *timeline;
	uint64_t frames;
	int write_error;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + ts.tv_nsec;
}

static void on_process(void *userdata)
{
	struct data *d = userdata;
	struct pw_buffer *b;
	struct spa_data *sd;
	struct pw_time t;
	uint32_t size, i, nonsilent = 0;
	int16_t *s;

	if ((b = pw_stream_dequeue_buffer(d->stream)) == NULL)
		return;
	sd = &b->buffer->datas[0];
	if (sd->data == NULL || sd->chunk == NULL)
		goto done;
	size = SPA_MIN(sd->chunk->size, sd->maxsize - SPA_MIN(sd->chunk->offset, sd->maxsize));
	s = SPA_PTROFF(sd->data, sd->chunk->offset, int16_t);
	for (i = 0; i < size / 2; i++)
		nonsilent += s[i] != 0;

	if (pw_stream_get_time_n(d->stream, &t, sizeof(t)) < 0 || t.now == 0)
		t.now = (int64_t)now_ns();
	if (d->timeline)
		fprintf(d->timeline, "%" PRIi64 " %u %u\n", t.now, size / 4, nonsilent);
	if (size > 0 && fwrite(s, 1, size, stdout) != size)
		d->write_error = errno ? errno : EIO;
	d->frames += size / 4;
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
		{ NULL, 0, NULL, 0 }
	};
	struct data d = { 0 };
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
		default:
			fprintf(stderr, "usage: pm-capture [--target NAME] [--no-autoconnect] "
					"[--name NODE_NAME] [--seconds S] [--timeline FILE]\n");
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
			&SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_S16_LE,
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
