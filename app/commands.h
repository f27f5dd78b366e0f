/* SPDX-License-Identifier: BSD-3-Clause
 * The subcommands, one file each under app/, and the pieces of them that
 * other commands reuse (selfcheck runs ping and beacon measurements).
 */
#ifndef LVP_COMMANDS_H
#define LVP_COMMANDS_H

#include <sys/types.h>

#include <jansson.h>

#include "dp.h"
#include "svc.h"

int cmd_ping(int argc, char **argv);
int cmd_beacon(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_selfcheck(int argc, char **argv);
int cmd_http(int argc, char **argv);
int cmd_kv(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_boot(int argc, char **argv);
int cmd_platforms(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_memory(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_size(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_reflect(int argc, char **argv);

struct ping_args {
	uint32_t target;
	uint64_t count;
	uint64_t interval; /* ns */
	uint64_t size;	   /* ICMP payload bytes */
	uint64_t timeout;  /* ns to resolve the target */
	uint64_t linger;   /* ns to wait for replies after the last echo */
	uint64_t floor_count;
	const char *floor; /* ring | port | none; NULL: port */
	const char *vm_opts; /* a vhost port's guest's driver options (its accel=
			      * is the floor guest's), NULL: none */
	int no_floor;	   /* --no-floor: none */
	int samples;	   /* print every sample in text mode */
	const char *csv;
	int json;
	int quiet;
};

/*
 * Measure the floor (a->floor: the port's own against the XDP reflector on
 * a veth made for it, or for a vhost port the floor guest, the in-process
 * ring, or none), then ping a->target from dp's
 * netif, write the CSV (raw samples first), and report: text on stdout, or
 * the JSON object returned in *json (caller prints/frees) when a->json.
 * Returns an APP_* exit code; errors are printed here, once.
 */
int ping_measure(struct dp *dp, const struct ping_args *a, json_t **json);

struct trigger_run;

struct beacon_args {
	uint64_t repeat;
	uint64_t timeout; /* ns per run */
	uint64_t gap;	  /* ns between runs */
	const char *csv;
	int json;
	int quiet;
	char **argv;	  /* the command */
	/* Called once per run after the first beacon, before the command is
	 * stopped (e.g. to sample the target's memory; pid may have exited
	 * already when the start command returns early); may be NULL. */
	void (*on_up)(pid_t pid, unsigned run, void *ctx);
	/* Called after each run once the command is stopped and reaped (e.g.
	 * to stop what it started beyond its own process); may be NULL. */
	void (*after_run)(pid_t pid, unsigned run, void *ctx);
	void *on_up_ctx;
	/* After the beacon, probe this service until it answers (the "syn" and
	 * "ready" stages) before the run counts as up; NULL: beacon only. */
	const struct svc_spec *service;
	uint32_t service_ip; /* where the service is; 0: the beacon's source */
	/* Cold starts: sync and drop the page cache, dentries and inodes
	 * (vm.drop_caches = 3) before each start mark; 0: warm (labelled). */
	int cold;
	/* A host-side stage before the first packet: vmm_up(vmm_ctx) returns 1
	 * once the VMM has set up the guest's devices (drivers' vmm_up op),
	 * polled every BEACON_VMM_POLL_NS from the start mark; NULL: none. */
	int (*vmm_up)(void *ctx);
	void *vmm_ctx;
	/* Optional: 1 while the platform daemon runs, else 0 with why (the
	 * driver's daemon_alive; ctx is vmm_ctx, the target). Asked before
	 * each start and after a start that failed: a dead dockerd is named,
	 * not reported as a timeout. */
	int (*daemon_alive)(void *ctx, char *why, size_t len);
	/* Why the TSC a beacon carries cannot be set against ours (a guest's
	 * own TSC), or NULL: the target shares the host's TSC (native and
	 * containers) and each run gets its stamp error, port stamp - the
	 * sender's TSC. */
	const char *sender_tsc_unknown;
	/* A target on another box (drivers/remote.h): start(start_ctx) starts
	 * it there instead of argv here, returning its pid there, or -errno
	 * with one line in err; the start mark is the TSC before the request
	 * is written, labelled "start": "remote-request". The run's process
	 * is then stopped by after_run (the driver's stop op), not here.
	 * NULL: argv is spawned here ("local-spawn"). */
	int (*start)(void *ctx, pid_t *pid, char *err, size_t len);
	void *start_ctx;
	/* Start by remote trigger (trigger_run.h): START from the port, the
	 * listener spawns argv, start mark = START's TX TSC + the one-way
	 * delay measured before each run; NULL: local spawn (TSC before
	 * posix_spawn). */
	struct trigger_run *trigger;
};

/* Start a->argv a->repeat times and time its first ARP, first beacon and,
 * with a->service, the first SYN-ACK and first correct answer of the
 * service; same reporting contract as ping_measure(). on_up runs once the
 * last stage is in, with the probe detached: it may stop the worker and
 * run another measurement on dp (the run's stamps are already taken). */
int beacon_measure(struct dp *dp, const struct beacon_args *a, json_t **json);

#endif
