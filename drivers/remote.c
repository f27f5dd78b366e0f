/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_proto.h"
#include "ledger.h"
#include "proc.h"
#include "remote.h"

#ifndef LVP_VERSION
#define LVP_VERSION "unknown"
#endif

#define REMOTE_HELLO_MS 30000	/* ssh's own connect and auth included */
#define REMOTE_CALL_MS	60000	/* start, stop, sizes */
#define REMOTE_SLOW_MS	1800000 /* prepare and image_build may build an image */
#define REMOTE_DRIVERS	64

struct remote_driver {
	struct driver d; /* first: a proxy's struct driver * is its struct remote_driver * */
	struct remote *r;
	char name[32], summary[160], platform_net[96];
};

/* A proxy target's own state (t->priv). */
struct remote_target {
	json_int_t handle;
	pid_t pid;
	json_int_t arm_id; /* the arm request whose spawn reply is due, 0: none */
	int armable;	   /* the agent can open a START listener for it */
};

struct remote {
	char uri[300], user[64], host[256], uplink[16];
	unsigned port;
	pid_t ssh;
	int to, from; /* ssh's stdin, ssh's stdout */
	char dir[64]; /* /tmp/lvpssh<pid>_<n>-remote.<random>: ssh's stderr */
	char errlog[96];
	json_int_t next_id;
	char via[40]; /* the host VM the server is ("qemu q35 tcg"), or "" */
	int lost;
	json_t *platforms;
	unsigned ndrv;
	struct remote_driver drv[REMOTE_DRIVERS];
	struct agent_reader rd; /* last: large */
};

int remote_parse_uri(const char *uri, char *user, size_t ulen, char *host, size_t hlen,
		     unsigned *port, char *err, size_t len)
{
	const char *p, *at, *colon;
	char *end;
	unsigned long v;

	*port = 0;
	user[0] = host[0] = 0;
	if (!uri || strncmp(uri, "ssh://", 6)) {
		snprintf(err, len, "--server takes ssh://[USER@]HOST[:PORT], not '%.80s'",
			 uri ? uri : "");
		return -EINVAL;
	}
	p = uri + 6;
	at = strchr(p, '@');
	if (at) {
		if (at == p || (size_t)(at - p) >= ulen || strcspn(p, "/:") < (size_t)(at - p)) {
			snprintf(err, len, "--server %.80s: bad user name", uri);
			return -EINVAL;
		}
		snprintf(user, ulen, "%.*s", (int)(at - p), p);
		p = at + 1;
	}
	colon = strrchr(p, ':');
	if (colon) {
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (!colon[1] || *end || errno || v < 1 || v > 65535) {
			snprintf(err, len, "--server %.80s: port must be 1..65535", uri);
			return -EINVAL;
		}
		*port = (unsigned)v;
	}
	if (!*p || p == colon || (size_t)((colon ? colon : p + strlen(p)) - p) >= hlen ||
	    strcspn(p, "/@ ") < (size_t)((colon ? colon : p + strlen(p)) - p) || p[0] == '-') {
		snprintf(err, len, "--server %.80s: bad host", uri);
		return -EINVAL;
	}
	snprintf(host, hlen, "%.*s", (int)((colon ? colon : p + strlen(p)) - p), p);
	return 0;
}

const char *remote_host(const struct remote *r)
{
	return r->host;
}

void remote_set_via(struct remote *r, const char *via)
{
	snprintf(r->via, sizeof(r->via), "%s", via ? via : "");
}

/* The last non-empty line ssh wrote to its stderr, into buf. */
static void remote_ssh_reason(const struct remote *r, char *buf, size_t len)
{
	char line[384];
	FILE *f = fopen(r->errlog, "r");

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0])
			snprintf(buf, len, "%s", line);
	}
	fclose(f);
}

/* ssh has gone (or must): reap it and say why in err. */
static void remote_lost(struct remote *r, const char *what, char *err, size_t len)
{
	char reason[400], st[64];
	int status = 0, rc = -1;

	if (r->ssh > 0) {
		rc = proc_wait(r->ssh, 3000000000ull, &status);
		if (rc)
			rc = proc_stop(r->ssh, 1000000000ull, &status);
		ledger_done_pid(r->ssh);
		r->ssh = 0;
	}
	r->lost = 1;
	remote_ssh_reason(r, reason, sizeof(reason));
	if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(
		    err, len,
		    "%s: lvperf is not installed on %s (the remote shell found no `lvperf`%s%s)",
		    what, r->host, reason[0] ? ": " : "", reason);
	else if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 255)
		snprintf(err, len, "%s: cannot reach %s: %s", what, r->host,
			 reason[0] ? reason : "ssh failed");
	else
		snprintf(err, len, "%s: connection to %s lost (ssh %s)%s%s", what, r->host,
			 rc == 0 ? proc_status_str(status, st, sizeof(st)) : "did not exit",
			 reason[0] ? ": " : "", reason);
}

