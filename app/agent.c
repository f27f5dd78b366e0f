/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf-agent: the test server's side of lvperf over SSH. Reads requests
 * (drivers/agent_proto.h) on stdin, runs the driver operations here with
 * this process's own ledger, and writes one reply per request on stdout.
 * No DPDK, no listening socket: SSH is the transport and the
 * authentication. At end of input (the connection dropped) or bye, every
 * target this connection made is stopped and destroyed, then it exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "agent_proto.h"
#include "driver.h"
#include "footprint.h"
#include "image.h"
#include "ledger.h"
#include "netns.h"
#include "proc.h"
#include "trigger.h"

#ifndef LVP_VERSION
#define LVP_VERSION "unknown"
#endif

#define AGENT_HANDLES	    16
#define AGENT_STOP_GRACE_NS 2000000000ull
#define AGENT_ARM_MAX_MS    600000 /* the longest an arm may wait for its START */

/* One target this connection prepared. */
struct agent_handle {
	int used;
	struct target t;
	pid_t pid;   /* the start command while it runs, else 0 */
	int trig_fd; /* the START listener + 1 (0: none), kept across runs */
	uint16_t trig_port;
	char workload[32], base[32], net[16], opts[512], image[512];
};

struct agent {
	int in, out; /* the protocol's descriptors (stdin, stdout moved aside) */
	int hello;   /* the handshake succeeded */
	unsigned seq;
	char uplink[16]; /* --uplink: the interface cabled to the appliance */
	char bridge[16]; /* lvpub<pid>, holding the uplink and every target's veth */
	struct agent_handle h[AGENT_HANDLES];
	/* An arm answered, its START awaited after the first reply is out. */
	struct {
		struct agent_handle *h;
		json_int_t id;
		uint64_t nonce, timeout_ns;
	} armed;
};

static volatile sig_atomic_t agent_stop_sig;

static void agent_on_signal(int sig)
{
	agent_stop_sig = sig;
}

static uint64_t agent_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int agent_ip(char *const argv[])
{
	return proc_run(argv, 1, 10000000000ull);
}

/* The bridge joining the uplink to the targets' veths: made at the first
 * prepare that names an uplink, removed at exit. */
