/* SPDX-License-Identifier: BSD-3-Clause
 * What the subcommands share: the dataplane options every port-driving
 * command takes, output helpers, exit codes and the interrupt flag.
 */
#ifndef LVP_APP_H
#define LVP_APP_H

#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "dp.h"
#include "stats.h"
#include "options.h"

/* Exit codes of lvperf. */
enum {
	APP_OK = 0,
	APP_ERR = 1,	 /* the measurement could not be made */
	APP_TIMEOUT = 2, /* a target did not show up in time */
	APP_USAGE = 64,	 /* bad command line */
	APP_INTERRUPTED = 130, /* stopped by a signal; lvperf run can resume */
};

/* The hook-stamping XDP program (dataplane/bpf/xdp_stamp.bpf.c), installed
 * beside the lvperf binary. */
#define APP_XDP_STAMP_OBJ "xdp_stamp.bpf.o"

struct app_dp_opts {
	const char *port;
	struct opt_cidr ip;
	const char *cores;
	const char *eal;
	const char *rx_stamp;
	int json;
	int quiet;
	uint64_t max_stall; /* ns */
};

#define APP_DP_OPT_ROWS(type, f)                                                                    \
	{ "port", OPT_STR, offsetof(type, f.port), 0, 0, NULL, "SPEC",                              \
	  "DPDK port: af_xdp:IFACE af_packet:IFACE tap:NAME vhost:SOCK memif:SOCK ring:NAME pci:BDF" }, \
	{ "ip", OPT_IPV4_CIDR, offsetof(type, f.ip), 0, 0, NULL, "A.B.C.D/LEN",                     \
	  "the appliance's own address on the port" },                                              \
	{ "cores", OPT_STR, offsetof(type, f.cores), 0, 0, NULL, "[MAIN,]WORKER[,WORKER..]",        \
	  "CPUs for control and the dataplane worker(s) (default: hwloc/libnuma)" },           \
	{ "eal", OPT_STR, offsetof(type, f.eal), 0, 0, NULL, "\"OPTS\"",                            \
	  "extra DPDK EAL options, space separated (experts)" },                                    \
	{ "rx-stamp", OPT_STR, offsetof(type, f.rx_stamp), 0, 0, "auto", "auto|xdp|burst",           \
	  "af_xdp: stamp RX at the veth's XDP hook, or after the RX burst (auto: xdp when built)" }, \
	{ "json", OPT_FLAG, offsetof(type, f.json), 0, 0, NULL, NULL,                               \
	  "print one JSON object on stdout instead of text" },                                      \
	{ "quiet", OPT_FLAG, offsetof(type, f.quiet), 0, 0, NULL, NULL,                             \
	  "no info or progress lines on stderr" },                                                  \
	APP_MAX_STALL_OPT_ROW(type, f.max_stall)

/* --max-stall: the worker-stall threshold row (commands without
 * APP_DP_OPT_ROWS use it alone). */
#define APP_MAX_STALL_OPT_ROW(type, field)                                                          \
	{ "max-stall", OPT_DURATION, offsetof(type, field), 1000, 10000000000ull, "50us", "DUR",    \
	  "flag the run worker_stalled when the worker's loop paused longer than this (descheduled)" }

/* Set by SIGINT/SIGTERM; long loops poll it and stop cleanly. */
extern volatile sig_atomic_t app_interrupted;

/* Install the SIGINT/SIGTERM handlers that set app_interrupted. */
void app_signals(void);

/*
 * Check the dataplane options (port and ip required unless port_optional)
 * and fill a dp_config. Prints one line and returns -EINVAL on error.
 */
int app_dp_config(const char *cmd, const struct app_dp_opts *o, int port_optional,
		  struct dp_config *cfg);

/* Give cfg calib's TSC checks (calib/tsc.h), which dp_open makes. */
void app_dp_tsc(struct dp_config *cfg);

/*
 * Bring the dataplane up with dcfg, run measure(dp, arg, &json), take it
 * down, then print the JSON object measure returned (if any). Returns
 * measure's APP_* code, or APP_ERR when the dataplane does not come up.
 */
int app_dp_run(const char *cmd, const struct dp_config *dcfg,
	       int (*measure)(struct dp *dp, const void *arg, json_t **json), const void *arg);

/*
 * Resolve --rx-stamp MODE (auto, xdp, burst; NULL is auto) into
 * cfg->xdp_prog: the hook-stamping program beside the lvperf binary for xdp
 * (an error when it is missing) and auto (silently none when missing), none
 * for burst. Prints one line and returns -EINVAL on error.
 */
