/* privacy-mute test tool: a process that hosts its own microphone */
/* SPDX-License-Identifier: MIT */

/*
 *   pm-host [--name NODE_NAME] [--module-args ARGS] [--no-module]
 *
 * Hosts a microphone the way WirePlumber hosts Bluetooth sources: a local
 * adapter node around audiotestsrc, exported to the daemon, with the
 * privacy-mute module loaded into this very process (the daemon only sees
 * a client-node; the data is made here). Lets a test load and unload the
 * module at run time:
 *
 *   SIGUSR1  unload the module (pw_impl_module_destroy)
 *   SIGUSR2  load it again
 *   SIGTERM  quit
 *
 * Prints "ready", "unloaded", "loaded" on stdout as they happen.
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl.h>

struct data {
	struct pw_main_loop *loop;
	struct pw_context *context;
	const char *module_args;
	struct pw_impl_module *module;
};

static void say(const char *what)
{
	printf("%s\n", what);
	fflush(stdout);
}

static void load(struct data *d)
{
	if (d->module != NULL)
		return;
	d->module = pw_context_load_module(d->context, "libpipewire-module-privacy-mute",
			d->module_args, NULL);
	say(d->module ? "loaded" : "load-failed");
}

static void on_signal(void *userdata, int signal_number)
{
	struct data *d = userdata;

	switch (signal_number) {
	case SIGUSR1:
		if (d->module) {
			pw_impl_module_destroy(d->module);
			d->module = NULL;
		}
		say("unloaded");
		break;
	case SIGUSR2:
		load(d);
		break;
	default:
		pw_main_loop_quit(d->loop);
		break;
	}
}

int main(int argc, char *argv[])
{
	static const struct option long_options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "module-args", required_argument, NULL, 'a' },	/* replaces PM_MODULE_TRUST */
		{ "no-module", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	/* the test stack's trust in its build-tree policy (lib.sh) */
	struct data d = { .module_args = getenv("PM_MODULE_TRUST") ? getenv("PM_MODULE_TRUST") : "" };
	const char *name = "hostmic";
	bool with_module = true;
	struct pw_loop *l;
	struct pw_core *core;
	struct pw_impl_factory *factory;
	struct pw_impl_node *node;
	struct pw_proxy *proxy;
	struct pw_properties *props;
	int c;

	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'a': d.module_args = optarg; break;
		case 'N': with_module = false; break;
		default:
			fprintf(stderr, "usage: pm-host [--name NODE_NAME] [--module-args ARGS] "
					"[--no-module]\n");
			return 2;
		}
	}

	pw_init(&argc, &argv);
	d.loop = pw_main_loop_new(NULL);
	l = pw_main_loop_get_loop(d.loop);
	pw_loop_add_signal(l, SIGINT, on_signal, &d);
	pw_loop_add_signal(l, SIGTERM, on_signal, &d);
	pw_loop_add_signal(l, SIGUSR1, on_signal, &d);
	pw_loop_add_signal(l, SIGUSR2, on_signal, &d);

	d.context = pw_context_new(l, pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf",
				NULL), 0);
	if (d.context == NULL) {
		perror("pm-host: pw_context_new");
		return 1;
	}
	pw_context_add_spa_lib(d.context, "audiotestsrc", "audiotestsrc/libspa-audiotestsrc");

	if ((core = pw_context_connect(d.context, NULL, 0)) == NULL) {
		perror("pm-host: cannot connect to pipewire");
		return 1;
	}
	if (with_module) {
		load(&d);
		if (d.module == NULL)
			return 1;
	}

	if ((factory = pw_context_find_factory(d.context, "adapter")) == NULL) {
		fprintf(stderr, "pm-host: no adapter factory\n");
		return 1;
	}
	props = pw_properties_new(
			"factory.name", "audiotestsrc",
			PW_KEY_NODE_NAME, name,
			PW_KEY_NODE_DESCRIPTION, "Microphone hosted by pm-host",
			PW_KEY_MEDIA_CLASS, "Audio/Source",
			"audio.rate", "48000",
			"audio.channels", "2",
			"audio.position", "[ FL FR ]",
			"node.param.Props", "{ volume = 0.5 }",
			NULL);
	node = pw_impl_factory_create_object(factory, NULL, PW_TYPE_INTERFACE_Node,
			PW_VERSION_NODE, pw_properties_copy(props), 0);
	if (node == NULL) {
		perror("pm-host: cannot create the node");
		return 1;
	}
	proxy = pw_core_export(core, PW_TYPE_INTERFACE_Node, &props->dict, node, 0);
	pw_properties_free(props);
	if (proxy == NULL) {
		perror("pm-host: cannot export the node");
		return 1;
	}
	say("ready");

	pw_main_loop_run(d.loop);

	pw_proxy_destroy(proxy);
	pw_impl_node_destroy(node);
	if (d.module)
		pw_impl_module_destroy(d.module);
	pw_core_disconnect(core);
	pw_context_destroy(d.context);
	pw_main_loop_destroy(d.loop);
	pw_deinit();
	return 0;
}