static int agent_bridge(struct agent *a, const char *uplink, char *err, size_t len)
{
	char sysctl[96];
	int fd;

	if (a->bridge[0]) {
		if (strcmp(uplink, a->uplink)) {
			snprintf(err, len, "uplink %s asked, but this connection uses %s", uplink,
				 a->uplink);
			return -EINVAL;
		}
		return 0;
	}
	if (strlen(uplink) >= sizeof(a->uplink) || !uplink[0] || strchr(uplink, '/')) {
		snprintf(err, len, "bad uplink interface name '%.32s'", uplink);
		return -EINVAL;
	}
	{
		/* One connection per uplink: another agent's bridge would lose it. */
		char out[512], *m;

		if (proc_output((char *[]){"ip", "-o", "link", "show", "dev", (char *)uplink, NULL},
				out, sizeof(out), 10000000000ull) != 0) {
			snprintf(err, len, "no interface %.32s on the server", uplink);
			return -ENODEV;
		}
		m = strstr(out, " master ");
		if (m) {
			snprintf(
			    err, len,
			    "uplink %.32s is already in bridge %.*s (another lvperf connection?)",
			    uplink,
			    (int)strcspn(m + 8, " \n") > 32 ? 32 : (int)strcspn(m + 8, " \n"),
			    m + 8);
			return -EBUSY;
		}
	}
	snprintf(a->bridge, sizeof(a->bridge), "lvpub%d", (int)getpid() % 10000000);
	snprintf(a->uplink, sizeof(a->uplink), "%s", uplink);
	ledger_add(LEDGER_LINK, a->bridge);
	if (agent_ip((char *[]){"ip", "link", "add", a->bridge, "type", "bridge", "stp_state", "0",
				NULL})) {
		snprintf(err, len, "cannot make bridge %s (ip link add ... type bridge)",
			 a->bridge);
		ledger_done(LEDGER_LINK, a->bridge);
		a->bridge[0] = 0;
		return -EIO;
	}
	snprintf(sysctl, sizeof(sysctl), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", a->bridge);
	fd = open(sysctl, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			(void)0; /* router solicitations on the wire are harmless noise */
		close(fd);
	}
	if (agent_ip((char *[]){"ip", "link", "set", a->uplink, "master", a->bridge, "up", NULL}) ||
	    agent_ip((char *[]){"ip", "link", "set", a->bridge, "up", NULL})) {
		snprintf(err, len, "cannot put uplink %s into bridge %s (is it an interface here?)",
			 a->uplink, a->bridge);
		agent_ip((char *[]){"ip", "link", "del", a->bridge, NULL});
		ledger_done(LEDGER_LINK, a->bridge);
		a->bridge[0] = 0;
		return -ENODEV;
	}
	return 0;
}

static void agent_bridge_remove(struct agent *a)
{
	if (!a->bridge[0])
		return;
	agent_ip((char *[]){"ip", "link", "del", a->bridge, NULL});
	ledger_done(LEDGER_LINK, a->bridge);
	a->bridge[0] = 0;
}

static struct agent_handle *agent_handle_get(struct agent *a, const json_t *req, char *err,
					     size_t len)
{
	json_int_t n = json_integer_value(json_object_get(req, "handle"));

	if (n < 1 || n > AGENT_HANDLES || !a->h[n - 1].used) {
		snprintf(err, len, "no handle %lld on this connection", (long long)n);
		return NULL;
	}
	return &a->h[n - 1];
}

static void agent_handle_stop(struct agent_handle *h)
{
	int status;

	if (h->pid > 0) {
		proc_stop(h->pid, AGENT_STOP_GRACE_NS, &status);
		ledger_done_pid(h->pid);
	}
}

static void agent_handle_free(struct agent_handle *h)
{
	if (h->trig_fd)
		close(h->trig_fd - 1);
	agent_handle_stop(h);
	h->t.drv->stop(&h->t, h->pid);
	h->pid = 0;
	h->t.drv->destroy(&h->t);
	proc_reap_orphans(0);
	memset(h, 0, sizeof(*h));
}

static const char *agent_str(const json_t *req, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(req, key));

	if (!s)
		return NULL;
	snprintf(buf, len, "%s", s);
	return buf;
}

static json_t *op_hello(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	if (agent_proto_hello_check(req, "appliance", err, len)) {
		fprintf(stderr, "lvperf-agent: %s\n", err);
		return NULL;
	}
	a->hello = 1;
	return json_pack("{s:I, s:b, s:i, s:s, s:i}", "id", id, "ok", 1, "proto",
			 AGENT_PROTO_VERSION, "version", LVP_VERSION, "pid", (int)getpid());
}

static json_t *op_platforms(struct agent *a, json_int_t id, const json_t *req, char *err,
			    size_t len)
{
	const struct driver *const *d;
	json_t *arr = json_array(), *r;

	(void)a, (void)req, (void)err, (void)len;
	for (d = drivers; *d; d++) {
		char why[256] = "";
		int ok = (*d)->available(why, sizeof(why));

		json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s?, s:I, s:b, s:s?, s:b}",
						     "name", (*d)->name, "summary", (*d)->summary,
						     "available", ok, "why", ok ? NULL : why,
						     "caps", (json_int_t)(*d)->caps,
						     "shares_host_tsc", (*d)->shares_host_tsc,
						     "platform_net", (*d)->platform_net,
						     "daemon_memory", (*d)->daemon_memory != NULL));
	}
	r = agent_proto_ok(id);
	json_object_set_new(r, "platforms", arr);
	return r;
}

static int agent_listen_ns(const struct agent_handle *h, char *path, size_t len);

