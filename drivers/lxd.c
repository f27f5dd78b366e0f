/* SPDX-License-Identifier: BSD-3-Clause
 * LXD: a system container from an image imported without a registry
 * (metadata tarball + rootfs tarball). When no LXD runs, lvperf starts
 * `lxd` itself as its child, with LXD_DIR under /tmp/lvp<tag>-lxd and no
 * `lxd init` (no bridge, no NAT, no firewall rules), and shuts it down at
 * the end. When an LXD already runs, lvperf uses it and only adds lvp
 * objects. Either way every object is named lvp<tag>: a dir storage pool
 * whose source is under /tmp/lvp<tag>-lxd, a profile with the root disk
 * and the veth peer as a `physical` nic, the image alias and the instance.
 * The instance is created once (`lxc init`); the start command is
 * `lxc start`, and it is stopped after each run. LXD moves the peer in but
 * does not address it; the instance's raw.lxc has LXC do it, and start the
 * workload as init, so the image needs no shell (docs/platforms.md 3.5 used a
 * busybox /sbin/init for both).
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "addr.h"
#include "driver.h"
#include "image.h"
#include "footprint.h"
#include "ledger.h"
#include "oci.h"
#include "proc.h"

#define LXD_TIMEOUT (60ull * 1000000000u)
#define LXD_BIN "/usr/bin/lxd"
#define LXD_CLIENT "/usr/bin/lxc" /* LXD's client, not LXC's lxc-* tools */
#define LXD_DEFAULT_DIR "/var/lib/lxd"

struct lxd_state {
	char dir[128];	    /* /tmp/lvp<tag>-lxd.<random>: rootfs, tarballs, pool, client config */
	char lxd_dir[160];  /* LXD_DIR of the daemon used: DIR/var when lvperf started it */
	char conf[160];	    /* LXD_CONF (the client's config): DIR/conf */
	char lock[160];	    /* liblxc's lock dirs for our daemon's instances: /run/lxc/lock/DIR */
	char name[16];	    /* lvp<tag>: instance, image alias, profile and pool */
	char fp[80];	    /* the imported image's fingerprint */
	char tar[PATH_MAX]; /* the rootfs tarball */
	char cmd[1024];	    /* the container's init command */
	char raw[1400];	    /* the instance's raw.lxc setting */
	char *old_dir, *old_conf; /* the environment before prepare */
	pid_t lxd;	    /* the daemon, when lvperf started it */
	pid_t server_pid;   /* the daemon (ours or the one running), as it reports itself */
	unsigned made;	    /* LXD objects made, bits of enum lxd_obj */
	int prepared;
};

enum lxd_obj { LXD_STORAGE, LXD_PROFILE, LXD_IMAGE, LXD_INSTANCE, LXD_NOBJ };

static const char *const lxd_obj_type[LXD_NOBJ] = { "storage", "profile", "image", "instance" };

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct lxd_state *lxd_of(struct target *t)
{
	return driver_priv(t, sizeof(struct lxd_state));
}

/* Run `lxc words...` on the daemon LXD_DIR names; out (may be NULL) gets stdout. */
static int lxd_do(char *out, size_t outlen, const char *const *words)
{
	char *argv[16];
	size_t i, n = 0;

	argv[n++] = LXD_CLIENT;
	for (i = 0; words[i] && n < 15; i++)
		argv[n++] = (char *)words[i];
	argv[n] = NULL;
	if (out)
		return proc_output(argv, out, outlen, LXD_TIMEOUT);
	return proc_run(argv, 1, LXD_TIMEOUT);
}

static void lxd_ledger_line(const struct lxd_state *x, enum lxd_obj o, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s %s", lxd_obj_type[o], x->name, x->lxd_dir, x->conf);
}

/* Record object o before it is made. */
static void lxd_note(struct lxd_state *x, enum lxd_obj o)
{
	char line[400];

	lxd_ledger_line(x, o, line, sizeof(line));
	ledger_add(LEDGER_LXD, line);
	x->made |= 1u << o;
}