/* Send req (consumed) with the next id, into *id. Returns 0, or -EIO with
 * the connection's fate in err. */
static int remote_send(struct remote *r, json_t *req, json_int_t *id, char *err, size_t len)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	char what[64];
	int rc;

	*id = ++r->next_id;
	snprintf(what, sizeof(what), "%s", op ? op : "request");
	if (r->lost) {
		snprintf(err, len, "%s: the connection to %s is gone", what, r->host);
		json_decref(req);
		return -EIO;
	}
	json_object_set_new(req, "id", json_integer(*id));
	rc = agent_proto_send(r->to, req);
	json_decref(req);
	if (rc) {
		remote_lost(r, what, err, len);
		return -EIO;
	}
	return 0;
}

/* Wait up to timeout_ms for the next line answering id (what: the op,
 * for messages). Lines of other ids are an earlier request's late words:
 * skipped. Returns the reply when ok, else NULL with the reason in err. */
static json_t *remote_reply(struct remote *r, json_int_t id, const char *what, int timeout_ms,
			    char *err, size_t len)
{
	for (;;) {
		json_t *rep, *idv;
		char *line;
		int rc = agent_reader_line(&r->rd, timeout_ms, &line);

		if (rc == -EINTR)
			continue;
		if (rc == -ETIMEDOUT) {
			snprintf(err, len, "%s: no answer from the agent on %s within %d s", what,
				 r->host, timeout_ms / 1000);
			r->lost = 1; /* a late reply would be taken for the next request's */
			return NULL;
		}
		if (rc <= 0) {
			remote_lost(r, what, err, len);
			return NULL;
		}
		rep = json_loads(line, 0, NULL);
		idv = json_object_get(rep, "id");
		if (!json_is_object(rep) || !json_is_integer(idv) ||
		    json_integer_value(idv) != id) {
			json_decref(rep); /* not ours: an earlier line's error reply */
			continue;
		}
		if (json_is_true(json_object_get(rep, "ok")))
			return rep;
		snprintf(err, len, "%s on %s: %s", what, r->host,
			 json_is_string(json_object_get(rep, "error"))
			     ? json_string_value(json_object_get(rep, "error"))
			     : "failed");
		json_decref(rep);
		return NULL;
	}
}

json_t *remote_call(struct remote *r, json_t *req, int timeout_ms, char *err, size_t len)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	char what[64];
	json_int_t id;

	snprintf(what, sizeof(what), "%s", op ? op : "request");
	if (remote_send(r, req, &id, err, len))
		return NULL;
	return remote_reply(r, id, what, timeout_ms, err, len);
}

static int remote_spawn(struct remote *r, const char *identity)
{
	char *argv[24], portbuf[12], dest[330];
	const char *cfg = getenv("LVPERF_SSH_CONFIG");
	struct proc_io io = { 0 };
	int in[2], out[2], n = 0, rc;

	argv[n++] = "ssh";
	if (cfg && cfg[0]) {
		argv[n++] = "-F";
		argv[n++] = (char *)cfg;
	}
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	if (identity) {
		argv[n++] = "-i";
		argv[n++] = (char *)identity;
	}
	if (r->port) {
		snprintf(portbuf, sizeof(portbuf), "%u", r->port);
		argv[n++] = "-p";
		argv[n++] = portbuf;
	}
	snprintf(dest, sizeof(dest), "%s%s%s", r->user, r->user[0] ? "@" : "", r->host);
	argv[n++] = "--";
	argv[n++] = dest;
	argv[n++] = "lvperf";
	argv[n++] = "agent";
	argv[n] = NULL;
	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		rc = -errno;
		close(in[0]);
		close(in[1]);
		return rc;
	}
	/* proc_io takes pipe ends above 2 only (lvperf started with a closed
	 * stdin could get 0 or 1 here). */
	for (int *fd = &in[0]; fd; fd = fd == &in[0] ? &out[1] : NULL)
		if (*fd <= 2) {
			int hi = fcntl(*fd, F_DUPFD_CLOEXEC, 3);

			if (hi >= 0) {
				close(*fd);
				*fd = hi;
			}
		}
	io.in_fd = in[0];
	io.out_fd = out[1];
	io.err = r->errlog;
	rc = proc_spawn_io(argv, &io, &r->ssh);
	close(in[0]);
	close(out[1]);
	if (rc) {
		close(in[1]);
		close(out[0]);
		r->ssh = 0;
		return rc;
	}
	ledger_add_pid(r->ssh);
	r->to = in[1];
	r->from = out[0];
	return 0;
}