static json_t *op_prepare(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	const struct driver *drv = driver_find(json_string_value(json_object_get(req, "platform")));
	const json_t *uplink = json_object_get(req, "uplink");
	struct agent_handle *h = NULL;
	char why[256];
	json_t *r;
	int i;

	if (!drv) {
		snprintf(err, len, "no platform '%.64s' on the server (see lvperf platforms)",
			 json_string_value(json_object_get(req, "platform")));
		return NULL;
	}
	if (!drv->available(why, sizeof(why))) {
		snprintf(err, len, "platform %s is not available on the server: %s", drv->name,
			 why);
		return NULL;
	}
	for (i = 0; i < AGENT_HANDLES && !h; i++)
		if (!a->h[i].used)
			h = &a->h[i];
	if (!h) {
		snprintf(err, len, "at most %d targets per connection", AGENT_HANDLES);
		return NULL;
	}
	memset(h, 0, sizeof(*h));
	h->t.drv = drv;
	h->t.workload = agent_str(req, "workload", h->workload, sizeof(h->workload));
	h->t.base = agent_str(req, "base", h->base, sizeof(h->base));
	h->t.net = agent_str(req, "net", h->net, sizeof(h->net));
	h->t.opts = agent_str(req, "opts", h->opts, sizeof(h->opts));
	h->t.image = agent_str(req, "image", h->image, sizeof(h->image));
	if (!h->t.workload) {
		snprintf(err, len, "field 'workload' missing");
		return NULL;
	}
	if (agent_proto_ip(json_object_get(req, "appliance_ip"), &h->t.appliance_ip) ||
	    agent_proto_ip(json_object_get(req, "target_ip"), &h->t.target_ip)) {
		snprintf(err, len, "appliance_ip and target_ip must be dotted IPv4 addresses");
		return NULL;
	}
	h->t.prefix_len = (uint8_t)json_integer_value(json_object_get(req, "prefix_len"));
	h->t.beacon_port = (uint16_t)json_integer_value(json_object_get(req, "beacon_port"));
	if (h->t.prefix_len < 1 || h->t.prefix_len > 30 || !h->t.beacon_port ||
	    json_integer_value(json_object_get(req, "beacon_port")) > 65535) {
		snprintf(err, len, "prefix_len must be 1..30 and beacon_port 1..65535");
		return NULL;
	}
	if (driver_check_net(drv, h->t.net, err, len))
		return NULL;
	if (json_is_string(uplink) && agent_bridge(a, json_string_value(uplink), err, len))
		return NULL;
	h->t.guest_s = -1;
	/* no "_": LXD names instances by the tag ("Name can only contain
	 * alphanumeric and hyphen characters") */
	snprintf(h->t.tag, sizeof(h->t.tag), "a%d-%d", (int)getpid() % 100000, ++a->seq % 100);
	if (drv->prepare(&h->t, err, len))
		return NULL;
	h->used = 1;
	if (a->bridge[0]) {
		/* The target's host-side interface: the veth's host end, or the
		 * tap a VMM's af_packet port names; vhost-user has none. */
		const char *ifc = h->t.port[0] ? NULL : h->t.link.host_if;

		if (!strncmp(h->t.port, "af_packet:", 10) || !strncmp(h->t.port, "af_xdp:", 7))
			ifc = strchr(h->t.port, ':') + 1;
		if (!ifc || !ifc[0]) {
			snprintf(err, len,
				 "%s's target has no interface to attach to the uplink (port %s%s)",
				 drv->name, h->t.port[0] ? h->t.port : "none",
				 !strncmp(h->t.port, "vhost:", 6) ? "; try --opts net=tap" : "");
			agent_handle_free(h);
			return NULL;
		}
		if (agent_ip((char *[]){"ip", "link", "set", (char *)ifc, "master", a->bridge, "up",
					NULL})) {
			snprintf(err, len, "cannot put %s into bridge %s", ifc, a->bridge);
			agent_handle_free(h);
			return NULL;
		}
	}
	r = agent_proto_ok(id);
	json_object_set_new(r, "handle", json_integer(h - a->h + 1));
	json_object_set_new(r, "target_ip", agent_proto_ip_json(h->t.target_ip));
	json_object_set_new(r, "icmp_ip", agent_proto_ip_json(h->t.icmp_ip));
	json_object_set_new(r, "service_port", json_integer(h->t.service_port));
	json_object_set_new(r, "variant", json_string(h->t.variant));
	json_object_set_new(r, "host_if", json_string(h->t.link.host_if));
	json_object_set_new(r, "port", json_string(h->t.port));
	json_object_set_new(r, "tag", json_string(h->t.tag));
	{
		char path[sizeof(h->t.netns_path)];

		json_object_set_new(r, "armable",
				    json_boolean(!agent_listen_ns(h, path, sizeof(path))));
	}
	return r;
}

