/* SPDX-License-Identifier: BSD-3-Clause
 * gVisor (runsc, ptrace platform): the runc bundle run by runsc. This
 * runsc decides it is in the root network namespace when
 * /proc/sys/net/core/rmem_default exists, and on this kernel it exists in
 * every namespace, so runsc runs in a private mount namespace (kept in a
 * file, entered with nsenter) whose /proc/sys is a tmpfs with kernel/, vm/
 * and fs/ bound back and an empty net/. runsc removes the address from the
 * interface it takes over, so it is put back before every start.
 * docs/platforms.md 3.3.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "driver.h"
#include "image.h"
#include "ledger.h"
#include "mntns.h"
#include "oci.h"
#include "proc.h"

#define RUNSC_TIMEOUT (30ull * 1000000000u)

struct runsc_state {
	char dir[128];	  /* /tmp/lvp<tag>-gvisor.<random> */
	char root[160];
	struct mntns ns;  /* where runsc runs: /proc/sys without net/ */
	char psys[160];	  /* the real /proc/sys, bound aside */
	char name[16];
	char cgroup[40];
	char ledger[320];
	char addr[24];	  /* the target's address, put back before each start */
	struct image img;
	int prepared;
};

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct runsc_state *runsc_of(struct target *t)
{
	return driver_priv(t, sizeof(struct runsc_state));
}

static int runsc_run(char *const argv[])
{
	return proc_run(argv, 1, RUNSC_TIMEOUT);
}

static int runsc_available(char *why, size_t len)
{
	char *s[] = { "runsc", "--version", NULL }, *r[] = { "runc", "--version", NULL };

	if (runsc_run(s) != 0) {
		snprintf(why, len, "runsc not found (Debian package runsc)");
		return 0;
	}
	if (runsc_run(r) != 0) {
		snprintf(why, len, "runc not found: its `runc spec` makes the bundle (Debian package runc)");
		return 0;
	}
	return 1;
}

static int runsc_mount_ns(struct runsc_state *g, char *err, size_t len)
{
	static const char *const sub[] = { "kernel", "vm", "fs" };
	const char *b[] = { "mount", "--bind", "/proc/sys", g->psys, NULL };
	const char *t[] = { "mount", "-t", "tmpfs", "lvp-procsys", "/proc/sys", NULL };
	const char *mk[] = { "mkdir", "/proc/sys/net", NULL };
	char from[200], to[64];
	size_t i;
	int rc;

	if (mkdir(g->psys, 0700) != 0 && errno != EEXIST) {
		snprintf(err, len, "cannot create %s: %s", g->psys, strerror(errno));
		return -errno;
	}
	rc = mntns_create(&g->ns, g->dir, "runsc", err, len);
	if (rc)
		return rc;
	if (mntns_run(&g->ns, b) != 0 || mntns_run(&g->ns, t) != 0 || mntns_run(&g->ns, mk) != 0)
		goto fail;
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		const char *m[] = { "mkdir", to, NULL };
		const char *bb[] = { "mount", "--bind", from, to, NULL };

		snprintf(from, sizeof(from), "%.159s/%s", g->psys, sub[i]);
		snprintf(to, sizeof(to), "/proc/sys/%s", sub[i]);
		if (mntns_run(&g->ns, m) != 0 || mntns_run(&g->ns, bb) != 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, len, "gvisor: cannot set up /proc/sys in the mount namespace %s", g->ns.file);
	return -EIO;
}

static void runsc_readdr(struct target *t)
{
	char *argv[] = { "ip", "-n", t->link.ns, "addr", "replace", runsc_of(t)->addr, "dev", t->link.peer_if, NULL };

	runsc_run(argv);
}

static int runsc_prepare(struct target *t, char *err, size_t len)
{
	struct runsc_state *g = runsc_of(t);
	struct image_cmd cmd;
	char ip[16];
	int rc;

	if (!g) {
		snprintf(err, len, "gvisor: out of memory");
		return -ENOMEM;
	}
	memset(g, 0, sizeof(*g));
	rc = driver_image(t, "gvisor", &g->img, &cmd, err, len);
	if (rc)
		return rc;
	ledger_run_dir(g->dir, sizeof(g->dir), t->tag, "gvisor");
	snprintf(g->root, sizeof(g->root), "%.127s/state", g->dir);
	snprintf(g->psys, sizeof(g->psys), "%.127s/psys", g->dir);
	snprintf(g->name, sizeof(g->name), "lvp%s", t->tag);
	snprintf(g->cgroup, sizeof(g->cgroup), "/lvp%s/lvp%s", t->tag, t->tag);
	snprintf(g->addr, sizeof(g->addr), "%s/%u", pkt_format_ip(t->target_ip, ip), t->prefix_len);
	rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
	if (rc)
		return rc;
	driver_note_cgroup(t);
	g->prepared = 1;
	rc = oci_bundle_create(g->dir, g->img.rootfs, cmd.argv, t->link.ns, g->cgroup, err, len);
	if (rc == 0)
		rc = runsc_mount_ns(g, err, len);
	t->argv[0] = NULL;
	if (rc == 0 && (target_arg(t, "nsenter") || target_arg(t, g->ns.nsarg) || target_arg(t, "runsc") ||
			target_arg(t, "--root") || target_arg(t, g->root) || target_arg(t, "--platform=ptrace") ||
			target_arg(t, "run") || target_arg(t, "--bundle") || target_arg(t, g->dir) ||
			target_arg(t, g->name))) {
		snprintf(err, len, "gvisor: start command too long");
		rc = -E2BIG;
	}
	if (rc)
		t->drv->destroy(t);
	return rc;
}

static void runsc_stop(struct target *t, pid_t start_pid)
{
	const char *kill[] = { "runsc", "--root", runsc_of(t)->root, "kill", runsc_of(t)->name, "KILL", NULL };
	const char *del[] = { "runsc", "--root", runsc_of(t)->root, "delete", "-force", runsc_of(t)->name, NULL };

	(void)start_pid;
	mntns_run(&runsc_of(t)->ns, kill);
	mntns_run(&runsc_of(t)->ns, del);
	if (t->link.created)
		runsc_readdr(t); /* runsc took the address with the interface */
}

static void runsc_destroy(struct target *t)
{
	struct runsc_state *g = runsc_of(t);

	if (g->prepared) {
		runsc_stop(t, 0);
		mntns_destroy(&g->ns);
		driver_remove_dir(g->dir);
		driver_remove_cgroup(t);
		g->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

static int64_t runsc_image_size(struct target *t)
{
	return oci_du_tree(runsc_of(t)->img.rootfs);
}

/* The sandbox (Sentry, gofer) is what the workload costs under gVisor. */
static int64_t runsc_memory(struct target *t, pid_t start_pid)
{
	(void)t;
	return driver_rss(start_pid);
}

const struct driver driver_gvisor = {
	.name = "gvisor",
	.shares_host_tsc = 1, /* --platform=ptrace: the workload runs as a host process */
	.summary = "a gVisor sandbox (runsc, ptrace platform) in the target's lvp namespace",
	.available = runsc_available,
	.prepare = runsc_prepare,
	.stop = runsc_stop,
	.destroy = runsc_destroy,
	.image_size = runsc_image_size,
	.memory = runsc_memory,
	.caps = DRIVER_CAP_IMAGE_BUILDER,
};
DRIVER_REGISTER(driver_gvisor)
