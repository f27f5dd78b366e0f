/* SPDX-License-Identifier: BSD-3-Clause
 * LXC: a system container from the workload's cached image (read-only,
 * tmpfs on /tmp and /run), no template and no daemon. `lxc-start -F` stays in the
 * foreground (lvperf's child); the veth peer is handed to the container as
 * a phys link that LXC addresses and brings up; cgroups go under
 * lvp<tag>/. docs/platforms.md 3.4.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "driver.h"
#include "image.h"
#include "ledger.h"
#include "oci.h"
#include "proc.h"

struct lxc_state {
	char dir[128];	  /* /tmp/lvp<tag>-lxc.<random>: rootfs and the lxcpath */
	char lxcpath[160];
	char name[16];	  /* lvp<tag> */
	char cgroup[40];  /* lvp<tag>/payload */
	char ledger[320];
	char lock[200];	  /* LXC's lock directories for our lxcpath live under it */
	struct image img;
	int prepared;
};

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct lxc_state *lxc_of(struct target *t)
{
	return driver_priv(t, sizeof(struct lxc_state));
}

static int lxc_available(char *why, size_t len)
{
	char *argv[] = { "lxc-start", "--version", NULL };

	if (proc_run(argv, 1, 10000000000ull) != 0) {
		snprintf(why, len, "lxc-start not found (Debian package lxc)");
		return 0;
	}
	return 1;
}

static int lxc_write_config(const struct lxc_state *x, const struct target *t, const char *cmd, char *err,
			    size_t len)
{
	char path[256], ip[16];
	FILE *f;

	snprintf(path, sizeof(path), "%.159s/%s", x->lxcpath, x->name);
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		snprintf(err, len, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path), "%.159s/%s/config", x->lxcpath, x->name);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, len, "cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	fprintf(f,
		"lxc.uts.name = %s\n"
		"lxc.rootfs.path = dir:%s\n"
		"lxc.rootfs.options = ro\n"
		"lxc.init.cmd = %s\n"
		"lxc.mount.auto = proc:mixed sys:mixed\n"
		"lxc.mount.entry = tmpfs tmp tmpfs rw,nosuid,nodev,mode=1777 0 0\n"
		"lxc.mount.entry = tmpfs run tmpfs rw,nosuid,nodev,mode=755 0 0\n"
		"lxc.prlimit.nofile = 20000\n"
		"lxc.net.0.type = phys\n"
		"lxc.net.0.link = %s\n"
		"lxc.net.0.name = eth0\n"
		"lxc.net.0.flags = up\n"
		"lxc.net.0.ipv4.address = %s/%u\n"
		"lxc.apparmor.profile = unconfined\n"
		"lxc.log.file = %s/%s/log\n"
		"lxc.log.level = WARN\n"
		"lxc.cgroup.dir.container = %s/payload\n"
		"lxc.cgroup.dir.monitor = %s/monitor\n"
		"lxc.cgroup.dir.monitor.pivot = %s/pivot\n",
		x->name, x->img.rootfs, cmd, t->link.peer_if,
		pkt_format_ip(t->target_ip, ip), t->prefix_len, x->lxcpath, x->name, x->name, x->name,
		x->name);
	return fclose(f) == 0 ? 0 : -errno;
}

static int lxc_prepare(struct target *t, char *err, size_t len)
{
	struct lxc_state *x = lxc_of(t);
	struct image_cmd cmd;
	char line[1024];
	int rc;

	if (!x) {
		snprintf(err, len, "lxc: out of memory");
		return -ENOMEM;
	}
	memset(x, 0, sizeof(*x));
	rc = driver_image(t, "lxc", &x->img, &cmd, err, len);
	if (rc == 0 && image_cmd_line(&cmd, line, sizeof(line)) != 0) {
		snprintf(err, len, "lxc: start command too long");
		rc = -E2BIG;
	}
	if (rc)
		return rc;
	ledger_run_dir(x->dir, sizeof(x->dir), t->tag, "lxc");
	snprintf(x->lxcpath, sizeof(x->lxcpath), "%.127s/lxc", x->dir);
	snprintf(x->name, sizeof(x->name), "lvp%s", t->tag);
	snprintf(x->cgroup, sizeof(x->cgroup), "%.15s/payload", x->name);
	snprintf(x->lock, sizeof(x->lock), "/run/lxc/lock%.127s", x->dir);
	rc = netns_veth_create(&t->link, t->tag, 1, err, len);
	if (rc)
		return rc;
	driver_note_cgroup(t);
	ledger_add(LEDGER_DIRECTORY, x->lock);
	x->prepared = 1;
	rc = oci_dir_create(x->dir, err, len);
	if (rc == 0 && mkdir(x->lxcpath, 0700) != 0 && errno != EEXIST) {
		snprintf(err, len, "cannot create %s: %s", x->lxcpath, strerror(errno));
		rc = -errno;
	}
	if (rc == 0)
		rc = lxc_write_config(x, t, line, err, len);
	snprintf(x->ledger, sizeof(x->ledger), "%.159s %.15s", x->lxcpath, x->name);
	ledger_add(LEDGER_LXC, x->ledger);
	t->argv[0] = NULL;
	if (rc == 0 && (target_arg(t, "lxc-start") || target_arg(t, "-P") || target_arg(t, x->lxcpath) ||
			target_arg(t, "-n") || target_arg(t, x->name) || target_arg(t, "-F"))) {
		snprintf(err, len, "lxc: start command too long");
		rc = -E2BIG;
	}
	if (rc)
		t->drv->destroy(t);
	return rc;
}

/* lxc-start -F may be gone while the container still runs: stop it. */
static void lxc_stop(struct target *t, pid_t start_pid)
{
	char *argv[] = { "lxc-stop", "-P", lxc_of(t)->lxcpath, "-n", lxc_of(t)->name, "-k", NULL };
	int i;

	(void)start_pid;
	proc_run(argv, 1, 10000000000ull);
	/* An lxc-start killed before its cleanup leaves lvp<tag>/monitor,
	 * and the next start cannot make it again: remove the empty tree. */
	ledger_rmdir_cgroup(lxc_of(t)->name);
	/* The phys veth comes back to us only when the container's network
	 * namespace is torn down, which the kernel does a little later; the
	 * next start needs it here. */
	for (i = 0; t->link.peer_if[0] && i < 250 && if_nametoindex(t->link.peer_if) == 0; i++)
		usleep(20000);
}

static void lxc_destroy(struct target *t)
{
	struct lxc_state *x = lxc_of(t);

	if (x->prepared) {
		lxc_stop(t, 0);
		ledger_done(LEDGER_LXC, x->ledger);
		driver_remove_dir(x->dir);
		driver_remove_dir(x->lock);
		driver_remove_cgroup(t);
		x->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

static int64_t lxc_image_size(struct target *t)
{
	return oci_du_tree(lxc_of(t)->img.rootfs);
}

static int64_t lxc_memory(struct target *t, pid_t start_pid)
{
	(void)start_pid;
	return oci_cgroup_rss(lxc_of(t)->cgroup);
}

const struct driver driver_lxc = {
	.name = "lxc",
	.shares_host_tsc = 1,
	.summary = "an LXC system container (lxc-start -F) on a phys veth",
	.available = lxc_available,
	.prepare = lxc_prepare,
	.stop = lxc_stop,
	.destroy = lxc_destroy,
	.image_size = lxc_image_size,
	.memory = lxc_memory,
	.caps = DRIVER_CAP_IMAGE_BUILDER,
};
DRIVER_REGISTER(driver_lxc)
