/* SPDX-License-Identifier: BSD-3-Clause
 * crun: the same OCI bundle as runc, run by crun. crun 1.8 refuses this
 * machine's hybrid cgroups ("cgroups in hybrid mode not supported, drop
 * all controllers from cgroupv2"), so it runs in a private mount namespace,
 * kept in a file, where a tmpfs covers /sys/fs/cgroup/unified; every start
 * is `nsenter --mount=FILE crun ... run` (an argv, no shell). The mount
 * namespace is a slave of ours, so network namespaces made later are seen.
 * docs/platforms.md 3.2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "image.h"
#include "ledger.h"
#include "mntns.h"
#include "oci.h"
#include "proc.h"

#define CRUN_TIMEOUT (10ull * 1000000000u)

struct crun_state {
	char dir[128];	  /* /tmp/lvp<tag>-crun.<random>: bundle, state, the mount namespace */
	char root[160];
	struct mntns ns;  /* where crun runs: hybrid cgroups hidden */
	char name[16];
	char cgroup[40];
	char ledger[320];
	struct image img;
	int prepared;
};

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct crun_state *crun_of(struct target *t)
{
	return driver_priv(t, sizeof(struct crun_state));
}

static int crun_run(char *const argv[])
{
	return proc_run(argv, 1, CRUN_TIMEOUT);
}

static int crun_available(char *why, size_t len)
{
	/* --root an existing directory: crun makes its default root
	 * (/run/crun) even for --version, and nothing of ours may stay. */
	char *c[] = { "crun", "--root", "/tmp", "--version", NULL }, *r[] = { "runc", "--version", NULL };
	char *u[] = { "nsenter", "--version", NULL };

	if (crun_run(c) != 0) {
		snprintf(why, len, "crun not found (Debian package crun)");
		return 0;
	}
	if (crun_run(r) != 0) {
		snprintf(why, len, "runc not found: its `runc spec` makes the bundle (Debian package runc)");
		return 0;
	}
	if (crun_run(u) != 0) {
		snprintf(why, len, "nsenter not found (Debian package util-linux)");
		return 0;
	}
	return 1;
}

/* The mount namespace crun runs in: the cgroup v2 mount hidden. */
static int crun_mount_ns(struct crun_state *c, char *err, size_t len)
{
	static const char *const tmpfs[] = { "mount", "-t", "tmpfs", "lvp-cgunified",
					     "/sys/fs/cgroup/unified", NULL };
	int rc = mntns_create(&c->ns, c->dir, "crun", err, len);

	if (rc == 0 && mntns_run(&c->ns, tmpfs) != 0) {
		snprintf(err, len, "crun: cannot hide /sys/fs/cgroup/unified in %s", c->ns.file);
		rc = -EIO;
	}
	return rc;
}

static int crun_prepare(struct target *t, char *err, size_t len)
{
	struct crun_state *c = crun_of(t);
	struct image_cmd cmd;
	int rc;

	if (!c) {
		snprintf(err, len, "crun: out of memory");
		return -ENOMEM;
	}
	memset(c, 0, sizeof(*c));
	rc = driver_image(t, "crun", &c->img, &cmd, err, len);
	if (rc)
		return rc;
	ledger_run_dir(c->dir, sizeof(c->dir), t->tag, "crun");
	snprintf(c->root, sizeof(c->root), "%.127s/state", c->dir);
	snprintf(c->name, sizeof(c->name), "lvp%s", t->tag);
	snprintf(c->cgroup, sizeof(c->cgroup), "/lvp%s/lvp%s", t->tag, t->tag);
	rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
	if (rc)
		return rc;
	driver_note_cgroup(t);
	c->prepared = 1;
	rc = oci_bundle_create(c->dir, c->img.rootfs, cmd.argv, t->link.ns, c->cgroup, err, len);
	if (rc == 0)
		rc = crun_mount_ns(c, err, len);
	snprintf(c->ledger, sizeof(c->ledger), "%.159s %.15s", c->root, c->name);
	ledger_add(LEDGER_CRUN, c->ledger);
	t->argv[0] = NULL;
	if (rc == 0 && (target_arg(t, "nsenter") || target_arg(t, c->ns.nsarg) || target_arg(t, "crun") ||
			target_arg(t, "--root") || target_arg(t, c->root) || target_arg(t, "run") ||
			target_arg(t, "--bundle") || target_arg(t, c->dir) || target_arg(t, c->name))) {
		snprintf(err, len, "crun: start command too long");
		rc = -E2BIG;
	}
	if (rc)
		t->drv->destroy(t);
	return rc;
}

static void crun_stop(struct target *t, pid_t start_pid)
{
	char *argv[] = { "crun", "--root", crun_of(t)->root, "delete", "-f", crun_of(t)->name, NULL };

	(void)start_pid;
	crun_run(argv);
}

static void crun_destroy(struct target *t)
{
	struct crun_state *c = crun_of(t);

	if (c->prepared) {
		crun_stop(t, 0);
		ledger_done(LEDGER_CRUN, c->ledger);
		mntns_destroy(&c->ns);
		driver_remove_dir(c->dir);
		driver_remove_cgroup(t);
		c->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

static int64_t crun_image_size(struct target *t)
{
	return oci_du_tree(crun_of(t)->img.rootfs);
}

static int64_t crun_memory(struct target *t, pid_t start_pid)
{
	(void)start_pid;
	return oci_cgroup_rss(crun_of(t)->cgroup);
}

const struct driver driver_crun = {
	.name = "crun",
	.shares_host_tsc = 1,
	.summary = "an OCI container run by crun (hybrid cgroups hidden) in the target's lvp namespace",
	.available = crun_available,
	.prepare = crun_prepare,
	.stop = crun_stop,
	.destroy = crun_destroy,
	.image_size = crun_image_size,
	.memory = crun_memory,
	.caps = DRIVER_CAP_IMAGE_BUILDER,
};
DRIVER_REGISTER(driver_crun)
