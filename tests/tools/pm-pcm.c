/* privacy-mute test tool: make and check raw PCM */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-pcm noise SECONDS > file        s16le stereo 48 kHz noise, seeded, never repeats
 *   pm-pcm check silence|signal FORMAT MIN_SAMPLES [FILE]
 *   pm-pcm stat FORMAT [FILE]
 *   pm-pcm match REFERENCE [FILE]      capture (s16le stereo) is a slice of REFERENCE
 *   pm-pcm match-gaps REFERENCE [FILE] the same, where stretches of silence
 *                                      may stand in for data (a source that
 *                                      ran out of input)
 *   pm-pcm segments FORMAT FILE silence|signal...
 *                                      the capture, cut in 50 ms blocks, is
 *                                      this sequence of silent and signal
 *                                      stretches (leading silence, the stream
 *                                      starting up, and blocks that straddle a
 *                                      change are not counted)
 *   pm-pcm now                         CLOCK_MONOTONIC in ns (the graph's clock)
 *   pm-pcm pace [BYTES_PER_SECOND]     copy stdin to stdout at real-time pace
 *                                      (default 192000: s16le stereo 48 kHz),
 *                                      at most 0.1 s ahead of the clock; for a
 *                                      writer into a fifo that a source reads
 *   pm-pcm timeline FILE FROM_NS TO_NS silence|signal MIN_BUFFERS
 *                                      every buffer of a pm-capture timeline
 *                                      with FROM_NS < cycle time <= TO_NS is
 *                                      silent (or carries signal), and there
 *                                      are at least MIN_BUFFERS of them
 *   pm-pcm meter INTERVAL_SECONDS [STATE_FILE]
 *                                      a level meter for a live s16le stereo
 *                                      48 kHz stream on stdin: one line per
 *                                      interval (RMS, peak, a bar, and the
 *                                      policy state: the last line of
 *                                      STATE_FILE, as `privacy-mute watch`
 *                                      writes it), then a summary per stretch
 *                                      of unchanged state; see do_meter()
 *
 * FORMAT: u8 s16 s24_32 s32 f32 (little endian). "silence" for u8 is 0x80,
 * for the others all zero bits. A capture with fewer than MIN_SAMPLES samples
 * fails: an empty capture is not silence.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

struct stat_result {
	uint64_t bytes, samples, nonsilent, first_nonsilent, last_nonsilent;
	double peak;	/* 0..1 */
};

static int sample_size(const char *fmt)
{
	if (!strcmp(fmt, "u8")) return 1;
	if (!strcmp(fmt, "s16")) return 2;
	if (!strcmp(fmt, "s24_32") || !strcmp(fmt, "s32") || !strcmp(fmt, "f32")) return 4;
	return -1;
}

static double level(const char *fmt, const uint8_t *p, int *silent)
{
	if (!strcmp(fmt, "u8")) {
		*silent = p[0] == 0x80;
		return abs((int)p[0] - 0x80) / 128.0;
	}
	if (!strcmp(fmt, "s16")) {
		int16_t v = (int16_t)(p[0] | p[1] << 8);
		*silent = v == 0;
		return abs(v) / 32768.0;
	}
	uint32_t u = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	*silent = u == 0;
	if (!strcmp(fmt, "f32")) {
		float f;
		memcpy(&f, &u, 4);
		return f < 0 ? -f : f;
	}
	if (!strcmp(fmt, "s24_32"))
		return labs((long)((int32_t)(u << 8) >> 8)) / 8388608.0;
	return fabsl((long double)(int32_t)u) / 2147483648.0;
}

static FILE *open_in(const char *path)
{
	FILE *f = path ? fopen(path, "rb") : stdin;
	if (f == NULL) {
		fprintf(stderr, "pm-pcm: cannot open %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return f;
}

static void do_stat(const char *fmt, FILE *f, struct stat_result *r)
{
	int ss = sample_size(fmt);
	uint8_t buf[65536];
	size_t n, carry = 0, i;

	if (ss < 0) {
		fprintf(stderr, "pm-pcm: unknown format %s\n", fmt);
		exit(2);
	}
	memset(r, 0, sizeof(*r));
	while ((n = fread(buf + carry, 1, sizeof(buf) - carry, f)) > 0) {
		n += carry;
		for (i = 0; i + ss <= n; i += ss) {
			int silent;
			double l = level(fmt, buf + i, &silent);
			if (!silent) {
				if (r->nonsilent == 0)
					r->first_nonsilent = r->samples;
				r->last_nonsilent = r->samples;
				r->nonsilent++;
			}
			if (l > r->peak)
				r->peak = l;
			r->samples++;
		}
		r->bytes += i;
		carry = n - i;
		memmove(buf, buf + i, carry);
	}
}

static void print_stat(const struct stat_result *r)
{
	printf("samples=%llu nonsilent=%llu peak=%.6f first_nonsilent=%lld last_nonsilent=%lld\n",
			(unsigned long long)r->samples, (unsigned long long)r->nonsilent, r->peak,
			r->nonsilent ? (long long)r->first_nonsilent : -1LL,
			r->nonsilent ? (long long)r->last_nonsilent : -1LL);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static int do_noise(double seconds)
{
	uint32_t seed = 0x5eed, i, frames = (uint32_t)(seconds * 48000);
	for (i = 0; i < frames * 2; i++) {
		/* about -12 dBFS white noise, never a zero sample */
		int16_t v = (int16_t)((int32_t)(lcg(&seed) >> 16) - 32768) / 4;
		if (v == 0)
			v = 1;
		putchar(v & 0xff);
		putchar((v >> 8) & 0xff);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The capture, past any leading silence (the stream starting up), must be a
 * contiguous slice of the reference, byte for byte. */
static int do_match(const char *ref_path, FILE *f, bool allow_gaps)
{
	FILE *rf = open_in(ref_path);
	unsigned gaps = 0;
	size_t gap_bytes = 0;
	uint8_t *ref, *cap;
	int res = 1;
	size_t ref_len = 0, cap_len = 0, cap_cap = 1 << 20, ref_cap = 1 << 20, start, off, i, n;

	ref = malloc(ref_cap);
	while ((n = fread(ref + ref_len, 1, ref_cap - ref_len, rf)) > 0)
		if ((ref_len += n) == ref_cap)
			ref = realloc(ref, ref_cap *= 2);
	cap = malloc(cap_cap);
	while ((n = fread(cap + cap_len, 1, cap_cap - cap_len, f)) > 0)
		if ((cap_len += n) == cap_cap)
			cap = realloc(cap, cap_cap *= 2);
	cap_len &= ~(size_t)3;

	for (start = 0; start < cap_len && !(cap[start] | cap[start + 1] | cap[start + 2] | cap[start + 3]); start += 4)
		;
	if (cap_len - start < 4800 * 4) {
		printf("match: FAIL only %zu bytes of signal captured\n", cap_len - start);
		goto done;
	}
	for (off = 0; off + 64 <= ref_len; off += 4)
		if (!memcmp(ref + off, cap + start, 64))
			break;
	if (off + 64 > ref_len) {
		printf("match: FAIL first captured frames are not in the reference\n");
		goto done;
	}
	for (i = start; i + 4 <= cap_len; i += 4) {
		size_t at = (off + i - start) % ref_len, z, o;
		if (!memcmp(cap + i, ref + at, 4))
			continue;
		/* A source that ran out of input (a pipe source whose writer
		 * was late) fills the cycle with silence and goes on with the
		 * data that comes next: with gaps allowed, a stretch of zero
		 * frames may stand in for data, and what follows must be the
		 * reference again, later on. Anything else is altered data. */
		if (!allow_gaps || memcmp(cap + i, "\0\0\0\0", 4) || gaps == 16) {
			printf("match: FAIL differs at byte %zu of %zu (reference offset %zu)\n",
					i, cap_len, off);
			goto done;
		}
		for (z = i; z + 4 <= cap_len && !memcmp(cap + z, "\0\0\0\0", 4); z += 4)
			;
		if (z + 64 > cap_len)
			break;		/* silence to the end: nothing more to judge */
		for (o = 0; o + 64 <= ref_len; o += 4) {
			size_t r = (at + o) % ref_len;
			if (r + 64 <= ref_len && !memcmp(ref + r, cap + z, 64))
				break;
		}
		if (o + 64 > ref_len) {
			printf("match: FAIL after a gap at byte %zu the data is not the reference\n", i);
			goto done;
		}
		gaps++;
		gap_bytes += z - i;
		/* go on from z, at reference offset at + o */
		off = (at + o + ref_len - (z - start) % ref_len) % ref_len;
		i = z - 4;
	}
	printf("match: OK %zu bytes bit-exact from reference offset %zu", cap_len - start - gap_bytes, off);
	if (gaps)
		printf(", %u gaps of silence (%zu bytes) where the source ran out of input", gaps,
				gap_bytes);
	printf("\n");
	res = 0;
done:
	/* freed, so a sanitized run (make test-asan) reports no leak */
	free(ref);
	free(cap);
	fclose(rf);
	return res;
}

static int do_timeline(const char *path, int64_t from, int64_t to, int want_silence,
		uint64_t min)
{
	FILE *f = open_in(path);
	long long t;
	unsigned frames, nonsilent;
	uint64_t n = 0, bad = 0, samples = 0;
	long long first_bad = -1;

	while (fscanf(f, "%lld %u %u", &t, &frames, &nonsilent) == 3) {
		if (t <= from || t > to)
			continue;
		n++;
		samples += frames * 2ull;
		/* a buffer with signal has (almost) every sample non-zero */
		if (frames == 0 || (want_silence ? nonsilent != 0 : nonsilent * 2 < frames * 2)) {
			if (first_bad < 0)
				first_bad = t;
			bad++;
		}
	}
	printf("timeline %s: %llu buffers (%llu samples) in (%lld, %lld], %llu wrong",
			want_silence ? "silence" : "signal", (unsigned long long)n,
			(unsigned long long)samples, (long long)from, (long long)to,
			(unsigned long long)bad);
	if (bad)
		printf(", first wrong at %lld (%+.3f ms after FROM)", first_bad,
				(first_bad - from) / 1e6);
	printf("\n");
	if (n < min) {
		printf("FAIL: %llu buffers, expected at least %llu\n",
				(unsigned long long)n, (unsigned long long)min);
		return 1;
	}
	return bad ? 1 : 0;
}

static int do_segments(const char *fmt, const char *path, int n_want, char **want)
{
	FILE *f = open_in(path);
	int ss = sample_size(fmt), n = 0, i;
	const size_t block = 2400 * 2;	/* 50 ms of stereo */
	uint8_t sample[4];
	size_t k = 0, nonsilent = 0;
	char seq[4096], last = 0;

	if (ss < 0)
		return 2;
	while (fread(sample, ss, 1, f) == 1) {
		int silent;
		level(fmt, sample, &silent);
		nonsilent += !silent;
		if (++k < block)
			continue;
		char c = nonsilent == 0 ? 'S' : nonsilent * 2 >= block ? 'A' : 0;
		if (c && c != last && !(n == 0 && c == 'S') && n < (int)sizeof(seq) - 1) {
			seq[n++] = c;
			last = c;
		}
		k = nonsilent = 0;
	}
	seq[n] = '\0';
	printf("segments: ");
	for (i = 0; i < n; i++)
		printf("%s%s", i ? " " : "", seq[i] == 'S' ? "silence" : "signal");
	printf("\n");
	if (n != n_want)
		return 1;
	for (i = 0; i < n; i++)
		if ((seq[i] == 'S') != !strcmp(want[i], "silence"))
			return 1;
	return 0;
}

/* ---- meter ---- */

/* Samples count for a state only when the state, as the meter saw it in
 * STATE_FILE, held from METER_GUARD seconds before they were read until
 * METER_GUARD after: that covers the capture pipeline's latency (samples
 * are older than the moment they are read) and the lag of the state file
 * behind the graph, so no sample from around a change is judged. */
#define METER_GUARD		0.5
#define METER_POLL		0.02	/* seconds between reads of STATE_FILE */
/* A line is marked as switched when the state changed while it was read or
 * this shortly before (audio lags the state file by about a quantum). */
#define METER_SWITCH_LAG	0.1
#define METER_RATE		48000
#define METER_CHANNELS		2
#define METER_BAR		40
#define METER_FLOOR_DB		-60.0

enum meter_state {
	MS_NONE,		/* no state file, or no line in it yet */
	MS_MUTED,		/* "muted enforced" */
	MS_UNMUTED,		/* "unmuted enforced" */
	MS_MUTED_NOT,		/* "muted not-enforced" */
	MS_UNMUTED_NOT,		/* "unmuted not-enforced" */
	MS_OTHER,		/* any other line, e.g. the service went away */
};

static const char *const meter_state_names[] = {
	[MS_NONE] = "unknown", [MS_MUTED] = "muted", [MS_UNMUTED] = "unmuted",
	[MS_MUTED_NOT] = "muted-not-enforced", [MS_UNMUTED_NOT] = "unmuted-not-enforced",
	[MS_OTHER] = "other",
};

/* what was read in one read(): its time, where it starts and its levels */
struct meter_chunk {
	double t;
	uint64_t pos;		/* samples before it */
	uint32_t samples, nonzero, peak;
	double sumsq;
};

struct meter_change {
	double t;
	enum meter_state state;
};

static double mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The last complete line of path, into line; its state. */
static enum meter_state meter_read_state(const char *path, char *line, size_t size)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	long end;
	size_t n;
	char *p, *start;

	line[0] = '\0';
	if (f == NULL)
		return MS_NONE;
	if (fseek(f, 0, SEEK_END) == 0 && (end = ftell(f)) > (long)sizeof(buf) - 1)
		fseek(f, end - (long)sizeof(buf) + 1, SEEK_SET);
	else
		fseek(f, 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* only whole lines: a line being written has no newline yet */
	if ((p = strrchr(buf, '\n')) == NULL)
		return MS_NONE;
	*p = '\0';
	start = (p = strrchr(buf, '\n')) ? p + 1 : buf;
	n = strlen(start) < size ? strlen(start) : size - 1;	/* shown, may be cut */
	memcpy(line, start, n);
	line[n] = '\0';
	if (!strcmp(start, "muted enforced")) return MS_MUTED;
	if (!strcmp(start, "unmuted enforced")) return MS_UNMUTED;
	if (!strcmp(start, "muted not-enforced")) return MS_MUTED_NOT;
	if (!strcmp(start, "unmuted not-enforced")) return MS_UNMUTED_NOT;
	return start[0] ? MS_OTHER : MS_NONE;
}

static const char *meter_state_text(enum meter_state st, const char *line)
{
	switch (st) {
	case MS_MUTED: return "muted, enforced yes";
	case MS_UNMUTED: return "unmuted, enforced yes";
	case MS_MUTED_NOT: return "muted, enforced no";
	case MS_UNMUTED_NOT: return "unmuted, enforced no";
	case MS_OTHER: return line;
	default: return "state unknown";
	}
}

static void meter_db(char *buf, size_t size, double v)
{
	if (v <= 0)
		snprintf(buf, size, "-inf");
	else
		snprintf(buf, size, "%.1f", 20 * log10(v));
}

static void meter_header(bool with_state)
{
	char scale[METER_BAR + 3];

	snprintf(scale, sizeof(scale), "|%-*s%s|", METER_BAR - 5, "-60 dB", "0 dB");
	printf("%8s   %-32s   %s%s\n", "time", "level (dBFS: 0 is full scale)", scale,
			with_state ? "   policy state" : "");
	fflush(stdout);
}

static void meter_line(uint64_t pos, uint64_t samples, double sumsq, uint32_t peak,
		const char *state, bool switched)
{
	char rms_db[16], peak_db[16], bar[METER_BAR + 1];
	double rms = samples ? sqrt(sumsq / samples) / 32768.0 : 0;
	int n = 0;

	meter_db(rms_db, sizeof(rms_db), rms);
	meter_db(peak_db, sizeof(peak_db), peak / 32768.0);
	if (rms > 0)
		n = (int)lround(METER_BAR * (20 * log10(rms) - METER_FLOOR_DB) / -METER_FLOOR_DB);
	n = n < 0 ? 0 : n > METER_BAR ? METER_BAR : n;
	memset(bar, '#', n);
	memset(bar + n, ' ', METER_BAR - n);
	bar[METER_BAR] = '\0';
	printf("%6.1f s   RMS %5s dBFS   peak %5s dBFS   |%s|", (double)pos /
			(METER_RATE * METER_CHANNELS), rms_db, peak_db, bar);
	if (state)
		printf("   %s%s", state, switched ? " (switched during this line)" : "");
	printf("\n");
	fflush(stdout);
}

/* The state seen at time t: the last change at or before t. */
static enum meter_state meter_state_at(const struct meter_change *c, size_t n, double t)
{
	enum meter_state st = MS_NONE;
	size_t i;

	for (i = 0; i < n && c[i].t <= t; i++)
		st = c[i].state;
	return st;
}

/* Print the stretches and judge them: every muted stretch all zero, every
 * unmuted one carrying a clear signal, at least one of each. */
static int meter_summary(const struct meter_chunk *ch, size_t n_ch,
		const struct meter_change *c, size_t n_c, double t_end)
{
	char order[1024] = "", rms_db[16];
	size_t i = 0, j, left_out = 0, n_muted = 0, n_unmuted = 0, n_stretch = 0;
	bool ok = true;

	printf("\nsummary per stretch of one policy state (samples read within %.1f s "
			"of a change are not judged):\n", METER_GUARD);
	while (i < n_ch) {
		double t = ch[i].t;
		enum meter_state st = meter_state_at(c, n_c, t - METER_GUARD);
		uint64_t samples = 0, nonzero = 0, first = ch[i].pos, last;
		uint32_t peak = 0;
		double sumsq = 0;
		bool stable = t + METER_GUARD <= t_end && st != MS_NONE;

		for (j = 0; stable && j < n_c; j++)
			if (c[j].t > t - METER_GUARD && c[j].t <= t + METER_GUARD)
				stable = false;
		if (!stable) {
			left_out += ch[i++].samples;
			continue;
		}
		/* one stretch: the following chunks judged in the same state */
		for (j = i; j < n_ch; j++) {
			size_t k;
			bool same = ch[j].t + METER_GUARD <= t_end &&
				meter_state_at(c, n_c, ch[j].t - METER_GUARD) == st;
			for (k = 0; same && k < n_c; k++)
				if (c[k].t > ch[j].t - METER_GUARD && c[k].t <= ch[j].t + METER_GUARD)
					same = false;
			if (!same)
				break;
			samples += ch[j].samples;
			nonzero += ch[j].nonzero;
			sumsq += ch[j].sumsq;
			if (ch[j].peak > peak)
				peak = ch[j].peak;
		}
		last = ch[j - 1].pos + ch[j - 1].samples;
		i = j;
		n_stretch++;
		meter_db(rms_db, sizeof(rms_db), samples ? sqrt(sumsq / samples) / 32768.0 : 0);
		printf("  %zu. %-20s %5.1f s to %5.1f s: %8llu samples, ", n_stretch,
				meter_state_names[st],
				(double)first / (METER_RATE * METER_CHANNELS),
				(double)last / (METER_RATE * METER_CHANNELS),
				(unsigned long long)samples);
		if (st == MS_MUTED) {
			n_muted++;
			if (nonzero == 0) {
				printf("all zero (digital silence)\n");
			} else {
				printf("%llu NOT ZERO: FAIL\n", (unsigned long long)nonzero);
				ok = false;
			}
		} else if (st == MS_UNMUTED) {
			n_unmuted++;
			/* as `check signal`: most samples carry sound, clearly audible */
			bool signal = nonzero * 2 >= samples && peak >= 32768 / 20;
			printf("%llu non-zero, RMS %s dBFS: %s\n", (unsigned long long)nonzero,
					rms_db, signal ? "signal" : "NO CLEAR SIGNAL: FAIL");
			ok = ok && signal;
		} else {
			printf("%llu non-zero, RMS %s dBFS (not judged)\n",
					(unsigned long long)nonzero, rms_db);
		}
		if (strlen(order) + strlen(meter_state_names[st]) + 2 < sizeof(order))
			snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s%s",
					order[0] ? " " : "", meter_state_names[st]);
	}
	printf("  around changes (not judged): %zu samples\n", left_out);
	printf("stretches: %s\n", order);
	if (n_muted == 0 || n_unmuted == 0) {
		printf("verdict: FAIL (%s)\n", n_muted == 0 ? "no muted stretch" : "no unmuted stretch");
		return 1;
	}
	printf("verdict: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

/* Read s16le stereo 48 kHz from stdin as it arrives (read(2), not stdio,
 * which would wait to fill its buffer) and print one line per INTERVAL of
 * stream time. With a STATE_FILE, it is read every METER_POLL seconds and
 * shown on each line, each read() is kept with its time, and at the end the
 * capture is judged per state (meter_summary). */
static int do_meter(double interval, const char *state_path)
{
	uint64_t per_line = (uint64_t)llround(interval * METER_RATE) * METER_CHANNELS;
	uint64_t pos = 0, line_samples = 0;
	uint32_t line_peak = 0;
	double line_sumsq = 0, last_poll = 0, line_start = -1, changed_at = -1;
	struct meter_chunk *ch = NULL;
	struct meter_change *c = NULL;
	size_t n_ch = 0, cap_ch = 0, n_c = 0, cap_c = 0;
	enum meter_state st = MS_NONE;
	char line[256] = "";
	uint8_t buf[4096];
	size_t carry = 0;

	if (per_line == 0) {
		fprintf(stderr, "pm-pcm: meter: the interval must be at least 1/%d s\n", METER_RATE);
		return 2;
	}
	meter_header(state_path != NULL);
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf + carry, sizeof(buf) - carry);
		double now = mono_seconds();
		size_t i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "pm-pcm: meter: %s\n", strerror(errno));
			break;
		}
		if (state_path && (now - last_poll >= METER_POLL || n == 0)) {
			enum meter_state s = meter_read_state(state_path, line, sizeof(line));
			last_poll = now;
			if (n_c == 0 || s != st) {
				if (n_c == cap_c && !(c = realloc(c, (cap_c = cap_c * 2 + 16) * sizeof(*c))))
					return 2;
				if (n_c > 0)
					changed_at = now;
				c[n_c++] = (struct meter_change) { now, s };
				st = s;
			}
		}
		if (n == 0)
			break;
		n += carry;
		if (n_ch == cap_ch && !(ch = realloc(ch, (cap_ch = cap_ch * 2 + 256) * sizeof(*ch))))
			return 2;
		struct meter_chunk *k = &ch[n_ch++];
		*k = (struct meter_chunk) { .t = now, .pos = pos };
		if (line_start < 0)
			line_start = now;
		for (i = 0; i + 2 <= (size_t)n; i += 2) {
			int16_t v = (int16_t)(buf[i] | buf[i + 1] << 8);
			uint32_t a = v < 0 ? -(int32_t)v : v;
			k->samples++;
			k->nonzero += v != 0;
			k->sumsq += (double)v * v;
			if (a > k->peak)
				k->peak = a;
			line_sumsq += (double)v * v;
			if (a > line_peak)
				line_peak = a;
			pos++;
			if (++line_samples == per_line) {
				meter_line(pos, line_samples, line_sumsq, line_peak,
						state_path ? meter_state_text(st, line) : NULL,
						changed_at > line_start - METER_SWITCH_LAG);
				/* the next line starts in this read */
				line_start = i + 2 < (size_t)n ? now : -1;
				line_samples = 0;
				line_sumsq = 0;
				line_peak = 0;
			}
		}
		carry = n - i;
		memmove(buf, buf + i, carry);
		if (!state_path)
			n_ch = 0;	/* nothing to judge: keep no history */
	}
	if (line_samples > 0)
		meter_line(pos, line_samples, line_sumsq, line_peak,
				state_path ? meter_state_text(st, line) : NULL,
				changed_at > line_start - METER_SWITCH_LAG);
	int res = 0;
	if (state_path)
		res = meter_summary(ch, n_ch, c, n_c, mono_seconds());
	else
		printf("\n%llu samples\n", (unsigned long long)pos);
	fflush(stdout);
	free(ch);
	free(c);
	return res;
}

static int do_pace(double bytes_per_second)
{
	uint8_t buf[1920];
	uint64_t written = 0;
	double start = mono_seconds();
	size_t n;

	if (bytes_per_second <= 0) {
		fprintf(stderr, "pm-pcm: bad rate\n");
		return 2;
	}
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		/* this chunk may go out once the clock is within 0.25 s of it:
		 * a reader of the fifo that drives its graph (a pipe source)
		 * keeps that much in hand against a writer that is late (a
		 * busy or sanitized machine); the pipe holds 0.34 s */
		double due = start + written / bytes_per_second - 0.25;
		double wait = due - mono_seconds();
		if (wait > 0) {
			struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		if (fwrite(buf, 1, n, stdout) != n || fflush(stdout) != 0)
			return 1;
		written += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "pace"))
		return do_pace(argc > 2 ? atof(argv[2]) : 192000);
	if (argc >= 3 && !strcmp(argv[1], "meter"))
		return do_meter(atof(argv[2]), argc > 3 ? argv[3] : NULL);
	if (argc >= 5 && !strcmp(argv[1], "segments"))
		return do_segments(argv[2], argv[3], argc - 4, argv + 4);
	if (argc >= 2 && !strcmp(argv[1], "now")) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		return 0;
	}
	if (argc >= 7 && !strcmp(argv[1], "timeline"))
		return do_timeline(argv[2], strtoll(argv[3], NULL, 10), strtoll(argv[4], NULL, 10),
				!strcmp(argv[5], "silence"), strtoull(argv[6], NULL, 10));

	struct stat_result r;

	if (argc >= 3 && !strcmp(argv[1], "noise"))
		return do_noise(atof(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "stat")) {
		do_stat(argv[2], open_in(argc > 3 ? argv[3] : NULL), &r);
		print_stat(&r);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "match"))
		return do_match(argv[2], open_in(argc > 3 ? argv[3] : NULL), false);
	if (argc >= 3 && !strcmp(argv[1], "match-gaps"))
		return do_match(argv[2], open_in(argc > 3 ? argv[3] : NULL), true);
	if (argc >= 5 && !strcmp(argv[1], "check")) {
		uint64_t min = strtoull(argv[4], NULL, 10);
		int want_silence = !strcmp(argv[2], "silence");
		do_stat(argv[3], open_in(argc > 5 ? argv[5] : NULL), &r);
		printf("%s: ", argv[2]);
		print_stat(&r);
		if (r.samples < min) {
			printf("FAIL: %llu samples, expected at least %llu\n",
					(unsigned long long)r.samples, (unsigned long long)min);
			return 1;
		}
		if (want_silence && r.nonsilent > 0) {
			printf("FAIL: %llu non-silent samples\n", (unsigned long long)r.nonsilent);
			return 1;
		}
		/* signal: most samples carry sound and it is clearly audible */
		if (!want_silence && (r.nonsilent * 2 < r.samples || r.peak < 0.05)) {
			printf("FAIL: no clear signal\n");
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: pm-pcm noise SECONDS | stat FORMAT [FILE] | "
			"check silence|signal FORMAT MIN_SAMPLES [FILE] | match REFERENCE [FILE] | "
			"match-gaps REFERENCE [FILE] | now | pace [BYTES_PER_SECOND] | timeline FILE FROM_NS TO_NS silence|signal MIN_BUFFERS | "
			"meter INTERVAL_SECONDS [STATE_FILE]\n");
	return 2;
}