struct remote *remote_open(const char *uri, const char *identity, const char *uplink, char *err,
			   size_t len)
{
	static unsigned seq;
	struct remote *r = calloc(1, sizeof(*r));
	json_t *rep;
	int rc;

	if (!r) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	r->to = r->from = -1;
	if (remote_parse_uri(uri, r->user, sizeof(r->user), r->host, sizeof(r->host), &r->port, err,
			     len))
		goto err_free;
	snprintf(r->uri, sizeof(r->uri), "%s", uri);
	if (uplink)
		snprintf(r->uplink, sizeof(r->uplink), "%s", uplink);
	{
		char tag[24];

		snprintf(tag, sizeof(tag), "ssh%d_%u", (int)getpid(), seq++);
		ledger_run_dir(r->dir, sizeof(r->dir), tag, "remote");
	}
	ledger_add(LEDGER_DIRECTORY, r->dir);
	if (mkdir(r->dir, 0700)) {
		snprintf(err, len, "cannot make %s: %s", r->dir, strerror(errno));
		ledger_done(LEDGER_DIRECTORY, r->dir);
		goto err_free;
	}
	snprintf(r->errlog, sizeof(r->errlog), "%s/ssh.err", r->dir);
	rc = remote_spawn(r, identity);
	if (rc) {
		snprintf(err, len, "cannot run ssh: %s (Debian package openssh-client)",
			 strerror(-rc));
		goto err_dir;
	}
	agent_reader_init(&r->rd, r->from);
	rep = remote_call(r,
			  json_pack("{s:s, s:i, s:s}", "op", "hello", "proto", AGENT_PROTO_VERSION,
				    "version", LVP_VERSION),
			  REMOTE_HELLO_MS, err, len);
	if (!rep)
		goto err_close;
	if (agent_proto_hello_check(rep, "agent", err, len)) {
		json_decref(rep);
		goto err_close;
	}
	json_decref(rep);
	rep = remote_call(r, json_pack("{s:s}", "op", "platforms"), REMOTE_CALL_MS, err, len);
	if (!rep)
		goto err_close;
	r->platforms = json_incref(json_object_get(rep, "platforms"));
	json_decref(rep);
	return r;
err_close : {
	char keep[REMOTE_ERR_LEN];

	snprintf(keep, sizeof(keep), "%s", err);
	remote_close(r);
	snprintf(err, len, "%s", keep);
	return NULL;
}
err_dir:
	driver_remove_dir(r->dir);
err_free:
	free(r);
	return NULL;
}

json_t *remote_platforms(struct remote *r)
{
	return r->platforms;
}

void remote_close(struct remote *r)
{
	char err[REMOTE_ERR_LEN];

	if (!r)
		return;
	if (r->ssh > 0 && !r->lost) {
		json_t *rep = remote_call(r, json_pack("{s:s}", "op", "bye"), REMOTE_CALL_MS, err,
					  sizeof(err));

		json_decref(rep);
	}
	if (r->to >= 0)
		close(r->to); /* EOF: the agent tears down and exits, ssh with it */
	if (r->ssh > 0) {
		int status;

		if (proc_wait(r->ssh, 5000000000ull, &status))
			proc_stop(r->ssh, 1000000000ull, &status);
		ledger_done_pid(r->ssh);
	}
	if (r->from >= 0)
		close(r->from);
	driver_remove_dir(r->dir);
	json_decref(r->platforms);
	free(r);
}

/* ---- the proxy driver ---- */

static struct remote_driver *rdrv(const struct target *t)
{
	return (struct remote_driver *)t->drv;
}

static int remote_available(char *why, size_t len)
{
	(void)why, (void)len;
	return 1; /* remote_driver checked the server's answer */
}