static json_t *op_start(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	struct agent_handle *h = agent_handle_get(a, req, err, len);
	uint64_t before, after;
	json_t *r;
	int rc;

	if (!h)
		return NULL;
	if (h->pid > 0) {
		snprintf(err, len, "handle %lld already runs pid %d: stop it first",
			 (long long)(h - a->h + 1), (int)h->pid);
		return NULL;
	}
	before = agent_mono_ns();
	rc = proc_start(h->t.argv, 1, &h->pid);
	after = agent_mono_ns();
	if (rc) {
		h->pid = 0;
		snprintf(err, len, "cannot start '%s' on the server: %s", h->t.argv[0],
			 strerror(-rc));
		return NULL;
	}
	ledger_add_pid(h->pid); /* after the spawn, as beacon_one does: the ledger syncs to disk */
	r = agent_proto_ok(id);
	json_object_set_new(r, "pid", json_integer(h->pid));
	json_object_set_new(r, "before_ns", json_integer((json_int_t)before));
	json_object_set_new(r, "after_ns", json_integer((json_int_t)after));
	return r;
}

static json_t *op_stop(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	struct agent_handle *h = agent_handle_get(a, req, err, len);
	pid_t pid;
	json_t *r;

	if (!h)
		return NULL;
	pid = h->pid;
	agent_handle_stop(h);
	h->t.guest_s = -1;
	h->t.drv->stop(&h->t, pid);
	h->pid = 0;
	proc_reap_orphans(0);
	r = agent_proto_ok(id);
	json_object_set_new(r, "guest_s", h->t.guest_s < 0 ? json_null() : json_real(h->t.guest_s));
	return r;
}

static json_t *op_destroy(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	struct agent_handle *h = agent_handle_get(a, req, err, len);

	if (!h)
		return NULL;
	agent_handle_free(h);
	return agent_proto_ok(id);
}

/* image_size, memory, daemon_memory: {"bytes":N}, or an error. */
static json_t *op_bytes(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	struct agent_handle *h = agent_handle_get(a, req, err, len);
	const char *op = json_string_value(json_object_get(req, "op"));
	int64_t v;
	json_t *r;

	if (!h)
		return NULL;
	if (!strcmp(op, "image_size")) {
		v = h->t.drv->image_size(&h->t);
	} else if (!strcmp(op, "memory")) {
		if (h->pid <= 0) {
			snprintf(err, len, "memory: handle %lld is not running",
				 (long long)(h - a->h + 1));
			return NULL;
		}
		v = h->t.drv->memory(&h->t, h->pid);
	} else {
		v = h->t.drv->daemon_memory ? h->t.drv->daemon_memory(&h->t) : -ENOTSUP;
	}
	if (v < 0) {
		snprintf(err, len, "%s: %s", op, strerror((int)-v));
		return NULL;
	}
	r = agent_proto_ok(id);
	json_object_set_new(r, "bytes", json_integer(v));
	return r;
}

static json_t *agent_procs_json(const struct footprint_procs *p)
{
	json_t *pids = json_array();
	int i;

	for (i = 0; i < p->n; i++)
		json_array_append_new(pids, json_integer(p->pids[i]));
	return json_pack("{s:o, s:s, s:I, s:I}", "pids", pids, "names", p->names, "rss_bytes",
			 (json_int_t)p->rss, "pss_bytes", (json_int_t)p->pss);
}

/* A figure in bytes, or the reason there is none: {"bytes":N} or
 * {"bytes":null,"errno":E}. */
static json_t *agent_bytes_json(int64_t v)
{
	return v < 0 ? json_pack("{s:n, s:I}", "bytes", "errno", (json_int_t)-v)
		     : json_pack("{s:I}", "bytes", (json_int_t)v);
}

/* footprint: lvperf memory's sample taken here (drivers/footprint.h): the
 * processes of the target's namespace, their cgroups, the platform's
 * daemons, and the agent's own descendants outside the target (shims,
 * monitors) as the helpers. */