int app_dp_rx_stamp(const char *cmd, const char *mode, struct dp_config *cfg);

/*
 * How the port stamped what it received: {"clock"} and, for stamps at the
 * XDP hook, how many frames carried the hook's stamp ("stamped") or not
 * ("unstamped", "future": given the burst's TSC instead), the mean and
 * longest wait between hook and RX burst that the stamp took out of every
 * figure, and the hook clock's anchors to the TSC. nif: the queue's netif
 * (its hook clock), or a sum of the queues' (xdp_clock_merge).
 */
json_t *app_rx_stamp_json(const struct netif *nif);

/* A JSON real, or null for NaN (a figure that was not measured). */
json_t *app_num_json(double v);

/* {"n":…, "min":…, "p50":…, "mean":…, "sd":…, "p90":…, "p99":…, "p999":…, "max":…};
 * NaN values become null. */
json_t *app_summary_json(const struct stats_summary *s);

/* One text line: "LABEL n N min … p50 … mean … sd … p99 … max … UNIT". */
void app_summary_print(FILE *out, const char *label, const struct stats_summary *s, const char *unit);

/* The TSC clock as JSON: measured and DPDK's rate, their disagreement. */
json_t *app_clock_json(const struct tsc_clock *c, enum clock_source src);

/* The netif's counters: frames in and out, drops, malformed by reason. */
json_t *app_counters_json(const struct netif *nif);

/* DPDK's own port statistics (ipackets, imissed, rx_nombuf, ...). */
json_t *app_port_stats_json(uint16_t port_id);

struct floor_result;

/* A floor as JSON: {"source", "port", "count", "interval_ns", "rtt_ns":
 * summary}, and for a port floor "lost", "corrupt", "bad_checksum" and
 * "reflector" {"mode", "where", "icmp_answered", "udp_answered", "passed"}. */
json_t *app_floor_json(const struct floor_result *f);
/*
 * What every measurement result says about where it ran and whether the
 * worker was disturbed: sets o's "cpus" ({"worker": N, "control": [CPUs
 * this (the control) thread may use], "target": [CPUs of the target's
 * start command] or null when lvperf did not start it, "workers": [the CPU
 * of worker k, for every worker]) and "worker" ({"stall_threshold_ns",
 * "stalls" and "longest_stall_ns": gaps between loop iterations above the
 * threshold and the longest one; "descheduled_ns", "involuntary_switches":
 * the kernel's account of the worker thread, which also sees preemptions
 * inside an iteration, null when unreadable: all worker 0's;
 * "per_worker": [the same four and "stalled" for worker k, every worker];
 * "stalled_workers": how many stalled}), and appends "worker_stalled" to
 * o's "flags" array (created when missing) when, since the workers last
 * started, any worker had a gap above the threshold or the kernel's
 * account proves a preemption of it longer than the threshold (total
 * wait / preemptions > threshold). Call after dp_stop.
 */
void app_result_cpus_stalls(json_t *o, const struct dp *dp, const cpu_set_t *target);

/* The longest loop gap of any worker since dp_start (TSC ticks). */
tsc_t app_max_stall_gap(const struct dp *dp);

/*
 * Keep the commands lvperf starts (targets, platform daemons and tools)
 * off the dataplane worker's CPU (drivers/proc.h proc_avoid_cpu): with
 * dp NULL, before the dataplane is up, the CPU the worker will take for
 * --cores cores (a port without a NUMA node: veth, vhost); else dp's.
 */
void app_avoid_worker_cpu(const struct dp *dp, const char *cores);

/* "worker on CPU C: N stalls above T us, longest L us, ..." for text
 * output, one line per worker ("worker K on CPU C: ...") with --workers. */
void app_stalls_print(FILE *out, const struct dp *dp);

/* CPUs of a set as a JSON array of numbers. */
json_t *app_cpu_list_json(const cpu_set_t *set);

/*
 * The path of lvperf's data file name (a spec such as quick.yaml) in buf:
 * under share/lvperf when this lvperf is the installed one (also under a
 * DESTDIR: the prefix is found from /proc/self/exe), else in the source
 * tree's experiments/. Returns 0, -ENOENT when it is in neither (buf then
 * holds the source tree's path) or -ENAMETOOLONG.
 */
int app_data_path(const char *name, char *buf, size_t len);

/* Dump json to stdout (indented), an object with "format": LVP_FORMAT
 * added when it has none, and free it. */
void app_json_print(json_t *obj);

/* Path of the beacon workload installed beside the lvperf binary. */
const char *app_beacon_path(void);

/* Progress lines go to stderr only when it is a terminal and not quiet. */
int app_progress_wanted(int quiet);

#endif
