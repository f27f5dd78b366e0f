/* SPDX-License-Identifier: BSD-3-Clause
 * Target sessions: boot one platform target through its driver, wait for
 * its beacon and (when the workload has one) its service, hand the
 * dataplane and the target to a measurement (lvperf ping/http/kv/memory
 * --platform), then stop and destroy everything, also after Ctrl-C and
 * errors.
 */
#ifndef LVP_TARGET_H
#define LVP_TARGET_H

#include <sys/types.h>

#include "svc.h"
#include "driver.h"
#include "app.h"
#include "server.h"

/* stamp_error_reason of a target whose driver does not share the host's TSC. */
#define TARGET_GUEST_TSC "guest TSC relation unknown: a VM's beacon reads the guest's own TSC"

/* The booted target's address (10.253.0.2/24; the appliance is .1). */
#define TARGET_SESSION_IP 0x0afd0002u

/* Options of a command that can boot its own target; the dataplane
 * options (cores, eal, json, quiet) come from its struct app_dp_opts. */
struct target_session_opts {
	const char *platform; /* NULL: no session, the command uses --port */
	const char *workload;
	uint64_t boot_timeout; /* ns to the service being ready */
	const char *base;      /* image base: host | debian */
	const char *opts;      /* driver options K=V,... */
	const char *image;     /* an image the user brings (VMMs, unikernels) */
	const char *net;       /* direct | platform (driver.h) */
	int need_service;      /* refuse a workload without a service (set by the command) */
	struct app_server_opts srv; /* --server: the target runs there, the dataplane drives --port */
};

#define TARGET_SESSION_OPT_ROWS(type, f, defworkload)                                                \
	{ "platform", OPT_STR, offsetof(type, f.platform), 0, 0, NULL, "NAME",                       \
	  "boot this platform's target and measure it (instead of --port/--ip)" },                    \
	{ "workload", OPT_STR, offsetof(type, f.workload), 0, 0, defworkload, "W",                    \
	  "with --platform: the workload to boot (beacon, nginx, redis)" },                            \
	{ "boot-timeout", OPT_DURATION, offsetof(type, f.boot_timeout), 1000000, 3600000000000ull,    \
	  "60s", "DUR", "with --platform: give up when the target is not ready after this" },          \
	{ "base", OPT_STR, offsetof(type, f.base), 0, 0, "host", "host|debian",                       \
	  "with --platform: image base (host binaries, or Debian minbase)" },                          \
	{ "opts", OPT_STR, offsetof(type, f.opts), 0, 0, NULL, "K=V,...",                             \
	  "with --platform: driver options (e.g. qemu machine=microvm,accel=tcg)" },                   \
	{ "image", OPT_STR, offsetof(type, f.image), 0, 0, NULL, "PATH",                              \
	  "with --platform: an image you bring (VMMs, unikernels)" },                                  \
	{ "net", OPT_STR, offsetof(type, f.net), 0, 0, "direct", "direct|platform",                   \
	  "with --platform: a veth straight to the workload, or the platform's own network (docker)" }, \
	APP_SERVER_OPT_ROWS(type, f.srv)

/* A booted target while it is measured. */
struct target_session {
	const struct driver *drv;
	struct target t;
	struct dp dp;	/* its port drives the target's veth; the worker is stopped */
	pid_t pid;	/* the start command (may have exited: containers detach) */
	int json, quiet;
};

/*
 * The service a target's workload offers: t->service_port when the driver
 * set it, else by workload name (nginx: http:80, redis: redis:6379).
 * Returns 0 with *spec filled, or -ENOENT for a workload without one.
 */
int target_service(const struct target *t, struct svc_spec *spec);

/* beacon_args.vmm_up for target t (a struct target *): its driver's vmm_up. */
int target_vmm_up(void *t);

/* beacon_args.daemon_alive for a struct target (its driver's daemon_alive). */
int target_daemon_alive(void *t, char *why, size_t len);

/* The service port of s's target for cmd, or 0 after printing that its
 * workload has none. */
uint16_t target_session_port(const char *cmd, const struct target_session *s);

/*
 * Boot o->platform with o->workload once (cmd names the command in
 * messages), wait for its beacon and service, then call measure(s, arg,
 * &json) while it runs. measure may dp_start/dp_stop s->dp as it likes
 * and must leave the worker stopped. When measure returns a JSON object,
 * "platform", "workload" and "boot" (the stages of this boot) are added
 * and it is printed; in text mode a boot line follows measure's output.
 * Everything is stopped and removed before returning. Returns measure's
 * APP_* code, or the boot's when the target did not come up.
 */
int target_session_run(const char *cmd, const struct target_session_opts *o,
		       const struct app_dp_opts *dpo,
		       int (*measure)(struct target_session *s, void *arg, json_t **json), void *arg);

#endif