static json_t *remote_target_call(struct target *t, const char *op, int with_pid, char *err,
				  size_t len)
{
	struct remote_target *rt = t->priv;
	json_t *req;

	if (!rt || !rt->handle) {
		snprintf(err, len, "%s: the target was not prepared", op);
		return NULL;
	}
	req = json_pack("{s:s, s:I}", "op", op, "handle", rt->handle);
	if (with_pid && rt->pid > 0)
		json_object_set_new(req, "pid", json_integer(rt->pid));
	return remote_call(rdrv(t)->r, req, REMOTE_CALL_MS, err, len);
}

static int remote_prepare(struct target *t, char *err, size_t len)
{
	struct remote_driver *d = rdrv(t);
	struct remote_target *rt = driver_priv(t, sizeof(*rt));
	json_t *req, *rep;
	const char *s;

	if (!rt) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	req = json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I}", "op", "prepare", "platform", d->name,
			"workload", t->workload ? t->workload : "beacon", "appliance_ip",
			agent_proto_ip_json(t->appliance_ip), "target_ip",
			agent_proto_ip_json(t->target_ip), "prefix_len", (json_int_t)t->prefix_len,
			"beacon_port", (json_int_t)t->beacon_port);
	if (d->r->uplink[0])
		json_object_set_new(req, "uplink", json_string(d->r->uplink));
	if (t->base)
		json_object_set_new(req, "base", json_string(t->base));
	if (t->net)
		json_object_set_new(req, "net", json_string(t->net));
	if (t->opts)
		json_object_set_new(req, "opts", json_string(t->opts));
	if (t->image)
		json_object_set_new(req, "image", json_string(t->image));
	rep = remote_call(d->r, req, REMOTE_SLOW_MS, err, len);
	if (!rep) {
		driver_priv_free(t);
		return -EIO;
	}
	rt->handle = json_integer_value(json_object_get(rep, "handle"));
	rt->armable = json_is_true(json_object_get(rep, "armable"));
	agent_proto_ip(json_object_get(rep, "target_ip"), &t->target_ip);
	agent_proto_ip(json_object_get(rep, "icmp_ip"), &t->icmp_ip);
	t->service_port = (uint16_t)json_integer_value(json_object_get(rep, "service_port"));
	s = json_string_value(json_object_get(rep, "variant"));
	if (rdrv(t)->r->via[0]) /* both layers: "docker in qemu q35 tcg, <docker's variant>" */
		snprintf(t->variant, sizeof(t->variant), "%s in %s%s%s", t->drv->name, rdrv(t)->r->via,
			 s && s[0] ? ", " : "", s ? s : "");
	else
		snprintf(t->variant, sizeof(t->variant), "%s", s ? s : "");
	json_decref(rep);
	/* The dataplane drives the appliance's end of the cable, not a veth here. */
	t->port[0] = 0;
	t->link.host_if[0] = 0;
	return 0;
}

int remote_start(void *ctx, pid_t *pid, char *err, size_t len)
{
	struct target *t = ctx;
	struct remote_target *rt = t->priv;
	json_t *rep = remote_target_call(t, "start", 0, err, len);

	if (!rep)
		return -EIO;
	rt->pid = (pid_t)json_integer_value(json_object_get(rep, "pid"));
	*pid = rt->pid;
	json_decref(rep);
	return 0;
}

int remote_armable(const struct target *t)
{
	const struct remote_target *rt = t->priv;

	return remote_is(t->drv) && rt && rt->armable;
}

int remote_arm(struct target *t, uint64_t nonce, uint64_t timeout_ns, uint32_t *ip, uint16_t *port,
	       char *err, size_t len)
{
	struct remote_target *rt = t->priv;
	char hex[24];
	json_t *req, *rep;
	json_int_t p;

	if (!remote_is(t->drv) || !rt || !rt->handle) {
		snprintf(err, len, "arm: the target was not prepared on a server");
		return -EINVAL;
	}
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)nonce);
	req = json_pack("{s:s, s:I, s:s, s:I}", "op", "arm", "handle", rt->handle, "nonce", hex,
			"timeout_ms", (json_int_t)((timeout_ns + 999999) / 1000000));
	if (remote_send(rdrv(t)->r, req, &rt->arm_id, err, len))
		return -EIO;
	rep = remote_reply(rdrv(t)->r, rt->arm_id, "arm", REMOTE_CALL_MS, err, len);
	if (!rep) {
		rt->arm_id = 0;
		return -EIO;
	}
	p = json_integer_value(json_object_get(rep, "port"));
	if (agent_proto_ip(json_object_get(rep, "ip"), ip) || p < 1 || p > 65535) {
		snprintf(err, len, "arm on %s: the reply has no listener ip and port",
			 remote_host(rdrv(t)->r));
		json_decref(rep);
		return -EPROTO;
	}
	*port = (uint16_t)p;
	json_decref(rep);
	return 0;
}

