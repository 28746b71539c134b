/* privacy-mute unit test: module options and node classification */
/* SPDX-License-Identifier: MIT */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

static int failures;
#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

static int parse(struct pm_options *o, char *err, size_t n, const struct spa_dict_item *items,
		uint32_t n_items)
{
	struct spa_dict d = SPA_DICT_INIT(items, n_items);
	err[0] = '\0';
	return pm_options_parse(&d, o, err, n);
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

	/* monitor.sinks: sinks are guarded only when asked for */
	CHECK(parse(&o, err, sizeof(err), NULL, 0) == 0);
	CHECK(!o.monitor_sinks && o.n_exempt == 0);
	CHECK(!pm_media_class_is_guarded(&o, "Audio/Sink"));
	CHECK(pm_media_class_is_guarded(&o, "Audio/Source"));
	CHECK(parse(&o, err, sizeof(err), (struct spa_dict_item[]){
			{ "monitor.sinks", "true" } }, 1) == 0);
	CHECK(o.monitor_sinks && pm_media_class_is_guarded(&o, "Audio/Sink"));
	CHECK(!pm_media_class_is_guarded(&o, "Stream/Output/Audio"));
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