static json_t *op_footprint(struct agent *a, json_int_t id, const json_t *req, char *err,
			    size_t len)
{
	struct agent_handle *h = agent_handle_get(a, req, err, len);
	static struct footprint_procs target, helpers; /* large */
	char paths[512];
	int64_t cg;
	json_t *r;

	if (!h)
		return NULL;
	if (h->pid <= 0) {
		snprintf(err, len, "footprint: handle %lld is not running",
			 (long long)(h - a->h + 1));
		return NULL;
	}
	memset(&target, 0, sizeof(target));
	memset(&helpers, 0, sizeof(helpers));
	if (footprint_target_pids(h->t.link.peer_if, h->t.target_ip, &target) < 0 ||
	    footprint_measure(&target) != 0) {
		snprintf(err, len,
			 "footprint: no process found in the network namespace of %s on the server",
			 h->t.link.peer_if);
		return NULL;
	}
	footprint_cgroups(&target, &cg, paths, sizeof(paths));
	footprint_tree(getpid(), 0, &target, &helpers);
	footprint_measure(&helpers);
	r = agent_proto_ok(id);
	json_object_set_new(r, "target", agent_procs_json(&target));
	json_object_set_new(r, "cgroup", agent_bytes_json(cg));
	json_object_set_new(json_object_get(r, "cgroup"), "path", json_string(paths));
	json_object_set_new(
	    r, "daemon",
	    agent_bytes_json(h->t.drv->daemon_memory ? h->t.drv->daemon_memory(&h->t) : -ENOTSUP));
	json_object_set_new(r, "helpers", agent_procs_json(&helpers));
	json_object_set_new(r, "driver", agent_bytes_json(h->t.drv->memory(&h->t, h->pid)));
	return r;
}

static json_t *op_image_build(struct agent *a, json_int_t id, const json_t *req, char *err,
			      size_t len)
{
	const char *workload = json_string_value(json_object_get(req, "workload"));
	const char *base = json_string_value(json_object_get(req, "base"));
	const char *platform = json_string_value(json_object_get(req, "platform"));
	struct image img;
	struct image_size sz;
	char ref[96] = "";

	(void)a;
	if (!driver_find(platform)) {
		snprintf(err, len, "no platform '%.64s' on the server", platform);
		return NULL;
	}
	if (image_build(workload, base ? base : "host", &img, err, len) ||
	    image_size_for(&img, platform, &sz, err, len))
		return NULL;
	if (driver_can(platform, DRIVER_CAP_IMAGE_IMPORT))
		image_ref(&img, ref, sizeof(ref));
	return json_pack("{s:I, s:b, s:s, s:s, s:s, s:s, s:b, s:f, s:I, s:I, s:I, s:s?}", "id", id,
			 "ok", 1, "base", img.base, "hash", img.hash, "dir", img.dir, "rootfs",
			 img.rootfs, "reused", img.reused, "build_s", img.build_s, "du_bytes",
			 (json_int_t)sz.du_bytes, "gzip_bytes", (json_int_t)sz.gzip_bytes, "files",
			 (json_int_t)sz.files, "import_as", ref[0] ? ref : NULL);
}

static json_t *op_cleanup(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	json_t *r;
	int n;

	(void)a, (void)req;
	if (!f) {
		snprintf(err, len, "cleanup: out of memory");
		return NULL;
	}
	n = ledger_cleanup(f);
	fclose(f);
	if (n < 0) {
		snprintf(err, len, "cleanup on the server: %s", strerror(-n));
		free(text);
		return NULL;
	}
	r = agent_proto_ok(id);
	json_object_set_new(r, "removed", json_integer(n));
	json_object_set_new(r, "log", json_string(text ? text : ""));
	free(text);
	return r;
}

static json_t *op_bye(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	(void)a, (void)req, (void)err, (void)len;
	return agent_proto_ok(id);
}

/* The target's network namespace on the server, where arm's listener
 * opens (as lvperf boot finds it for a local trigger): 0, or -ENOENT for a
 * target without one (a VMM's tap). */
static int agent_listen_ns(const struct agent_handle *h, char *path, size_t len)
{
	if (h->t.netns_path[0])
		snprintf(path, len, "%s", h->t.netns_path);
	else if (!h->t.port[0] && h->t.link.ns[0] && (h->t.link.created & 1))
		snprintf(path, len, "/run/netns/%s", h->t.link.ns);
	else
		return -ENOENT;
	return 0;
}

