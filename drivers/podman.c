/* SPDX-License-Identifier: BSD-3-Clause
 * Podman (no daemon): the workload's cached image tarball imported as
 * lvp-<workload>:<hash> into lvperf's own store, CACHE/lvp-podman (kept,
 * so an image is imported once per hash), run with `podman run -d
 * --runtime runc` in the target's lvp network namespace (--network ns:),
 * its cgroups under /lvp<tag>. Root here lacks CAP_SYS_RESOURCE, so the
 * rlimits Podman would set are pinned to values it can set.
 * docs/platforms.md 3.7.
 */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "footprint.h"
#include "image.h"
#include "ledger.h"
#include "oci.h"
#include "proc.h"

#define PODMAN_TIMEOUT (60ull * 1000000000u)

struct podman_state {
	char dir[224];	   /* CACHE/lvp-podman: the store, kept */
	char root[240], runroot[240], tmpdir[240];
	char image[96];	   /* lvp-<workload>:<hash> */
	char name[16];	   /* lvp<tag> */
	char cgparent[24]; /* /lvp<tag> */
	char netarg[64];   /* ns:/run/netns/<ns> */
	char ledger[248];  /* "DIR NAME": the container, for cleanup (LEDGER_PODMAN) */
	struct image img;
	unsigned spill;	   /* what podman made outside lvp names (podman_spill) */
	int prepared;
};

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct podman_state *podman_of(struct target *t)
{
	return driver_priv(t, sizeof(struct podman_state));
}

/* runc's default state root (podman passes no --root to it) and podman's
 * blob-info cache, written by `podman import` whatever its --root. */
static const char *const podman_spill[] = { "/run/runc", "/var/lib/containers/cache/blob-info-cache-v1.boltdb",
					    "/var/lib/containers/cache", "/var/lib/containers", NULL };

/* podman with the private store and the settings every call needs. */
static int podman_base(struct target *t, const struct podman_state *p)
{
	t->argv[0] = NULL;
	return target_arg(t, "podman") || target_arg(t, "--root") || target_arg(t, p->root) ||
	       target_arg(t, "--runroot") || target_arg(t, p->runroot) || target_arg(t, "--tmpdir") ||
	       target_arg(t, p->tmpdir) || target_arg(t, "--cgroup-manager") ||
	       target_arg(t, "cgroupfs") || target_arg(t, "--events-backend") ||
	       target_arg(t, "file") || target_arg(t, "--runtime") || target_arg(t, "runc")
		       ? -E2BIG
		       : 0;
}

/* Run a podman subcommand (words...) to completion, quietly. */
static int podman_do(const struct podman_state *p, const char *w1, const char *w2, const char *w3,
		     const char *w4, const char *w5)
{
	struct target tmp;
	const char *w[] = { w1, w2, w3, w4, w5 };
	size_t i;

	memset(&tmp, 0, sizeof(tmp));
	if (podman_base(&tmp, p))
		return -E2BIG;
	for (i = 0; i < sizeof(w) / sizeof(w[0]) && w[i]; i++)
		if (target_arg(&tmp, w[i]))
			return -E2BIG;
	return proc_run(tmp.argv, 1, PODMAN_TIMEOUT);
}

static int podman_available(char *why, size_t len)
{
	char *p[] = { "podman", "--version", NULL }, *r[] = { "runc", "--version", NULL };

	if (proc_run(p, 1, PODMAN_TIMEOUT) != 0) {
		snprintf(why, len, "podman not found (Debian package podman)");
		return 0;
	}
	if (proc_run(r, 1, PODMAN_TIMEOUT) != 0) {
		snprintf(why, len, "runc not found: podman runs with --runtime runc here (Debian package runc)");
		return 0;
	}
	return 1;
}

