/* privacy-mute unit test: module options and node classification */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "options.h"

#include "check.h"

static int parse(struct pm_options *o, char *err, size_t n, const struct spa_dict_item *items,
		uint32_t n_items)
{
	struct spa_dict d = SPA_DICT_INIT(items, n_items);
	err[0] = '\0';
	return pm_options_parse(&d, o, err, n);
}

/* key = value is refused with a message that names the key (quoted) */
static bool refused(const char *key, const char *value)
{
	struct spa_dict_item item = { key, value };
	struct pm_options o;
	char err[256], quoted[300];

	err[0] = '\0';
	if (pm_options_parse(&SPA_DICT_INIT(&item, 1), &o, err, sizeof(err)) != -EINVAL) {
		fprintf(stderr, "accepted: %s = %s\n", key, value ? value : "(null)");
		return false;
	}
	snprintf(quoted, sizeof(quoted), "'%s'", key);
	if (strstr(err, quoted) == NULL) {
		fprintf(stderr, "%s = %s: the message does not name the key: %s\n",
				key, value ? value : "(null)", err);
		return false;
	}
	return true;
}

/* [ <c repeated n times>, quoted or bare ] */
static const char *pattern_array(char c, int n, bool quoted)
{
	static char buf[1024];
	int len = 0;

	len += snprintf(buf + len, sizeof(buf) - len, "[ %s", quoted ? "\"" : "");
	for (int i = 0; i < n; i++)
		buf[len++] = c;
	snprintf(buf + len, sizeof(buf) - len, "%s ]", quoted ? "\"" : "");
	return buf;
}