int remote_armed(struct target *t, uint64_t timeout_ns, struct trigger_result *res, char *err,
		 size_t len)
{
	struct remote_target *rt = t->priv;
	json_t *rep, *v;
	json_int_t id;

	memset(res, 0, sizeof(*res));
	if (!rt || !rt->arm_id) {
		snprintf(err, len, "the target was not armed");
		return -EINVAL;
	}
	id = rt->arm_id;
	rt->arm_id = 0;
	/* The agent answers by its own deadline; the margin covers the cable. */
	rep = remote_reply(rdrv(t)->r, id, "arm", (int)(timeout_ns / 1000000) + REMOTE_CALL_MS, err,
			   len);
	if (!rep)
		return -EIO;
	v = json_object_get(rep, "pid");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    !json_is_integer(json_object_get(rep, "receive_to_spawn_ns"))) {
		snprintf(err, len, "arm on %s: the spawn reply has no pid or receive_to_spawn_ns",
			 remote_host(rdrv(t)->r));
		json_decref(rep);
		return -EPROTO;
	}
	res->pid = (pid_t)json_integer_value(v);
	rt->pid = res->pid;
	res->rx_to_spawn_ns = json_integer_value(json_object_get(rep, "receive_to_spawn_ns"));
	res->stamped = json_is_true(json_object_get(rep, "stamped"));
	res->echoes = (uint32_t)json_integer_value(json_object_get(rep, "echoes"));
	res->ignored = (uint32_t)json_integer_value(json_object_get(rep, "ignored"));
	json_decref(rep);
	return 0;
}

static void remote_procs(const json_t *o, struct footprint_procs *p)
{
	const json_t *v;
	size_t i;

	memset(p, 0, sizeof(*p));
	json_array_foreach(json_object_get(o, "pids"), i, v)
	{
		if (p->n < FOOTPRINT_PIDS_MAX)
			p->pids[p->n++] = (pid_t)json_integer_value(v);
	}
	p->rss = json_integer_value(json_object_get(o, "rss_bytes"));
	p->pss = json_integer_value(json_object_get(o, "pss_bytes"));
	snprintf(p->names, sizeof(p->names), "%s",
		 json_string_value(json_object_get(o, "names"))
		     ? json_string_value(json_object_get(o, "names"))
		     : "");
}

static int64_t remote_figure(const json_t *o)
{
	const json_t *b = json_object_get(o, "bytes");

	if (json_is_integer(b))
		return json_integer_value(b);
	return json_is_integer(json_object_get(o, "errno"))
		   ? -json_integer_value(json_object_get(o, "errno"))
		   : -EIO;
}

int remote_footprint(struct target *t, struct remote_footprint *f, char *err, size_t len)
{
	json_t *rep = remote_is(t->drv) ? remote_target_call(t, "footprint", 0, err, len) : NULL;
	const char *path;

	memset(f, 0, sizeof(*f));
	if (!remote_is(t->drv))
		snprintf(err, len, "footprint: not a target on a server");
	if (!rep)
		return -EIO;
	remote_procs(json_object_get(rep, "target"), &f->target);
	remote_procs(json_object_get(rep, "helpers"), &f->helpers);
	f->cgroup = remote_figure(json_object_get(rep, "cgroup"));
	f->daemon = remote_figure(json_object_get(rep, "daemon"));
	f->driver = remote_figure(json_object_get(rep, "driver"));
	path = json_string_value(json_object_get(json_object_get(rep, "cgroup"), "path"));
	snprintf(f->cgroup_path, sizeof(f->cgroup_path), "%s", path ? path : "");
	json_decref(rep);
	return 0;
}