static int podman_prepare(struct target *t, char *err, size_t len)
{
	struct podman_state *p = podman_of(t);
	char tar[PATH_MAX], e[400];
	struct image_cmd cmd;
	int rc, i;

	if (!p) {
		snprintf(err, len, "podman: out of memory");
		return -ENOMEM;
	}
	memset(p, 0, sizeof(*p));
	rc = driver_image(t, "podman", &p->img, &cmd, err, len);
	if (rc == 0 && (rc = image_tar(&p->img, tar, sizeof(tar), e, sizeof(e))) != 0)
		snprintf(err, len, "podman: %s", e);
	if (rc)
		return rc;
	image_cache_root(e, sizeof(e));
	snprintf(p->dir, sizeof(p->dir), "%.200s/lvp-podman", e);
	snprintf(p->root, sizeof(p->root), "%.223s/root", p->dir);
	snprintf(p->runroot, sizeof(p->runroot), "%.223s/run", p->dir);
	snprintf(p->tmpdir, sizeof(p->tmpdir), "%.223s/tmp", p->dir);
	image_ref(&p->img, p->image, sizeof(p->image));
	snprintf(p->name, sizeof(p->name), "lvp%s", t->tag);
	snprintf(p->cgparent, sizeof(p->cgparent), "/lvp%s", t->tag);
	rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
	if (rc)
		return rc;
	snprintf(p->netarg, sizeof(p->netarg), "ns:/run/netns/%s", t->link.ns);
	driver_note_cgroup(t);
	p->prepared = 1;
	p->spill = driver_spill_note(podman_spill);
	if (mkdir(p->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, len, "podman: cannot create %s: %s", p->dir, strerror(errno));
		rc = -errno;
		goto fail;
	}
	/* Known before it exists: the container, whose removal by podman
	 * takes its overlay and shm mounts in the kept store with it. */
	snprintf(p->ledger, sizeof(p->ledger), "%.223s %.15s", p->dir, p->name);
	ledger_add(LEDGER_PODMAN, p->ledger);
	/* The image: the rootfs tarball; the command is given to run. */
	if (podman_do(p, "image", "exists", p->image, NULL, NULL) != 0 &&
	    podman_do(p, "import", tar, p->image, NULL, NULL) != 0) {
		snprintf(err, len, "podman: 'podman import' of %s failed", tar);
		rc = -EIO;
		goto fail;
	}
	if (podman_base(t, p) || target_arg(t, "run") || target_arg(t, "-d") || target_arg(t, "--name") ||
	    target_arg(t, p->name) || target_arg(t, "--cgroup-parent") || target_arg(t, p->cgparent) ||
	    target_arg(t, "--ulimit") || target_arg(t, "nofile=20000:20000") ||
	    target_arg(t, "--ulimit") || target_arg(t, "nproc=4096:4096") || target_arg(t, "--network") ||
	    target_arg(t, p->netarg) || target_arg(t, p->image))
		rc = -E2BIG;
	for (i = 0; rc == 0 && cmd.argv[i]; i++)
		rc = target_arg(t, cmd.argv[i]);
	if (rc) {
		snprintf(err, len, "podman: start command too long");
		rc = -E2BIG;
		goto fail;
	}
	return 0;
fail:
	t->drv->destroy(t);
	return rc;
}

/* `podman run -d` returns once the container runs: remove it now. */
static void podman_stop(struct target *t, pid_t start_pid)
{
	(void)start_pid;
	podman_do(podman_of(t), "rm", "-f", "-t", "0", podman_of(t)->name);
}

/* The store and its images stay: the next run with the same hash
 * reuses the import. */
static void podman_destroy(struct target *t)
{
	struct podman_state *p = podman_of(t);

	if (p->prepared) {
		char cg[64];
		int i;

		podman_stop(t, 0);
		/* conmon leaves its cgroup (lvp<tag>/conmon) a moment after
		 * the container is gone */
		snprintf(cg, sizeof(cg), "/sys/fs/cgroup/pids%.23s", p->cgparent);
		for (i = 0; i < 50 && access(cg, F_OK) == 0; i++) {
			if (ledger_rmdir_cgroup(p->cgparent + 1) == 0)
				usleep(40000);
		}
		driver_remove_cgroup(t);
		if (p->ledger[0])
			ledger_done(LEDGER_PODMAN, p->ledger);
		driver_spill_remove(podman_spill, p->spill);
		p->spill = 0;
		p->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

/* The image's layer: the rootfs it was imported from. */
static int64_t podman_image_size(struct target *t)
{
	return oci_du_tree(podman_of(t)->img.rootfs);
}

/* The containers' own cgroups under ours, not the engine's helpers. */
static int64_t podman_memory(struct target *t, pid_t start_pid)
{
	(void)start_pid;
	return oci_cgroup_rss_children(podman_of(t)->cgparent, "libpod-");
}

/* Podman has no daemon; its resident helper is conmon, one per container,
 * which lvperf reaps as subreaper (so it is among our descendants). */
static int64_t podman_daemon_memory(struct target *t)
{
	struct footprint_procs all, conmon;

	(void)t;
	footprint_tree(getpid(), 0, NULL, &all);
	if (!footprint_by_comm(&all, "conmon", &conmon))
		return -ESRCH;
	return footprint_measure(&conmon) ? -ESRCH : conmon.rss;
}

const struct driver driver_podman = {
	.name = "podman",
	.shares_host_tsc = 1,
	.summary = "a Podman container (runc, no daemon, private store) in the target's lvp namespace",
	.available = podman_available,
	.prepare = podman_prepare,
	.stop = podman_stop,
	.destroy = podman_destroy,
	.image_size = podman_image_size,
	.memory = podman_memory,
	.daemon_memory = podman_daemon_memory,
	.daemon_counts = "RSS of conmon (podman's per-container monitor; podman itself has exited), from smaps_rollup",
	.caps = DRIVER_CAP_IMAGE_BUILDER | DRIVER_CAP_IMAGE_IMPORT,
};
DRIVER_REGISTER(driver_podman)
