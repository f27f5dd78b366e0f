/* SPDX-License-Identifier: BSD-3-Clause
 * Experiment specs: a YAML file naming targets, metrics, sweeps and
 * repetitions, loaded with libcyaml and checked before anything boots.
 * Every problem is reported as FILE:LINE: FIELD: what was expected.
 */
#ifndef LVP_SPEC_H
#define LVP_SPEC_H

#include <stdint.h>
#include <stdio.h>

#define SPEC_MAX_TARGETS 64
#define SPEC_MAX_SWEEP 32
#define SPEC_NAME_LEN 48
#define SPEC_MAX_SERVERS 16

enum spec_metric {
	SPEC_STARTUP,
	SPEC_SIZE,
	SPEC_RTT,
	SPEC_MEMORY,
	SPEC_HTTP,
	SPEC_KV,
	SPEC_N_METRICS,
};

extern const char *const spec_metric_names[SPEC_N_METRICS];

/* What one metric section of the spec says (defaults filled in). */
struct spec_metric_cfg {
	uint64_t repetitions;
	uint64_t connections[SPEC_MAX_SWEEP];
	unsigned n_connections;
	uint64_t pipeline[SPEC_MAX_SWEEP];
	unsigned n_pipeline;
	char ops[4][8]; /* kv: get, set */
	unsigned n_ops;
	char under[3][8]; /* memory: idle, http, kv */
	unsigned n_under;
	uint64_t duration, warmup; /* ns (http, kv, memory under load) */
	uint64_t count, interval;  /* rtt: echoes per point, ns between them */
	uint64_t timeout, gap;	   /* startup: ns */
	int cold;		   /* startup: cache cold (page cache dropped before each start) */
};

struct spec_target {
	char name[SPEC_NAME_LEN];
	char platform[SPEC_NAME_LEN];
	char workload[SPEC_NAME_LEN]; /* startup, size, memory; http uses nginx, kv redis */
	char net[16];		      /* direct | platform */
	char accel[16];		      /* "" | kvm | tcg */
	char image[256];	      /* "" or a user-supplied image (unikernels, VMs) */
	const char *args[SPEC_MAX_SWEEP]; /* extra options for the platform's driver */
	unsigned n_args;
	char argbuf[512];	      /* storage behind args */
	unsigned metrics;	      /* bit i: enum spec_metric i */
	unsigned line;		      /* where the target starts in the file */
	char server[SPEC_NAME_LEN];   /* a key of servers:, "" for this host */
	/* How its start is marked: "local-spawn" (TSC before posix_spawn,
	 * the default here) or "remote-trigger" (START from the port; the
	 * default and the only choice on a server). */
	char start[16];
	/* host: {platform, opts}: a host VM lvperf boots for the target
	 * (--host, --host-opts; docs/containers-in-vms.md), "" for none */
	char host[SPEC_NAME_LEN];
	char host_opts[128];
};

/* A test server (servers: NAME: {ssh, uplink, identity}). */
struct spec_server {
	char name[SPEC_NAME_LEN];
	char ssh[256];	    /* ssh://[USER@]HOST[:PORT] */
	char uplink[16];    /* the server's interface cabled to our port ("" : none given) */
	char identity[256]; /* ssh -i FILE, "" for ssh's default */
	/* This box's dataplane port cabled to uplink (IFACE, or KIND:IFACE
	 * such as af_xdp:lvpup0); "": none given. Targets measured over the
	 * wire (every metric but size) need uplink and port. */
	char port[64];
	unsigned line;
};

struct spec {
	char name[SPEC_NAME_LEN];
	uint64_t seed;
	int random_order;
	char port_kind[16]; /* af_xdp | af_packet */
	char cores[32];
	struct spec_target targets[SPEC_MAX_TARGETS];
	unsigned n_targets;
	struct spec_server servers[SPEC_MAX_SERVERS];
	unsigned n_servers;
	struct spec_metric_cfg m[SPEC_N_METRICS];
};

/*
 * Load and check path; platforms (NULL-terminated) are the names a target
 * may use. Returns 0, or the number of problems found, each printed to err
 * as one line "PATH:LINE: FIELD: message"; nothing of the spec is usable
 * then.
 */
int spec_load(const char *path, const char *const *platforms, struct spec *s, FILE *err);

#endif