int main(void)
{
	struct pm_options o;
	char err[256];

	CHECK(pm_options_parse(NULL, &o, err, sizeof(err)) == 0);
	CHECK(o.bus == PM_BUS_SESSION && o.initial_muted);

	/* an empty dict as an empty pw_properties has it: no items array
	 * (regression: undefined behaviour under UBSan, found by fuzz-options) */
	CHECK(pm_options_parse(&SPA_DICT_INIT(NULL, 0), &o, err, sizeof(err)) == 0);
	CHECK(o.bus == PM_BUS_SESSION && o.initial_muted && o.n_exempt == 0);

	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "policy.bus", "system" }, { "initial.state", "unmuted" } }, 2) == 0);
	CHECK(o.bus == PM_BUS_SYSTEM && !o.initial_muted);

	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "policy.bus", "sesion" } }, 1) == -EINVAL);
	CHECK(strstr(err, "'policy.bus'") && strstr(err, "'sesion'"));

	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "initial.state", "true" } }, 1) == -EINVAL);
	CHECK(strstr(err, "'initial.state'"));

	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "initial.stat", "muted" } }, 1) == -EINVAL);
	CHECK(strstr(err, "unknown option 'initial.stat'"));

	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "policy.bus", NULL } }, 1) == -EINVAL);

	CHECK(pm_media_class_is_capture("Audio/Source"));
	CHECK(pm_media_class_is_capture("Audio/Source/Virtual"));
	CHECK(pm_media_class_is_capture("Audio/Duplex"));
	CHECK(!pm_media_class_is_capture("Audio/Sink"));
	CHECK(!pm_media_class_is_capture("Stream/Input/Audio"));
	CHECK(!pm_media_class_is_capture("Video/Source"));
	CHECK(!pm_media_class_is_capture(NULL));
	/* classes compare without regard to case */
	CHECK(pm_media_class_is_capture("audio/source"));
	CHECK(pm_media_class_is_capture("AUDIO/DUPLEX"));

	/* by what the node is: its SPA factory, whatever its class */
	CHECK(pm_node_captures("Stream/Output/Audio", "api.alsa.pcm.source", false));
	CHECK(pm_node_captures("Audio/Sink", "api.alsa.pcm.source", true));
	CHECK(pm_node_captures("Video/Source", "audiotestsrc", true));
	CHECK(pm_node_captures("", "api.bluez5.sco.source", false));
	CHECK(pm_node_captures(NULL, "api.jack.source", false));
	CHECK(!pm_node_captures("Audio/Sink", "api.alsa.pcm.sink", true));
	CHECK(!pm_node_captures("Video/Source", "api.v4l2.source", true));
	CHECK(!pm_node_captures(NULL, "support.node.driver", true));
	CHECK(!pm_node_captures("Audio/Sink", "support.null-audio-sink", true));
	CHECK(pm_node_captures("Audio/Source/Virtual", "support.null-audio-sink", true));
	/* a stream: its class is all there is */
	CHECK(!pm_node_captures("Stream/Output/Audio", NULL, true));
	CHECK(pm_node_captures("Audio/Source", NULL, false));
	/* an unknown SPA factory here: guarded unless its class says it
	 * consumes or is not audio; elsewhere it is not ours to judge */
	CHECK(pm_node_captures("Stream/Output/Audio", "some.new.factory", true));
	CHECK(pm_node_captures(NULL, "some.new.factory", true));
	CHECK(!pm_node_captures("Audio/Sink", "some.new.factory", true));
	CHECK(!pm_node_captures("stream/input/audio", "some.new.factory", true));
	CHECK(!pm_node_captures("Midi/Bridge", "some.new.factory", true));
	CHECK(!pm_node_captures("Stream/Output/Audio", "some.new.factory", false));

	/* exemptions only for nodes the configuration or a module made */
	CHECK(pm_node_may_be_exempt(false, false));
	CHECK(!pm_node_may_be_exempt(true, false));
	CHECK(!pm_node_may_be_exempt(false, true));

	/* monitor.sinks: sinks are guarded only when asked for */
	CHECK(parse(&o, err, sizeof(err), NULL, 0) == 0);
	CHECK(!o.monitor_sinks && o.n_exempt == 0);
	CHECK(!pm_node_is_guarded(&o, "Audio/Sink", NULL, true));
	CHECK(pm_node_is_guarded(&o, "Audio/Source", NULL, true));
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "monitor.sinks", "true" } }, 1) == 0);
	CHECK(o.monitor_sinks && pm_node_is_guarded(&o, "Audio/Sink", NULL, true));
	CHECK(pm_node_is_guarded(&o, "audio/sink", "support.null-audio-sink", true));
	CHECK(!pm_node_is_guarded(&o, "Stream/Output/Audio", NULL, true));
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "monitor.sinks", "yes" } }, 1) == -EINVAL);
	CHECK(strstr(err, "'monitor.sinks'") && strstr(err, "'yes'"));

	/* exempt.nodes: fnmatch patterns, quoted or bare, validated */
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "[ \"trusted-loop*\" bare.name ]" } }, 1) == 0);
	CHECK(o.n_exempt == 2);
	CHECK(pm_options_is_exempt(&o, "trusted-loopback.source"));
	CHECK(pm_options_is_exempt(&o, "bare.name"));
	CHECK(!pm_options_is_exempt(&o, "alsa_input.pci"));
	CHECK(!pm_options_is_exempt(&o, NULL));
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "trusted" } }, 1) == -EINVAL);
	CHECK(strstr(err, "'exempt.nodes'"));
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "[ \"\" ]" } }, 1) == -EINVAL);
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "[ [ nested ] ]" } }, 1) == -EINVAL);
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "[ a b c d e f g h i j k l m n o p q ]" } }, 1) == -EINVAL);
	CHECK(strstr(err, "more than 16"));

	/* wrong types, out-of-range values and unknown keys: refused, and
	 * the message names the key */
	CHECK(refused("policy.bus", ""));
	CHECK(refused("policy.bus", "Session"));
	CHECK(refused("policy.bus", "1"));
	CHECK(refused("policy.bus", "[ session ]"));
	CHECK(refused("policy.bus", "{ bus = session }"));
	CHECK(refused("initial.state", ""));
	CHECK(refused("initial.state", "false"));
	CHECK(refused("initial.state", "[ muted ]"));
	CHECK(refused("initial.state", NULL));
	CHECK(refused("monitor.sinks", "1"));
	CHECK(refused("monitor.sinks", "TRUE"));
	CHECK(refused("monitor.sinks", ""));
	CHECK(refused("monitor.sinks", "[ true ]"));
	CHECK(refused("monitor.sinks", NULL));
	CHECK(refused("exempt.nodes", ""));
	CHECK(refused("exempt.nodes", "42"));
	CHECK(refused("exempt.nodes", "{ a = b }"));
	CHECK(refused("exempt.nodes", "[ { a = b } ]"));
	CHECK(refused("exempt.nodes", "[ null ]"));
	CHECK(refused("exempt.nodes", "[ a b"));
	CHECK(refused("exempt.nodes", "[ a ] b"));
	CHECK(refused("exempt.nodes", "[ \"a\\u0000b\" ]"));	/* would be "a" */
	CHECK(refused("exempt.nodes", NULL));
	CHECK(refused("Policy.bus", "session"));
	CHECK(refused("policy.bus.extra", "session"));
	CHECK(refused("policy", "session"));
	CHECK(refused("", "x"));
	CHECK(refused("exempt.node", "[ a ]"));

	/* the pattern limit is on the pattern, however it is written */
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", pattern_array('a', PM_MAX_PATTERN - 1, false) } }, 1) == 0);
	CHECK(o.n_exempt == 1 && strlen(o.exempt[0]) == PM_MAX_PATTERN - 1);
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", pattern_array('a', PM_MAX_PATTERN - 1, true) } }, 1) == 0);
	CHECK(o.n_exempt == 1 && strlen(o.exempt[0]) == PM_MAX_PATTERN - 1);
	CHECK(refused("exempt.nodes", pattern_array('a', PM_MAX_PATTERN, false)));
	CHECK(refused("exempt.nodes", pattern_array('a', PM_MAX_PATTERN, true)));
	CHECK(refused("exempt.nodes", pattern_array('a', 900, true)));
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "[ \"tab\\there\" \"q\\\"uote\" ]" } }, 1) == 0);
	CHECK(o.n_exempt == 2 && strcmp(o.exempt[0], "tab\there") == 0 &&
			strcmp(o.exempt[1], "q\"uote") == 0);
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "[ ]" } }, 1) == 0 && o.n_exempt == 0);
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "exempt.nodes", "[ a b c d e f g h i j k l m n o p ]" } }, 1) == 0);
	CHECK(o.n_exempt == PM_MAX_EXEMPT);
	/* a refused option leaves no doubt about which: the first bad one */
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "policy.bus", "system" }, { "monitor.sinks", "maybe" } }, 2) == -EINVAL);
	CHECK(strstr(err, "'monitor.sinks'") && strstr(err, "'maybe'") && !strstr(err, "policy.bus"));

	CHECK(pm_node_is_local("adapter", true, true));	/* pw-cli create-node */
	CHECK(pm_node_is_local("spa-node-factory", true, false));
	CHECK(pm_node_is_local(NULL, false, false));		/* made by a module */
	CHECK(!pm_node_is_local("client-node", true, true));
	/* a client-node whose client's factory.id names some other factory here */
	CHECK(!pm_node_is_local("spa-device-factory", true, true));
	CHECK(!pm_node_is_local(NULL, true, true));
	CHECK(!pm_node_is_local(NULL, false, true));

	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures ? 1 : 0;
}
