/* privacy-mute unit test: silence per format */
/* SPDX-License-Identifier: MIT */

#include <stdio.h>
#include <string.h>

#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>

#include "silence.h"

#include "check.h"

static void expect_bytes(uint32_t fmt, const uint8_t *want, size_t stride, const char *name)
{
	struct pm_silence s;
	uint8_t buf[8 * 8 + 1];
	size_t i;

	memset(buf, 0x55, sizeof(buf));
	pm_silence_for_audio_format(fmt, &s);
	pm_silence_fill(&s, buf, 8 * stride);
	for (i = 0; i < 8 * stride; i++) {
		if (buf[i] != want[i % stride]) {
			fprintf(stderr, "%s: byte %zu is 0x%02x, expected 0x%02x\n",
					name, i, buf[i], want[i % stride]);
			failures++;
			return;
		}
	}
	/* never writes past the size it was given */
	CHECK(buf[8 * stride] == 0x55);
}

static void test_formats(void)
{
	expect_bytes(SPA_AUDIO_FORMAT_U8, (uint8_t[]){ 0x80 }, 1, "U8");
	expect_bytes(SPA_AUDIO_FORMAT_U8P, (uint8_t[]){ 0x80 }, 1, "U8P");
	expect_bytes(SPA_AUDIO_FORMAT_S8, (uint8_t[]){ 0 }, 1, "S8");
	expect_bytes(SPA_AUDIO_FORMAT_S16_LE, (uint8_t[]){ 0, 0 }, 2, "S16LE");
	expect_bytes(SPA_AUDIO_FORMAT_S16P, (uint8_t[]){ 0, 0 }, 2, "S16P");
	expect_bytes(SPA_AUDIO_FORMAT_U16_LE, (uint8_t[]){ 0x00, 0x80 }, 2, "U16LE");
	expect_bytes(SPA_AUDIO_FORMAT_U16_BE, (uint8_t[]){ 0x80, 0x00 }, 2, "U16BE");
	expect_bytes(SPA_AUDIO_FORMAT_S24_LE, (uint8_t[]){ 0, 0, 0 }, 3, "S24LE");
	expect_bytes(SPA_AUDIO_FORMAT_U24_LE, (uint8_t[]){ 0x00, 0x00, 0x80 }, 3, "U24LE");
	expect_bytes(SPA_AUDIO_FORMAT_U24_BE, (uint8_t[]){ 0x80, 0x00, 0x00 }, 3, "U24BE");
	expect_bytes(SPA_AUDIO_FORMAT_S24_32_LE, (uint8_t[]){ 0, 0, 0, 0 }, 4, "S24_32LE");
	expect_bytes(SPA_AUDIO_FORMAT_U24_32_LE, (uint8_t[]){ 0, 0, 0x80, 0 }, 4, "U24_32LE");
	expect_bytes(SPA_AUDIO_FORMAT_U32_LE, (uint8_t[]){ 0, 0, 0, 0x80 }, 4, "U32LE");
	expect_bytes(SPA_AUDIO_FORMAT_U32_BE, (uint8_t[]){ 0x80, 0, 0, 0 }, 4, "U32BE");
	expect_bytes(SPA_AUDIO_FORMAT_S32_LE, (uint8_t[]){ 0, 0, 0, 0 }, 4, "S32LE");
	expect_bytes(SPA_AUDIO_FORMAT_F32_LE, (uint8_t[]){ 0, 0, 0, 0 }, 4, "F32LE");
	expect_bytes(SPA_AUDIO_FORMAT_F32P, (uint8_t[]){ 0, 0, 0, 0 }, 4, "F32P");
	expect_bytes(SPA_AUDIO_FORMAT_F64_LE, (uint8_t[]){ 0, 0, 0, 0, 0, 0, 0, 0 }, 8, "F64LE");
	expect_bytes(SPA_AUDIO_FORMAT_ULAW, (uint8_t[]){ 0xff }, 1, "ULAW");
	expect_bytes(SPA_AUDIO_FORMAT_ALAW, (uint8_t[]){ 0xd5 }, 1, "ALAW");
}

static void test_partial_sample(void)
{
	struct pm_silence s;
	uint8_t buf[8];

	memset(buf, 0x55, sizeof(buf));
	pm_silence_for_audio_format(SPA_AUDIO_FORMAT_U16_LE, &s);
	pm_silence_fill(&s, buf, 5);
	CHECK(buf[0] == 0x00 && buf[1] == 0x80 && buf[2] == 0x00 && buf[3] == 0x80);
	CHECK(buf[4] == 0x00);
	CHECK(buf[5] == 0x55);
}

static void test_format_pod(void)
{
	uint8_t b[1024];
	struct spa_pod_builder builder = SPA_POD_BUILDER_INIT(b, sizeof(b));
	struct spa_audio_info_raw info = { .format = SPA_AUDIO_FORMAT_U8, .rate = 48000, .channels = 2 };
	const struct spa_pod *pod;
	struct pm_silence s;

	pod = spa_format_audio_raw_build(&builder, SPA_PARAM_Format, &info);
	CHECK(pm_silence_for_format_pod(pod, &s) == 0);
	CHECK(!s.zero && s.stride == 1 && s.pattern[0] == 0x80);

	spa_pod_builder_init(&builder, b, sizeof(b));
	info.format = SPA_AUDIO_FORMAT_F32P;
	pod = spa_format_audio_raw_build(&builder, SPA_PARAM_Format, &info);
	CHECK(pm_silence_for_format_pod(pod, &s) == 0);
	CHECK(s.zero);

	/* no format, or not an audio format: zeros, and an error */
	CHECK(pm_silence_for_format_pod(NULL, &s) < 0 && s.zero);
}

int main(void)
{
	test_formats();
	test_partial_sample();
	test_format_pod();
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
