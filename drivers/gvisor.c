/* SPDX-License-Identifier: BSD-3-Clause
 * gVisor (runsc, ptrace platform): the runc bundle run by runsc. This
 * runsc decides it is in the root network namespace when
 * /proc/sys/net/core/rmem_default exists, and on this kernel it exists in
 * every namespace, so runsc runs in a private mount namespace (kept in a
 * file, entered with nsenter) whose /proc/sys is a tmpfs with kernel/, vm/
 * and fs/ bound back and an empty net/. runsc removes the address from the
 * interface it takes over, so it is put back before every start.
 * PLATFORMS.md 3.3.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../dataplane/pkt.h"
#include "driver.h"
#include "ledger.h"
#include "oci.h"
#include "proc.h"

#define RUNSC_TIMEOUT (30ull * 1000000000u)

struct runsc_state {
	char dir[128];	  /* /tmp/lvp<tag>-gvisor */
	char root[160];
	char mntdir[160];
	char mntns[176];
	char nsarg[192];
	char psys[160];	  /* the real /proc/sys, bound aside */
	char name[16];
	char cgroup[40];
	char ledger[320];
	char addr[24];	  /* the target's address, put back before each start */
	int prepared;
};

static struct runsc_state rs_st;

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

/* Run argv inside our mount namespace. */
static int runsc_in_ns(struct runsc_state *g, const char *const *words)
{
	char *argv[16];
	size_t n = 0, i;

	argv[n++] = "nsenter";
	argv[n++] = g->nsarg;
	for (i = 0; words[i] && n < 15; i++)
		argv[n++] = (char *)words[i];
	argv[n] = NULL;
	return runsc_run(argv);
}

static int runsc_mount_ns(struct runsc_state *g, char *err, size_t len)
{
	char *bind[] = { "mount", "--bind", g->mntdir, g->mntdir, NULL };
	char *priv[] = { "mount", "--make-private", g->mntdir, NULL };
	char arg[200];
	char *uns[] = { "unshare", arg, "--propagation", "slave", "true", NULL };
	static const char *const sub[] = { "kernel", "vm", "fs" };
	char from[200], to[64];
	size_t i;
	int fd;

	if (mkdir(g->mntdir, 0700) != 0 || mkdir(g->psys, 0700) != 0) {
		snprintf(err, len, "cannot create %s: %s", g->mntdir, strerror(errno));
		return -errno;
	}
	ledger_add(LEDGER_MOUNT, g->mntdir);
	if (runsc_run(bind) != 0 || runsc_run(priv) != 0) {
		snprintf(err, len, "gvisor: cannot make %s a private mount", g->mntdir);
		return -EIO;
	}
	fd = open(g->mntns, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, len, "cannot create %s: %s", g->mntns, strerror(errno));
		return -errno;
	}
	close(fd);
	ledger_add(LEDGER_MOUNT, g->mntns);
	snprintf(arg, sizeof(arg), "--mount=%.180s", g->mntns);
	{
		const char *b[] = { "mount", "--bind", "/proc/sys", g->psys, NULL };
		const char *t[] = { "mount", "-t", "tmpfs", "lvp-procsys", "/proc/sys", NULL };
		const char *mk[] = { "mkdir", "/proc/sys/net", NULL };

		if (runsc_run(uns) != 0 || runsc_in_ns(g, b) != 0 || runsc_in_ns(g, t) != 0 ||
		    runsc_in_ns(g, mk) != 0)
			goto fail;
		for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			const char *m[] = { "mkdir", to, NULL };
			const char *bb[] = { "mount", "--bind", from, to, NULL };

			snprintf(from, sizeof(from), "%.159s/%s", g->psys, sub[i]);
			snprintf(to, sizeof(to), "/proc/sys/%s", sub[i]);
			if (runsc_in_ns(g, m) != 0 || runsc_in_ns(g, bb) != 0)
				goto fail;
		}
	}
	return 0;
fail:
	snprintf(err, len, "gvisor: cannot set up the /proc/sys mount namespace %s", g->mntns);
	return -EIO;
}

static void runsc_readdr(struct target *t)
{
	char *argv[] = { "ip", "-n", t->link.ns, "addr", "replace", rs_st.addr, "dev", t->link.peer_if, NULL };

	runsc_run(argv);
}