/* Delete object o; its ledger entry closes when it is gone (or its daemon is ours and goes next). */
static void lxd_remove(struct lxd_state *x, enum lxd_obj o)
{
	const char *inst[] = { "delete", "-f", x->name, NULL };
	const char *obj[] = { lxd_obj_type[o], "delete", x->name, NULL };
	char line[400];

	if (!(x->made & (1u << o)))
		return;
	if (lxd_do(NULL, 0, o == LXD_INSTANCE ? inst : obj) != 0 && !x->lxd)
		return;
	lxd_ledger_line(x, o, line, sizeof(line));
	ledger_done(LEDGER_LXD, line);
	x->made &= ~(1u << o);
}

static int lxd_available(char *why, size_t len)
{
	char *version[] = { LXD_BIN, "--version", NULL };
	int rc;

	if (access(LXD_BIN, X_OK) != 0) {
		snprintf(why, len, LXD_BIN " missing (Debian package lxd)");
		return 0;
	}
	if (access(LXD_CLIENT, X_OK) != 0) {
		snprintf(why, len, LXD_CLIENT " (LXD's client) missing (Debian package lxd-client)");
		return 0;
	}
	rc = proc_run(version, 1, 10000000000ull);
	if (rc != 0) {
		snprintf(why, len, "'" LXD_BIN " --version' failed (%d): reinstall the Debian package lxd", rc);
		return 0;
	}
	return 1;
}

/* The last "Error: ..." line the daemon printed, or its last line. */
static void lxd_daemon_error(const char *out, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(out, "r");

	snprintf(buf, len, "no message");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (strncmp(line, "Error:", 6) == 0 || strstr(buf, "Error:") != buf)
			snprintf(buf, len, "%.200s", line);
	}
	fclose(f);
}