/*
 * arm: a remote-trigger start (drivers/trigger.h). The listener opens, or
 * stays open from the handle's last run, in the target's network namespace
 * on the target's address (port TRIGGER_UDP_PORT unless asked), so START
 * and ECHO cross the uplink and the target's veth as its beacon does. The
 * first reply says where it listens; the main loop then waits for START
 * (agent_armed_wait) and sends a second line with the same id.
 */
static json_t *op_arm(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len)
{
	struct agent_handle *h = agent_handle_get(a, req, err, len);
	const char *hex = json_string_value(json_object_get(req, "nonce"));
	const json_t *pv = json_object_get(req, "port"), *tv = json_object_get(req, "timeout_ms");
	uint16_t port = json_is_integer(pv) ? (uint16_t)json_integer_value(pv) : TRIGGER_UDP_PORT;
	json_int_t tmo = json_is_integer(tv) ? json_integer_value(tv) : 10000;
	char path[sizeof(h->t.netns_path)], *end;
	const char *where;
	uint64_t nonce;
	json_t *r;
	int fd;

	if (!h)
		return NULL;
	if (h->pid > 0) {
		snprintf(err, len, "handle %lld already runs pid %d: stop it first",
			 (long long)(h - a->h + 1), (int)h->pid);
		return NULL;
	}
	errno = 0;
	nonce = strtoull(hex, &end, 16);
	if (!hex[0] || strlen(hex) > 16 || *end || errno ||
	    strspn(hex, "0123456789abcdefABCDEF") != strlen(hex)) {
		snprintf(err, len, "field 'nonce' must be 1 to 16 hex digits");
		return NULL;
	}
	if (json_is_integer(pv) && (json_integer_value(pv) < 1 || json_integer_value(pv) > 65535)) {
		snprintf(err, len, "field 'port' must be 1..65535");
		return NULL;
	}
	if (tmo < 1 || tmo > AGENT_ARM_MAX_MS) {
		snprintf(err, len, "field 'timeout_ms' must be 1..%d", AGENT_ARM_MAX_MS);
		return NULL;
	}
	if (agent_listen_ns(h, path, sizeof(path))) {
		snprintf(
		    err, len,
		    "%s's target has no network namespace on the server for the START listener "
		    "(use --start remote-request)",
		    h->t.drv->name);
		return NULL;
	}
	if (h->trig_fd && h->trig_port != port) {
		close(h->trig_fd - 1);
		h->trig_fd = 0;
	}
	if (!h->trig_fd) {
		uint16_t p = port;

		fd = trigger_open_ns(path, h->t.target_ip, &p, &where);
		if (fd < 0 && !strcmp(where, "return")) {
			/* Stuck in the target's namespace: nothing here can be trusted. */
			fprintf(stderr, "lvperf-agent: cannot come back from %s: %s\n", path,
				strerror(-fd));
			exit(1);
		}
		if (fd < 0) {
			snprintf(err, len, "arm: cannot %s %s:%u in %s: %s",
				 !strcmp(where, "enter") ? "enter the namespace to listen on"
							 : "listen on",
				 pkt_format_ip(h->t.target_ip, (char[16]){0}), (unsigned)port, path,
				 strerror(-fd));
			return NULL;
		}
		h->trig_fd = fd + 1;
		h->trig_port = p;
	}
	a->armed.h = h;
	a->armed.id = id;
	a->armed.nonce = nonce;
	a->armed.timeout_ns = (uint64_t)tmo * 1000000ull;
	r = agent_proto_ok(id);
	json_object_set_new(r, "ip", agent_proto_ip_json(h->t.target_ip));
	json_object_set_new(r, "port", json_integer(h->trig_port));
	return r;
}

/* After arm's first reply: wait for START, spawn, and say so in a second
 * line with arm's id (ok with pid and receive_to_spawn_ns, or the error). */