static void remote_stop(struct target *t, pid_t start_pid)
{
	struct remote_target *rt = t->priv;
	char err[REMOTE_ERR_LEN];
	json_t *rep, *g;

	(void)start_pid;
	if (!rt || !rt->handle)
		return;
	rep = remote_target_call(t, "stop", 1, err, sizeof(err));
	rt->pid = 0;
	if (!rep) {
		fprintf(stderr, "lvperf: %s\n", err);
		return;
	}
	g = json_object_get(rep, "guest_s");
	t->guest_s = json_is_number(g) ? json_number_value(g) : -1;
	json_decref(rep);
}

static void remote_destroy(struct target *t)
{
	struct remote_target *rt = t->priv;
	char err[REMOTE_ERR_LEN];

	if (rt && rt->handle) {
		json_t *rep = remote_target_call(t, "destroy", 0, err, sizeof(err));

		if (!rep)
			fprintf(stderr, "lvperf: %s\n", err);
		json_decref(rep);
	}
	driver_priv_free(t);
}

static int64_t remote_bytes(struct target *t, const char *op)
{
	char err[REMOTE_ERR_LEN];
	json_t *rep = remote_target_call(t, op, 0, err, sizeof(err));
	int64_t v;

	if (!rep)
		return -EIO;
	v = json_integer_value(json_object_get(rep, "bytes"));
	json_decref(rep);
	return v;
}

static int64_t remote_image_size(struct target *t)
{
	return remote_bytes(t, "image_size");
}

static int64_t remote_memory(struct target *t, pid_t start_pid)
{
	(void)start_pid; /* the agent knows its own pid */
	return remote_bytes(t, "memory");
}

static int64_t remote_daemon_memory(struct target *t)
{
	return remote_bytes(t, "daemon_memory");
}

int remote_is(const struct driver *drv)
{
	return drv && drv->available == remote_available;
}

const struct driver *remote_driver(struct remote *r, const char *platform, char *err, size_t len)
{
	struct remote_driver *d;
	json_t *p = NULL;
	size_t i;
	unsigned k;

	for (k = 0; k < r->ndrv; k++)
		if (!strcmp(r->drv[k].name, platform))
			return &r->drv[k].d;
	json_array_foreach(r->platforms, i, p)
	{
		if (json_is_string(json_object_get(p, "name")) &&
		    !strcmp(json_string_value(json_object_get(p, "name")), platform))
			break;
	}
	if (!p || i == json_array_size(r->platforms)) {
		snprintf(err, len, "no platform '%.64s' on %s (see lvperf platforms --server %s)",
			 platform, r->host, r->uri);
		return NULL;
	}
	if (!json_is_true(json_object_get(p, "available"))) {
		snprintf(err, len, "platform %s is not available on %s: %s", platform, r->host,
			 json_string_value(json_object_get(p, "why"))
			     ? json_string_value(json_object_get(p, "why"))
			     : "");
		return NULL;
	}
	if (r->ndrv == REMOTE_DRIVERS || strlen(platform) >= sizeof(d->name)) {
		snprintf(err, len, "too many platforms");
		return NULL;
	}
	d = &r->drv[r->ndrv++];
	memset(d, 0, sizeof(*d));
	d->r = r;
	snprintf(d->name, sizeof(d->name), "%s", platform);
	snprintf(d->summary, sizeof(d->summary), "%.100s (on %.50s)",
		 json_string_value(json_object_get(p, "summary"))
		     ? json_string_value(json_object_get(p, "summary"))
		     : "",
		 r->host);
	d->d.name = d->name;
	d->d.summary = d->summary;
	d->d.shares_host_tsc = 0; /* another box: its TSC is not ours */
	d->d.available = remote_available;
	d->d.prepare = remote_prepare;
	d->d.stop = remote_stop;
	d->d.destroy = remote_destroy;
	d->d.image_size = remote_image_size;
	d->d.memory = remote_memory;
	if (json_is_true(json_object_get(p, "daemon_memory"))) {
		d->d.daemon_memory = remote_daemon_memory;
		d->d.daemon_counts = "the server's platform daemons";
	}
	if (json_is_string(json_object_get(p, "platform_net"))) {
		snprintf(d->platform_net, sizeof(d->platform_net), "%s",
			 json_string_value(json_object_get(p, "platform_net")));
		d->d.platform_net = d->platform_net;
	}
	/* Capabilities that need this box's files (floor guest, vhost) are not offered. */
	d->d.caps = (unsigned)json_integer_value(json_object_get(p, "caps")) &
		    ~(unsigned)(DRIVER_CAP_FLOOR_GUEST | DRIVER_CAP_USER_IMAGE);
	return &d->d;
}