static int lxd_start_daemon(struct lxd_state *x, char *err, size_t len)
{
	char log[160], out[160];
	char *argv[] = { LXD_BIN, "--group", "root", "--logfile", log, NULL };
	char *ready[] = { LXD_BIN, "waitready", "--timeout=30", NULL };
	int i, status;

	snprintf(log, sizeof(log), "%.127s/lxd.log", x->dir);
	snprintf(out, sizeof(out), "%.127s/lxd.out", x->dir);
	if (mkdir(x->lxd_dir, 0711) != 0 && errno != EEXIST) {
		snprintf(err, len, "lxd: cannot create %s: %s", x->lxd_dir, strerror(errno));
		return -errno;
	}
	if (proc_start_log(argv, out, &x->lxd) != 0) {
		x->lxd = 0;
		snprintf(err, len, "lxd: cannot start " LXD_BIN);
		return -EIO;
	}
	ledger_add_pid(x->lxd);
	ledger_add(LEDGER_LXDD, x->dir);
	for (i = 0; i < 1500; i++) { /* its socket is there within about 0.5 s here */
		if (proc_wait(x->lxd, 0, &status) == 0) {
			char msg[208], st[64];

			ledger_done(LEDGER_LXDD, x->dir);
			ledger_done_pid(x->lxd);
			x->lxd = 0;
			lxd_daemon_error(out, msg, sizeof(msg));
			snprintf(err, len, "lxd: the daemon %s at start: %s",
				 proc_status_str(status, st, sizeof(st)), msg);
			return -EIO;
		}
		if (ledger_lxd_answers(x->lxd_dir))
			break;
		usleep(20000);
	}
	if (proc_run(ready, 1, LXD_TIMEOUT) != 0) {
		snprintf(err, len, "lxd: the daemon did not get ready within 30 s ('lxd waitready' failed)");
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * What the image holds and what the container runs: the one place that
 * decides it. Makes DIR (recorded in the ledger), fills tar with the path
 * of the workload's cached rootfs tarball (image.h) and cmd with the
 * container's init command (one line, for lxc.init.cmd). Returns 0 or
 * -errno with err.
 */
static int lxd_workload(struct target *t, const char *dir, char *tar, size_t tarlen, char *cmd,
			size_t cmdlen, char *err, size_t len)
{
	static struct image img; /* large: not on the stack */
	struct image_cmd c;
	char e[400];
	int rc = driver_image(t, "lxd", &img, &c, err, len);

	if (rc == 0)
		rc = oci_dir_create(dir, err, len);
	if (rc == 0 && (rc = image_tar(&img, tar, tarlen, e, sizeof(e))) != 0)
		snprintf(err, len, "lxd: %s", e);
	if (rc == 0 && image_cmd_line(&c, cmd, cmdlen) != 0) {
		snprintf(err, len, "lxd: start command too long");
		rc = -E2BIG;
	}
	return rc;
}

/* A metadata tarball + the rootfs tarball, imported under alias NAME; x->fp set. */
static int lxd_image(struct lxd_state *x, char *err, size_t len)
{
	char meta[160], mtar[160], path[200], out[1024];
	char *pack_meta[] = { "tar", "-C", meta, "-cf", mtar, "metadata.yaml", NULL };
	const char *imp[] = { "image", "import", mtar, x->tar, "--alias", x->name, NULL };
	const char *query[] = { "query", path, NULL };
	json_t *j;
	FILE *f;

	snprintf(meta, sizeof(meta), "%.127s/meta", x->dir);
	snprintf(mtar, sizeof(mtar), "%.127s/meta.tar", x->dir);
	mkdir(meta, 0700);
	snprintf(path, sizeof(path), "%s/metadata.yaml", meta);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, len, "lxd: cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(f, "architecture: x86_64\ncreation_date: %lld\nproperties:\n"
		   "  description: lvperf %s\n  os: lvp\n  release: \"1\"\n",
		(long long)time(NULL), x->name);
	if (fclose(f) != 0 || proc_run(pack_meta, 1, LXD_TIMEOUT) != 0) {
		snprintf(err, len, "lxd: cannot pack %s into %s", path, mtar);
		return -EIO;
	}
	lxd_note(x, LXD_IMAGE);
	if (lxd_do(NULL, 0, imp) != 0) {
		snprintf(err, len, "lxd: 'lxc image import %s %s' failed", mtar, x->tar);
		return -EIO;
	}
	snprintf(path, sizeof(path), "/1.0/images/aliases/%s", x->name);
	if (lxd_do(out, sizeof(out), query) != 0 || !(j = json_loads(out, 0, NULL))) {
		snprintf(err, len, "lxd: cannot read the fingerprint of image %s", x->name);
		return -EIO;
	}
	snprintf(x->fp, sizeof(x->fp), "%s", json_string_value(json_object_get(j, "target")) ?: "");
	json_decref(j);
	if (strlen(x->fp) != 64 || strspn(x->fp, "0123456789abcdef") != 64) {
		snprintf(err, len, "lxd: image %s has no sha256 fingerprint", x->name);
		return -EIO;
	}
	return 0;
}

/*
 * Pool, profile (root disk + the veth peer as eth0) and the stopped
 * instance. Through raw.lxc, LXC (under LXD) addresses the nic (it is
 * lxc.net.0, the profile's only one), runs the workload as init, and puts
 * the cgroups under lvp<tag>/ (LXD would use lxc.payload.NAME and leave
 * lxc.pivot behind).
 */
static int lxd_instance(struct lxd_state *x, const struct target *t, char *err, size_t len)
{
	char source[160], parent[40], rootpool[40], ip[16];
	const char *pool[] = { "storage", "create", x->name, "dir", source, NULL };
	const char *prof[] = { "profile", "device", "add", x->name, "root", "disk", "path=/", rootpool, NULL };
	const char *mkprof[] = { "profile", "create", x->name, NULL };
	const char *nic[] = { "profile", "device", "add", x->name, "eth0", "nic", "nictype=physical",
			      parent, "name=eth0", NULL };
	const char *init[] = { "init", x->name, x->name, "--profile", x->name, "--config", x->raw,
			       "--config", "limits.kernel.nofile=20000", NULL };
	size_t n;

	snprintf(source, sizeof(source), "source=%.127s/pool", x->dir);
	snprintf(parent, sizeof(parent), "parent=%s", t->link.peer_if);
	snprintf(rootpool, sizeof(rootpool), "pool=%s", x->name);
	n = (size_t)snprintf(x->raw, sizeof(x->raw),
			     "raw.lxc=lxc.net.0.ipv4.address = %s/%u\n"
			     "lxc.init.cmd = %s\n"
			     "lxc.cgroup.dir.container = %s/payload\n"
			     "lxc.cgroup.dir.monitor = %s/monitor\n"
			     "lxc.cgroup.dir.monitor.pivot = %s/pivot\n",
			     pkt_format_ip(t->target_ip, ip), t->prefix_len, x->cmd, x->name, x->name, x->name);
	if (n >= sizeof(x->raw)) {
		snprintf(err, len, "lxd: start command too long");
		return -E2BIG;
	}
	lxd_note(x, LXD_STORAGE);
	if (mkdir(source + 7, 0711) != 0 || lxd_do(NULL, 0, pool) != 0) {
		snprintf(err, len, "lxd: 'lxc storage create %s dir %s' failed", x->name, source);
		return -EIO;
	}
	lxd_note(x, LXD_PROFILE);
	if (lxd_do(NULL, 0, mkprof) != 0 || lxd_do(NULL, 0, prof) != 0 || lxd_do(NULL, 0, nic) != 0) {
		snprintf(err, len, "lxd: cannot make profile %s (root disk, physical nic %s)", x->name,
			 t->link.peer_if);
		return -EIO;
	}
	lxd_note(x, LXD_INSTANCE);
	if (lxd_do(NULL, 0, init) != 0) {
		snprintf(err, len, "lxd: 'lxc init %s %s' failed", x->name, x->name);
		return -EIO;
	}
	return 0;
}

/* The daemon's PID from GET /1.0 (environment.server_pid); 0 when unknown. */
static pid_t lxd_server_pid(void)
{
	const char *query[] = { "query", "/1.0", NULL };
	char out[16384];
	json_t *j;
	pid_t pid = 0;

	if (lxd_do(out, sizeof(out), query) != 0 || !(j = json_loads(out, 0, NULL)))
		return 0;
	pid = (pid_t)json_integer_value(json_object_get(json_object_get(j, "environment"), "server_pid"));
	json_decref(j);
	return pid;
}

static void lxd_env_set(struct lxd_state *x)
{
	const char *d = getenv("LXD_DIR"), *c = getenv("LXD_CONF");

	x->old_dir = d ? strdup(d) : NULL;
	x->old_conf = c ? strdup(c) : NULL;
	setenv("LXD_DIR", x->lxd_dir, 1);
	setenv("LXD_CONF", x->conf, 1);
}

static void lxd_env_restore(struct lxd_state *x)
{
	if (x->old_dir)
		setenv("LXD_DIR", x->old_dir, 1);
	else
		unsetenv("LXD_DIR");
	if (x->old_conf)
		setenv("LXD_CONF", x->old_conf, 1);
	else
		unsetenv("LXD_CONF");
	free(x->old_dir);
	free(x->old_conf);
	x->old_dir = x->old_conf = NULL;
}

static int lxd_prepare(struct target *t, char *err, size_t len)
{
	struct lxd_state *x = lxd_of(t);
	const char *running = getenv("LXD_DIR");
	int rc;

	if (!x) {
		snprintf(err, len, "lxd: out of memory");
		return -ENOMEM;
	}
	memset(x, 0, sizeof(*x));
	ledger_run_dir(x->dir, sizeof(x->dir), t->tag, "lxd");
	snprintf(x->conf, sizeof(x->conf), "%.127s/conf", x->dir);
	snprintf(x->name, sizeof(x->name), "lvp%s", t->tag);
	if (!running || !*running)
		running = LXD_DEFAULT_DIR;
	if (strpbrk(running, " \t\n")) {
		snprintf(err, len, "lxd: LXD_DIR '%s' holds blanks; unset it or use one without", running);
		return -EINVAL;
	}
	if (ledger_lxd_answers(running))
		snprintf(x->lxd_dir, sizeof(x->lxd_dir), "%.159s", running); /* use it, add only lvp objects */
	else
		snprintf(x->lxd_dir, sizeof(x->lxd_dir), "%.127s/var", x->dir);
	rc = netns_veth_create(&t->link, t->tag, 1, err, len);
	if (rc)
		return rc;
	lxd_env_set(x);
	x->prepared = 1;
	rc = lxd_workload(t, x->dir, x->tar, sizeof(x->tar), x->cmd, sizeof(x->cmd), err, len);
	if (rc == 0)
		chmod(x->dir, 0711); /* the unprivileged container's root walks through it to the pool */
	/* Before the daemon: a cleanup shuts it down (stopping the instance) before the rmdir. */
	driver_note_cgroup(t);
	if (rc == 0 && mkdir(x->conf, 0700) != 0 && errno != EEXIST) {
		snprintf(err, len, "lxd: cannot create %s: %s", x->conf, strerror(errno));
		rc = -errno;
	}
	if (rc == 0 && strcmp(x->lxd_dir, running) != 0) {
		snprintf(x->lock, sizeof(x->lock), "/run/lxc/lock%.127s", x->dir);
		ledger_add(LEDGER_DIRECTORY, x->lock);
		rc = lxd_start_daemon(x, err, len);
	}
	if (rc == 0)
		x->server_pid = lxd_server_pid();
	if (rc == 0)
		rc = lxd_image(x, err, len);
	if (rc == 0)
		rc = lxd_instance(x, t, err, len);
	t->argv[0] = NULL;
	if (rc == 0 && (target_arg(t, LXD_CLIENT) || target_arg(t, "start") || target_arg(t, x->name))) {
		snprintf(err, len, "lxd: start command too long");
		rc = -E2BIG;
	}
	if (rc)
		t->drv->destroy(t);
	return rc;
}

/* `lxc start` has returned; the container runs until it is stopped. */
static void lxd_stop(struct target *t, pid_t start_pid)
{
	char *stop[] = { LXD_CLIENT, "stop", "-f", lxd_of(t)->name, NULL };
	char path[200], out[4096], log[160];
	const char *query[] = { "query", path, NULL };
	int i;

	(void)start_pid;
	if (!(lxd_of(t)->made & (1u << LXD_INSTANCE)))
		return;
	snprintf(path, sizeof(path), "/1.0/instances/%s/state", lxd_of(t)->name);
	snprintf(log, sizeof(log), "%.127s/stop.log", lxd_of(t)->dir);
	/* Make sure it is stopped before the next start (LXD refuses a stop
	 * while an operation on the instance runs): retry until it is. */
	for (i = 0; i < 50; i++) {
		json_t *j;
		int stopped;
		pid_t pid;
		int status;

		if (proc_start_log(stop, log, &pid) == 0 && proc_wait(pid, LXD_TIMEOUT, &status) == 0 &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			break;
		if (lxd_do(out, sizeof(out), query) != 0 || !(j = json_loads(out, 0, NULL)))
			break; /* no such instance, or no daemon */
		stopped = strcmp(json_string_value(json_object_get(j, "status")) ?: "", "Stopped") == 0;
		json_decref(j);
		if (stopped)
			break;
		usleep(200000);
	}
	/* The stop returns before LXD hands the nic back; the next start needs it here. */
	for (i = 0; i < 500 && !if_nametoindex(t->link.peer_if); i++)
		usleep(10000);
}

static void lxd_destroy(struct target *t)
{
	struct lxd_state *x = lxd_of(t);

	if (x->prepared) {
		lxd_remove(x, LXD_INSTANCE);
		lxd_remove(x, LXD_IMAGE);
		lxd_remove(x, LXD_PROFILE);
		lxd_remove(x, LXD_STORAGE);
		if (x->lxd) {
			char *shutdown[] = { LXD_BIN, "shutdown", "--timeout=20", NULL };
			int status;

			proc_run(shutdown, 1, 30000000000ull);
			if (proc_wait(x->lxd, 5000000000ull, &status) != 0)
				proc_stop(x->lxd, 5000000000ull, &status);
			ledger_done_pid(x->lxd);
			x->lxd = 0;
			ledger_umount_under(x->dir);
			ledger_done(LEDGER_LXDD, x->dir);
		}
		driver_remove_dir(x->dir);
		if (x->lock[0])
			driver_remove_dir(x->lock);
		driver_remove_cgroup(t);
		lxd_env_restore(x);
		x->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

static int64_t lxd_image_size(struct target *t)
{
	char path[256];
	int64_t a, b, c;

	snprintf(path, sizeof(path), "%.159s/images/%.79s", lxd_of(t)->lxd_dir, lxd_of(t)->fp);
	a = driver_du(path);
	snprintf(path, sizeof(path), "%.159s/images/%.79s.rootfs", lxd_of(t)->lxd_dir, lxd_of(t)->fp);
	b = driver_du(path);
	snprintf(path, sizeof(path), "%.127s/pool/containers/%.15s", lxd_of(t)->dir, lxd_of(t)->name);
	c = oci_du_tree(path);
	if (a < 0 || b < 0 || c < 0)
		return a < 0 ? a : b < 0 ? b : c;
	return a + b + c;
}

/* The processes in the container's memory cgroup. */
static int64_t lxd_memory(struct target *t, pid_t start_pid)
{
	char cg[40];

	(void)start_pid;
	snprintf(cg, sizeof(cg), "%.15s/payload", lxd_of(t)->name);
	return oci_cgroup_rss(cg);
}

/* The daemon and the instance's monitor (LXC's, in lvp<tag>/monitor). */
static int64_t lxd_daemon_memory(struct target *t)
{
	static struct footprint_procs p;
	char path[128];
	FILE *f;
	int pid;

	memset(&p, 0, sizeof(p));
	if (lxd_of(t)->server_pid > 0)
		p.pids[p.n++] = lxd_of(t)->server_pid;
	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory/%.15s/monitor/cgroup.procs", lxd_of(t)->name);
	f = fopen(path, "r");
	if (f) {
		while (p.n < FOOTPRINT_PIDS_MAX && fscanf(f, "%d", &pid) == 1)
			p.pids[p.n++] = pid;
		fclose(f);
	}
	if (p.n == 0)
		return -ESRCH;
	return footprint_measure(&p) ? -ESRCH : p.rss;
}

static int lxd_daemon_alive(struct target *t, char *why, size_t len)
{
	pid_t pid = lxd_of(t)->lxd;

	if (!pid || proc_alive(pid))
		return 1;
	snprintf(why, len, "lxd (pid %d), which lvperf started for this target, is gone", (int)pid);
	return 0;
}

const struct driver driver_lxd = {
	.name = "lxd",
	.shares_host_tsc = 1,
	.summary = "an LXD system container (lxc start; lxd started by lvperf unless one runs, no host network changes)",
	.available = lxd_available,
	.prepare = lxd_prepare,
	.stop = lxd_stop,
	.destroy = lxd_destroy,
	.image_size = lxd_image_size,
	.memory = lxd_memory,
	.daemon_memory = lxd_daemon_memory,
	.daemon_alive = lxd_daemon_alive,
	.daemon_counts = "RSS of lxd and the instance's LXC monitor, from smaps_rollup",
	.caps = DRIVER_CAP_IMAGE_BUILDER,
};
DRIVER_REGISTER(driver_lxd)
