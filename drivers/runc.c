/* SPDX-License-Identifier: BSD-3-Clause
 * runc: the workload in an OCI container, `runc run` in the foreground (so
 * it stays lvperf's child and SIGTERM reaches the container), joined to
 * the target's lvp network namespace through config.json. Its cgroups are
 * /lvp<tag>/lvp<tag> in every controller. docs/platforms.md 3.1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "image.h"
#include "ledger.h"
#include "oci.h"
#include "proc.h"

struct runc_state {
	char dir[128];	 /* /tmp/lvp<tag>-runc.<random>: bundle and runc's state */
	char root[160];
	char name[16];	 /* container id: lvp<tag> */
	char cgroup[40]; /* /lvp<tag>/lvp<tag> */
	char ledger[320];
	struct image img; /* the workload's cached rootfs */
	int prepared;
};

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct runc_state *runc_of(struct target *t)
{
	return driver_priv(t, sizeof(struct runc_state));
}

static int runc_available(char *why, size_t len)
{
	char *argv[] = { "runc", "--version", NULL };

	if (proc_run(argv, 1, 10000000000ull) != 0) {
		snprintf(why, len, "runc not found or not working (Debian package runc)");
		return 0;
	}
	return 1;
}

static int runc_prepare(struct target *t, char *err, size_t len)
{
	struct runc_state *r = runc_of(t);
	struct image_cmd cmd;
	int rc;

	if (!r) {
		snprintf(err, len, "runc: out of memory");
		return -ENOMEM;
	}
	memset(r, 0, sizeof(*r));
	rc = driver_image(t, "runc", &r->img, &cmd, err, len);
	if (rc)
		return rc;
	ledger_run_dir(r->dir, sizeof(r->dir), t->tag, "runc");
	snprintf(r->root, sizeof(r->root), "%.127s/state", r->dir);
	snprintf(r->name, sizeof(r->name), "lvp%s", t->tag);
	snprintf(r->cgroup, sizeof(r->cgroup), "/lvp%s/lvp%s", t->tag, t->tag);
	rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
	if (rc)
		return rc;
	snprintf(r->ledger, sizeof(r->ledger), "%.159s %.15s", r->root, r->name);
	driver_note_cgroup(t);
	/* The container goes in the ledger after its bundle: cleanup (newest
	 * first) must delete it while runc's state directory still exists. */
	rc = oci_bundle_create(r->dir, r->img.rootfs, cmd.argv, t->link.ns, r->cgroup, err, len);
	ledger_add(LEDGER_RUNC, r->ledger);
	r->prepared = 1;
	if (rc) {
		t->drv->destroy(t);
		return rc;
	}
	t->argv[0] = NULL;
	if (target_arg(t, "runc") || target_arg(t, "--root") || target_arg(t, r->root) ||
	    target_arg(t, "run") || target_arg(t, "--bundle") || target_arg(t, r->dir) ||
	    target_arg(t, r->name)) {
		snprintf(err, len, "runc: start command too long");
		t->drv->destroy(t);
		return -E2BIG;
	}
	return 0;
}

/* `runc run` ends with its container; delete what a kill may leave. */
static void runc_stop(struct target *t, pid_t start_pid)
{
	char *argv[] = { "runc", "--root", runc_of(t)->root, "delete", "-f", runc_of(t)->name, NULL };

	(void)start_pid;
	proc_run(argv, 1, 10000000000ull);
}

static void runc_destroy(struct target *t)
{
	struct runc_state *r = runc_of(t);

	if (r->prepared) {
		runc_stop(t, 0);
		ledger_done(LEDGER_RUNC, r->ledger);
		driver_remove_dir(r->dir);
		driver_remove_cgroup(t);
		r->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

static int64_t runc_image_size(struct target *t)
{
	return oci_du_tree(runc_of(t)->img.rootfs);
}

static int64_t runc_memory(struct target *t, pid_t start_pid)
{
	(void)start_pid;
	return oci_cgroup_rss(runc_of(t)->cgroup);
}

const struct driver driver_runc = {
	.name = "runc",
	.shares_host_tsc = 1,
	.summary = "an OCI container run by runc in the target's lvp namespace",
	.available = runc_available,
	.prepare = runc_prepare,
	.stop = runc_stop,
	.destroy = runc_destroy,
	.image_size = runc_image_size,
	.memory = runc_memory,
	.caps = DRIVER_CAP_IMAGE_BUILDER,
};
DRIVER_REGISTER(driver_runc)
