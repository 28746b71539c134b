/* privacy-mute test tool: make and check raw PCM */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-pcm noise SECONDS > file        s16le stereo 48 kHz noise, seeded, never repeats
 *   pm-pcm check silence|signal FORMAT MIN_SAMPLES [FILE]
 *   pm-pcm stat FORMAT [FILE]
 *   pm-pcm match REFERENCE [FILE]      capture (s16le stereo) is a slice of REFERENCE
 *   pm-pcm segments FORMAT FILE silence|signal...
 *                                      the capture, cut in 50 ms blocks, is
 *                                      this sequence of silent and signal
 *                                      stretches (leading silence, the stream
 *                                      starting up, and blocks that straddle a
 *                                      change are not counted)
 *   pm-pcm now                         CLOCK_MONOTONIC in ns (the graph's clock)
 *   pm-pcm timeline FILE FROM_NS TO_NS silence|signal MIN_BUFFERS
 *                                      every buffer of a pm-capture timeline
 *                                      with FROM_NS < cycle time <= TO_NS is
 *                                      silent (or carries signal), and there
 *                                      are at least MIN_BUFFERS of them
 *
 * FORMAT: u8 s16 s24_32 s32 f32 (little endian). "silence" for u8 is 0x80,
 * for the others all zero bits. A capture with fewer than MIN_SAMPLES samples
 * fails: an empty capture is not silence.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

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
static int do_match(const char *ref_path, FILE *f)
{
	FILE *rf = open_in(ref_path);
	uint8_t *ref, *cap;
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
		return 1;
	}
	for (off = 0; off + 64 <= ref_len; off += 4)
		if (!memcmp(ref + off, cap + start, 64))
			break;
	if (off + 64 > ref_len) {
		printf("match: FAIL first captured frames are not in the reference\n");
		return 1;
	}
	for (i = start; i < cap_len; i++) {
		if (cap[i] != ref[(off + i - start) % ref_len]) {
			printf("match: FAIL differs at byte %zu of %zu (reference offset %zu)\n",
					i, cap_len, off);
			return 1;
		}
	}
	printf("match: OK %zu bytes bit-exact from reference offset %zu\n", cap_len - start, off);
	return 0;
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

int main(int argc, char **argv)
{
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
		return do_match(argv[2], open_in(argc > 3 ? argv[3] : NULL));
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
			"now | timeline FILE FROM_NS TO_NS silence|signal MIN_BUFFERS\n");
	return 2;
}