static json_t *agent_armed_wait(struct agent *a)
{
	struct agent_handle *h = a->armed.h;
	struct trigger_result res;
	char err[AGENT_PROTO_ERR_LEN];
	json_t *r;
	int rc;

	a->armed.h = NULL;
	rc = trigger_wait_spawn_watch(h->trig_fd - 1, a->in, a->armed.nonce, h->t.argv, 1,
				      a->armed.timeout_ns, &res);
	if (rc == -ECANCELED) {
		snprintf(err, sizeof(err),
			 "the appliance spoke (or left) before START: the arm is off (%u echoes "
			 "answered)",
			 res.echoes);
	} else if (rc == -ETIMEDOUT) {
		snprintf(err, sizeof(err),
			 "the agent's listener got no START within %.1f s (%u echoes answered)",
			 (double)a->armed.timeout_ns / 1e9, res.echoes);
	} else if (rc) {
		snprintf(err, sizeof(err), "cannot start '%s' on the server: %s", h->t.argv[0],
			 strerror(-rc));
	} else {
		h->pid = res.pid;
		ledger_add_pid(h->pid); /* after the spawn, as op_start does */
		r = agent_proto_ok(a->armed.id);
		json_object_set_new(r, "event", json_string("spawned"));
		json_object_set_new(r, "pid", json_integer(res.pid));
		json_object_set_new(r, "receive_to_spawn_ns", json_integer(res.rx_to_spawn_ns));
		json_object_set_new(r, "stamped", json_boolean(res.stamped));
		json_object_set_new(r, "echoes", json_integer(res.echoes));
		json_object_set_new(r, "ignored", json_integer(res.ignored));
		return r;
	}
	r = agent_proto_error(a->armed.id, err);
	json_object_set_new(r, "event", json_string("spawned"));
	return r;
}

#define F_HANDLE                                                                                   \
	{                                                                                          \
		"handle", JSON_INTEGER, 1                                                          \
	}
#define F_END                                                                                      \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

static const struct agent_field f_hello[] = {
    {"proto", JSON_INTEGER, 1}, {"version", JSON_STRING, 1}, F_END};
static const struct agent_field f_none[] = {F_END};
static const struct agent_field f_handle[] = {F_HANDLE, F_END};
static const struct agent_field f_stop[] = {F_HANDLE, {"pid", JSON_INTEGER, 0}, F_END};
static const struct agent_field f_prepare[] = {
    {"platform", JSON_STRING, 1},     {"workload", JSON_STRING, 1},
    {"base", JSON_STRING, 0},	      {"opts", JSON_STRING, 0},
    {"image", JSON_STRING, 0},	      {"net", JSON_STRING, 0},
    {"appliance_ip", JSON_STRING, 1}, {"target_ip", JSON_STRING, 1},
    {"prefix_len", JSON_INTEGER, 1},  {"beacon_port", JSON_INTEGER, 1},
    {"uplink", JSON_STRING, 0},	      F_END};
static const struct agent_field f_image[] = {
    {"workload", JSON_STRING, 1}, {"base", JSON_STRING, 0}, {"platform", JSON_STRING, 1}, F_END};
static const struct agent_field f_arm[] = {F_HANDLE,
					   {"nonce", JSON_STRING, 1},
					   {"port", JSON_INTEGER, 0},
					   {"timeout_ms", JSON_INTEGER, 0},
					   F_END};

/* One row per op: its name, the fields it takes, the handler (which
 * returns the reply, or NULL with err). */
static const struct agent_op {
	const char *name;
	const struct agent_field *fields;
	json_t *(*run)(struct agent *a, json_int_t id, const json_t *req, char *err, size_t len);
} agent_ops[] = {
    {"hello", f_hello, op_hello},
    {"platforms", f_none, op_platforms},
    {"prepare", f_prepare, op_prepare},
    {"start", f_handle, op_start},
    {"stop", f_stop, op_stop},
    {"destroy", f_handle, op_destroy},
    {"image_size", f_handle, op_bytes},
    {"memory", f_stop, op_bytes},
    {"footprint", f_handle, op_footprint},
    {"daemon_memory", f_handle, op_bytes},
    {"image_build", f_image, op_image_build},
    {"cleanup", f_none, op_cleanup},
    {"bye", f_none, op_bye},
    {"arm", f_arm, op_arm},
    {NULL, NULL, NULL},
};