static int runsc_prepare(struct target *t, char *err, size_t len)
{
	struct runsc_state *g = &rs_st;
	char bin[512], dst[16], port[8], cg[24], ip[16];
	const char *args[6];
	ssize_t n = readlink("/proc/self/exe", bin, sizeof(bin) - 16);
	char *slash;
	int rc;

	if (n <= 0 || strcmp(t->workload, "beacon") != 0) {
		snprintf(err, len, "gvisor: only the beacon workload for now");
		return -ENOENT;
	}
	bin[n] = 0;
	slash = strrchr(bin, '/');
	strcpy(slash + 1, "beacon");
	memset(g, 0, sizeof(*g));
	snprintf(g->dir, sizeof(g->dir), "/tmp/lvp%s-gvisor", t->tag);
	snprintf(g->root, sizeof(g->root), "%.127s/state", g->dir);
	snprintf(g->mntdir, sizeof(g->mntdir), "%.127s/mntns", g->dir);
	snprintf(g->mntns, sizeof(g->mntns), "%.159s/runsc", g->mntdir);
	snprintf(g->nsarg, sizeof(g->nsarg), "--mount=%.175s", g->mntns);
	snprintf(g->psys, sizeof(g->psys), "%.127s/psys", g->dir);
	snprintf(g->name, sizeof(g->name), "lvp%s", t->tag);
	snprintf(g->cgroup, sizeof(g->cgroup), "/lvp%s/lvp%s", t->tag, t->tag);
	snprintf(g->addr, sizeof(g->addr), "%s/%u", pkt_format_ip(t->target_ip, ip), t->prefix_len);
	rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
	if (rc)
		return rc;
	snprintf(port, sizeof(port), "%u", t->beacon_port);
	args[0] = "/beacon";
	args[1] = "--dst";
	args[2] = pkt_format_ip(t->appliance_ip, dst);
	args[3] = "--port";
	args[4] = port;
	args[5] = NULL;
	snprintf(cg, sizeof(cg), "lvp%s", t->tag);
	ledger_add(LEDGER_CGROUP, cg);
	g->prepared = 1;
	rc = oci_bundle_create(g->dir, bin, args, t->link.ns, g->cgroup, err, len);
	if (rc == 0)
		rc = runsc_mount_ns(g, err, len);
	t->argv[0] = NULL;
	if (rc == 0 && (target_arg(t, "nsenter") || target_arg(t, g->nsarg) || target_arg(t, "runsc") ||
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
	const char *kill[] = { "runsc", "--root", rs_st.root, "kill", rs_st.name, "KILL", NULL };
	const char *del[] = { "runsc", "--root", rs_st.root, "delete", "-force", rs_st.name, NULL };

	(void)start_pid;
	runsc_in_ns(&rs_st, kill);
	runsc_in_ns(&rs_st, del);
	if (t->link.created)
		runsc_readdr(t); /* runsc took the address with the interface */
}

static void runsc_destroy(struct target *t)
{
	struct runsc_state *g = &rs_st;
	char cg[24], *rm[] = { "rm", "-rf", "--", g->dir, NULL };
	char *u1[] = { "umount", "-l", g->mntns, NULL }, *u2[] = { "umount", "-l", g->mntdir, NULL };

	if (g->prepared) {
		runsc_stop(t, 0);
		runsc_run(u1);
		ledger_done(LEDGER_MOUNT, g->mntns);
		runsc_run(u2);
		ledger_done(LEDGER_MOUNT, g->mntdir);
		runsc_run(rm);
		ledger_done(LEDGER_DIRECTORY, g->dir);
		snprintf(cg, sizeof(cg), "lvp%s", t->tag);
		ledger_rmdir_cgroup(cg);
		ledger_done(LEDGER_CGROUP, cg);
		g->prepared = 0;
	}
	netns_link_destroy(&t->link);
}

static int64_t runsc_image_size(struct target *t)
{
	char path[160];

	(void)t;
	snprintf(path, sizeof(path), "%.127s/rootfs", rs_st.dir);
	return oci_du_tree(path);
}

/* The sandbox (Sentry, gofer) is what the workload costs under gVisor. */
static int64_t runsc_memory(struct target *t, pid_t start_pid)
{
	(void)t;
	return driver_rss(start_pid);
}

const struct driver driver_gvisor = {
	.name = "gvisor",
	.summary = "a gVisor sandbox (runsc, ptrace platform) in the target's lvp namespace",
	.available = runsc_available,
	.prepare = runsc_prepare,
	.stop = runsc_stop,
	.destroy = runsc_destroy,
	.image_size = runsc_image_size,
	.memory = runsc_memory,
};
