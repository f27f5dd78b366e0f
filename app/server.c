/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "hostvm.h"
#include "server.h"

/* The host VM of this command (--host): one per lvperf process, as a
 * command measures one target. */
static struct hostvm app_hostvm;
static int app_hostvm_up;

/* The host VM this command uses without owning it (lvperf run boots it
 * once for a target's points, experiments/runner_host.c): its config, for
 * the variant and host_vm. */
static struct hostvm_config app_hostvm_live;
static const char *app_hostvm_live_platform; /* --host */
static int app_hostvm_is_live;

/* --host with --server, --identity and --uplink: the host VM is up
 * already (the runner's); connect to its agent as --server does, name
 * both layers, boot nothing. ssh is pinned to the VM's host key by the
 * ssh config the runner gives in LVPERF_SSH_CONFIG. */
static int app_server_host_live(const char *cmd, const struct app_server_opts *o,
				const struct hostvm_config *c, struct remote **r)
{
	char err[REMOTE_ERR_LEN];
	static char via[40];

	*r = remote_open(o->server, o->identity, o->uplink, err, sizeof(err));
	if (!*r) {
		fprintf(stderr, "lvperf %s: host VM %s: %s\n", cmd, o->server, err);
		return APP_ERR;
	}
	app_hostvm_live = *c;
	app_hostvm_live_platform = o->host;
	app_hostvm_is_live = 1;
	snprintf(via, sizeof(via), "%s %s %s", o->host, c->machine, c->accel);
	remote_set_via(*r, via);
	return 0;
}

/* --host: boot the host VM and connect to its agent as --server does. */
static int app_server_host(const char *cmd, const struct app_server_opts *o, struct remote **r)
{
	char err[REMOTE_ERR_LEN];
	struct hostvm_config c;

	if (hostvm_config_parse(o->host, o->host_opts, &c, err, sizeof(err))) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		return APP_USAGE;
	}
	if (o->server && o->uplink && o->identity)
		return app_server_host_live(cmd, o, &c, r);
	if (o->server || o->uplink || o->identity) {
		fprintf(stderr,
			"lvperf %s: --host boots its own server: leave out --server, --uplink and "
			"--identity "
			"(all three: a host VM already up, as lvperf run gives its points)\n",
			cmd);
		return APP_USAGE;
	}
	app_signals();
	/* QEMU's threads off the dataplane worker's default CPU (an explicit
	 * --cores applies to what is spawned after the VM) */
	app_avoid_worker_cpu(NULL, NULL);
	fprintf(stderr, "lvperf %s: booting the host VM (qemu %s %s, %u MiB, %u vCPUs)\n", cmd, c.machine, c.accel,
		c.mem_mib, c.smp);
	if (hostvm_boot(&app_hostvm, &c, &app_interrupted, err, sizeof(err))) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		return APP_ERR;
	}
	app_hostvm_up = 1;
	fprintf(stderr, "lvperf %s: host VM %s up: sshd answered %.1f s after QEMU started (guest uptime %.1f s)\n",
		cmd, app_hostvm.variant, (double)app_hostvm.boot_ns / 1e9, app_hostvm.guest_up_s);
	/* ssh pinned to the image's host key (the file hostvm wrote) */
	setenv("LVPERF_SSH_CONFIG", app_hostvm.ssh_config, 1);
	*r = remote_open(app_hostvm.uri, app_hostvm.img.key, HOSTVM_UPLINK, err, sizeof(err));
	if (!*r) {
		fprintf(stderr, "lvperf %s: host VM: %s\n", cmd, err);
		app_server_close(NULL);
		return APP_ERR;
	}
	remote_set_via(*r, app_hostvm.variant);
	return 0;
}

const char *app_server_port(void)
{
	return app_hostvm_up ? app_hostvm.port : NULL;
}

void app_server_close(struct remote *r)
{
	remote_close(r);
	if (app_hostvm_up)
		hostvm_destroy(&app_hostvm);
	app_hostvm_up = 0;
}

void app_server_json(json_t *obj)
{
	if (app_hostvm_up && json_is_object(obj) && !json_object_get(obj, "host_vm"))
		json_object_set_new(obj, "host_vm", hostvm_json(&app_hostvm));
	else if (app_hostvm_is_live && json_is_object(obj) && !json_object_get(obj, "host_vm"))
		/* its boot and RSS: the runner's raw/host_vms.jsonl */
		json_object_set_new(
		    obj, "host_vm",
		    json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "platform",
			      app_hostvm_live_platform, "machine", app_hostvm_live.machine, "accel",
			      app_hostvm_live.accel, "mem_mib", (int)app_hostvm_live.mem_mib, "smp",
			      (int)app_hostvm_live.smp, "booted_by", "lvperf run"));
}

int app_server_open(const char *cmd, const struct app_server_opts *o, int need_wire,
		    struct remote **r)
{
	char err[REMOTE_ERR_LEN];

	*r = NULL;
	if (o->host)
		return app_server_host(cmd, o, r);
	if (o->host_opts) {
		fprintf(stderr, "lvperf %s: --host-opts goes with --host\n", cmd);
		return APP_USAGE;
	}
	if (!o->server) {
		if (o->uplink || o->identity) {
			fprintf(stderr, "lvperf %s: --uplink and --identity go with --server\n",
				cmd);
			return APP_USAGE;
		}
		return 0;
	}
	if (need_wire && !o->uplink) {
		fprintf(
		    stderr,
		    "lvperf %s: --server needs --uplink IFACE (the server's interface cabled to "
		    "the appliance's dataplane port, given with --port)\n",
		    cmd);
		return APP_USAGE;
	}
	*r = remote_open(o->server, o->identity, o->uplink, err, sizeof(err));
	if (!*r) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		return APP_ERR;
	}
	return 0;
}

const struct driver *app_server_driver(const char *cmd, struct remote *r, const char *platform)
{
	char err[REMOTE_ERR_LEN];
	const struct driver *d;

	if (!r) {
		d = driver_find(platform);
		if (!d)
			fprintf(stderr, "lvperf %s: no platform '%s' (see lvperf platforms)\n", cmd,
				platform);
		return d;
	}
	d = remote_driver(r, platform, err, sizeof(err));
	if (!d)
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
	return d;
}