/* One request line into one reply; *bye set on bye. */
static json_t *agent_dispatch(struct agent *a, const char *line, int *bye)
{
	char err[AGENT_PROTO_ERR_LEN];
	const struct agent_op *op;
	json_error_t jerr;
	json_t *req, *rep, *idv;
	json_int_t id = -1;
	const char *name;

	req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!req)
		return agent_proto_error(-1, "not JSON");
	idv = json_object_get(req, "id");
	if (!json_is_object(req) || !json_is_integer(idv) || json_integer_value(idv) < 0) {
		json_decref(req);
		return agent_proto_error(
		    -1, "a request is an object with a non-negative integer \"id\"");
	}
	id = json_integer_value(idv);
	name = json_string_value(json_object_get(req, "op"));
	for (op = agent_ops; name && op->name && strcmp(op->name, name); op++)
		;
	if (!name || !op->name) {
		snprintf(err, sizeof(err), "unknown op '%.64s'", name ? name : "(none)");
		rep = agent_proto_error(id, err);
	} else if (!a->hello && strcmp(name, "hello")) {
		rep = agent_proto_error(id, "say hello first");
	} else if (agent_proto_check(req, op->fields, err, sizeof(err))) {
		rep = agent_proto_error(id, err);
	} else {
		err[0] = 0;
		rep = op->run(a, id, req, err, sizeof(err));
		if (!rep)
			rep = agent_proto_error(id, err[0] ? err : "failed");
		*bye = !strcmp(name, "bye");
	}
	json_decref(req);
	return rep;
}

static void agent_teardown(struct agent *a)
{
	int i;

	for (i = 0; i < AGENT_HANDLES; i++)
		if (a->h[i].used)
			agent_handle_free(&a->h[i]);
	agent_bridge_remove(a);
	for (i = 0; i < 10 && proc_reap_orphans(0) >= 0; i++)
		usleep(20000); /* shims exit shortly after their daemon */
}

/* Keep the protocol's descriptors to ourselves: what drivers and the
 * commands they run print must not land in the reply stream. */
static int agent_fds(struct agent *a)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	a->in = fcntl(0, F_DUPFD_CLOEXEC, 3);
	a->out = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (null < 0 || a->in < 0 || a->out < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0)
		return -errno;
	close(null);
	return 0;
}

int main(int argc, char **argv)
{
	static struct agent a; /* large: the reader's buffer lives in main's frame below */
	static struct agent_reader rd;
	struct sigaction sa;
	int bye = 0;

	if (argc > 1) {
		int help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");

		fprintf(help ? stdout : stderr,
			"usage: lvperf agent   (or lvperf-agent)\n\n"
			"The test server's side of lvperf --server ssh://HOST: started by the "
			"appliance over\n"
			"ssh, it speaks line-delimited JSON on stdin/stdout (docs/remote.md). "
			"Takes no options.\n");
		return help ? 0 : 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = agent_on_signal; /* no SA_RESTART: a blocked read returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1); /* shims and conmon come back to us */
	if (agent_fds(&a)) {
		fprintf(stderr, "lvperf-agent: cannot set up its descriptors: %s\n",
			strerror(errno));
		return 1;
	}
	agent_reader_init(&rd, a.in);
	while (!bye && !agent_stop_sig) {
		char *line;
		json_t *rep;
		int rc = agent_reader_line(&rd, -1, &line);

		if (rc == 0 || (rc < 0 && rc != -E2BIG && rc != -EINTR))
			break; /* the connection is gone */
		if (rc == -EINTR)
			continue;
		if (rc == -E2BIG) {
			char msg[96];

			snprintf(msg, sizeof(msg), "line longer than %d bytes",
				 AGENT_PROTO_LINE_MAX);
			rep = agent_proto_error(-1, msg);
		} else {
			rep = agent_dispatch(&a, line, &bye);
		}
		if (bye) /* tear down before the reply: the client waits for it */
			agent_teardown(&a);
		rc = agent_proto_send(a.out, rep);
		json_decref(rep);
		if (rc)
			break;
		if (a.armed.h) { /* arm's second line: START came (or did not) */
			rep = agent_armed_wait(&a);
			rc = agent_proto_send(a.out, rep);
			json_decref(rep);
			if (rc)
				break;
		}
	}
	agent_teardown(&a);
	ledger_close();
	return 0;
}
