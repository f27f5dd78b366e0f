/* SPDX-License-Identifier: BSD-3-Clause
 * --server, --uplink and --identity: a command's targets on a test server
 * reached over SSH (drivers/remote.h) instead of on this host.
 */
#ifndef LVP_SERVER_H
#define LVP_SERVER_H

#include <stddef.h>

#include "driver.h"
#include "options.h"
#include "remote.h"

struct app_server_opts {
	const char *server;   /* ssh://[USER@]HOST[:PORT], NULL: this host */
	const char *uplink;   /* the server's interface cabled to the appliance's port */
	const char *identity; /* ssh -i FILE */
	const char *host;     /* --host qemu: the server is a host VM lvperf boots (drivers/hostvm.h) */
	const char *host_opts; /* --host-opts machine=,accel=,mem=,smp=,timeout= */
};

#define APP_SERVER_OPT_ROWS(type, f)                                                                 \
	{ "server", OPT_STR, offsetof(type, f.server), 0, 0, NULL, "ssh://[USER@]HOST[:PORT]",      \
	  "run the target on this test server (lvperf agent over ssh; docs/remote.md)" },           \
	{ "uplink", OPT_STR, offsetof(type, f.uplink), 0, 0, NULL, "IFACE",                          \
	  "with --server: the server's interface cabled to the appliance's dataplane port" },       \
	{ "identity", OPT_STR, offsetof(type, f.identity), 0, 0, NULL, "FILE",                       \
	  "with --server: the ssh private key (ssh -i)" },                                            \
	{ "host", OPT_STR, offsetof(type, f.host), 0, 0, NULL, "PLATFORM",                            \
	  "boot a host VM of PLATFORM (qemu) and run the target inside it (docs/containers-in-vms.md)" }, \
	{ "host-opts", OPT_STR, offsetof(type, f.host_opts), 0, 0, NULL, "K=V,...",                   \
	  "with --host: machine=q35|pc,accel=tcg|kvm,mem=MiB,smp=N,timeout=S" }

/*
 * Connect to o->server when set (else *r = NULL and nothing happens).
 * need_wire: the command measures through the cable, so --uplink is
 * required. --uplink or --identity without --server is refused. Returns 0,
 * or an APP_* code after printing one line naming cmd.
 */
int app_server_open(const char *cmd, const struct app_server_opts *o, int need_wire, struct remote **r);

/*
 * With --host: the dataplane port cabled to the host VM (af_packet:TAP),
 * else NULL. Valid after app_server_open until app_server_close.
 */
const char *app_server_port(void);

/* Close r (remote_close) and stop and remove the host VM, if any. */
void app_server_close(struct remote *r);

/* Add "host_vm" (the host VM's boot, variant, RSS) to a command's JSON
 * object when one was booted. */
void app_server_json(json_t *obj);

/*
 * The driver for platform: the server's (a proxy) when r, else this
 * host's. NULL after printing one line naming cmd.
 */
const struct driver *app_server_driver(const char *cmd, struct remote *r, const char *platform);

#endif
