/* SPDX-License-Identifier: BSD-3-Clause
 * Docker: dockerd 20.10 started by lvperf as its child, with every state
 * directory under /tmp/lvp<tag>-docker, a private socket, and no iptables,
 * forwarding, masquerading or bridge of its own (nothing on the host
 * changes). The image is a `docker import` of the workload's cached rootfs
 * tarball, named lvp-<workload>:<hash>; the command is given to run. The
 * data root, where imported images live, is kept in CACHE/lvp-docker/data
 * so an image is imported once per hash; one dockerd at a time may use it
 * (a lock file), another lvperf meanwhile gets a data root of its own. The
 * network is direct: a holder container (--network none) receives the veth
 * peer, and each measured container joins it (--network container:). The
 * start command is `docker run -d`, as the study started containers; the
 * container is removed after each run. Cgroups under /lvp<tag> (measured
 * container) and /lvp<tag>x (the holder). docs/platforms.md 3.6.
 *
 * --net platform is Docker's own network as the study ran it: dockerd runs
 * in the target's lvp network namespace (nsenter --net; `ip netns exec`
 * would remount /sys and hide the cgroups), which plays the
 * Docker host, with its iptables (DNAT of published ports, masquerading),
 * docker-proxy and bridge lvp<tag>b (X.Y.Z.129/25 of the target's /24) all
 * in there; the host's firewall and routes are never touched. The
 * container runs on that bridge with -p PORT:PORT; the dataplane reaches
 * the service at the namespace's address (target_ip), and pings the
 * container itself (X.Y.Z.130) through the namespace, which forwards and
 * answers ARP for it (proxy_arp). Forwarding is switched on by lvperf in
 * the namespace (dockerd's --ip-forward would also set a FORWARD DROP
 * policy that drops those echoes).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "driver.h"
#include "footprint.h"
#include "image.h"
#include "ledger.h"
#include "oci.h"
#include "proc.h"

#define DOCKER_TIMEOUT (60ull * 1000000000u)
#define DOCKER_BIN "/usr/bin/docker" /* Debian's 20.10 client, not another on PATH */
#define DOCKERD_BIN "/usr/sbin/dockerd"

struct docker_state {
	char dir[128];	 /* /tmp/lvp<tag>-docker.<random> */
	char host[176];	 /* unix://DIR/docker.sock */
	char image[96];	 /* lvp-<workload>:<hash> */
	char name[16];	 /* lvp<tag> */
	char holder[24]; /* lvp<tag>-holder */
	char cg[24], cgh[24]; /* lvp<tag>, lvp<tag>x */
	char cgd[24];	 /* lvp<tag>d: dockerd, containerd and the shims */
	char bridge[16];  /* lvp<tag>b with --net platform, else empty */
	pid_t dockerd;
	char data[240];	 /* the data root: kept in the cache, or in dir */
	int lock_fd;	 /* holds CACHE/lvp-docker/lock while data is the kept one */
	unsigned spill;	 /* what dockerd made outside lvp names (docker_spill) */
	struct image img;
	int prepared;
};

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct docker_state *docker_of(struct target *t)
{
	return driver_priv(t, sizeof(struct docker_state));
}

/* What dockerd and its containerd make outside our directories, whatever
 * their flags: the trust key, the plugin and shim socket directories. */
static const char *const docker_spill[] = { "/etc/docker/key.json", "/etc/docker",
					    "/run/docker/plugins", "/run/docker", "/run/containerd/s",
					    "/run/containerd", NULL };

/* Run `docker -H SOCK words...` to completion; out (may be NULL) gets stdout. */
static int docker_do(const struct docker_state *d, char *out, size_t outlen, const char *const *words)
{
	char *argv[24];
	size_t i, n = 0;

	argv[n++] = DOCKER_BIN;
	argv[n++] = "-H";
	argv[n++] = (char *)d->host;
	for (i = 0; words[i] && n < 23; i++)
		argv[n++] = (char *)words[i];
	argv[n] = NULL;
	if (out)
		return proc_output(argv, out, outlen, DOCKER_TIMEOUT);
	return proc_run(argv, 1, DOCKER_TIMEOUT);
}

static int docker_available(char *why, size_t len)
{
	if (access(DOCKERD_BIN, X_OK) != 0 || access(DOCKER_BIN, X_OK) != 0) {
		snprintf(why, len, DOCKERD_BIN " or " DOCKER_BIN " missing (Debian package docker.io)");
		return 0;
	}
	if (access("/usr/bin/containerd", X_OK) != 0) {
		snprintf(why, len, "containerd missing (Debian package containerd)");
		return 0;
	}
	return 1;
}

static int docker_start_daemon(struct docker_state *d, const struct target *t, char *err, size_t len)
{
	char exec_root[160], pidfile[160], sock[176], cgp[32], bridge[32], netns[48];
	/* Direct: no networking of dockerd's own at all. --net platform:
	 * Docker's defaults (iptables, masquerading, docker-proxy) on our
	 * bridge, dockerd started inside the target's namespace by nsenter;
	 * forwarding is ours. */
	int plat = d->bridge[0] != 0;
	char *words[] = { "nsenter", netns, DOCKERD_BIN, "--data-root", d->data, "--exec-root", exec_root,
			  "-H", sock, "--pidfile", pidfile, plat ? "--iptables=true" : "--iptables=false",
			  "--ip6tables=false", "--ip-forward=false", plat ? "--ip-masq=true" : "--ip-masq=false",
			  bridge, plat ? "--userland-proxy=true" : "--userland-proxy=false", "--cgroup-parent",
			  cgp, NULL };
	char **argv = plat ? words : words + 2;
	const char *version[] = { "version", NULL };
	int i;

	snprintf(bridge, sizeof(bridge), "--bridge=%.15s", plat ? d->bridge : "none");
	snprintf(netns, sizeof(netns), "--net=/run/netns/%.15s", t->link.ns);
	snprintf(exec_root, sizeof(exec_root), "%.127s/exec", d->dir);
	snprintf(pidfile, sizeof(pidfile), "%.127s/dockerd.pid", d->dir);
	snprintf(sock, sizeof(sock), "%.175s", d->host);
	snprintf(cgp, sizeof(cgp), "/%.23s", d->cg);
	d->spill = driver_spill_note(docker_spill);
	/* Known before they exist: the engine's cgroup (containerd and the
	 * shims it forks stay in it when lvperf is killed and they are
	 * re-parented) and the mounts it makes under its data root. */
	ledger_add(LEDGER_CGROUP, d->cgd);
	ledger_add(LEDGER_UMOUNTS, d->data);
	if (proc_start(argv, 1, &d->dockerd) != 0) {
		snprintf(err, len, "docker: cannot start " DOCKERD_BIN);
		return -EIO;
	}
	ledger_add_pid(d->dockerd);
	/* before it starts containerd (~0.1 s in): its children follow it */
	if (ledger_cgroup_join(d->cgd, d->dockerd) != 0) {
		snprintf(err, len, "docker: cannot move dockerd into cgroup %s", d->cgd);
		return -EIO;
	}
	for (i = 0; i < 200; i++) { /* ready in about 0.5 s here */
		int status;

		if (proc_wait(d->dockerd, 0, &status) == 0) {
			ledger_done_pid(d->dockerd);
			d->dockerd = 0;
			snprintf(err, len, "docker: dockerd exited at start (see %s)", d->data);
			return -EIO;
		}
		if (docker_do(d, NULL, 0, version) == 0)
			return 0;
		usleep(50000);
	}
	snprintf(err, len, "docker: dockerd did not answer on %s within 10 s", d->host);
	return -ETIMEDOUT;
}

/* The holder owns the network namespace the measured containers join. */
static int docker_holder(struct docker_state *d, struct target *t, char *err, size_t len)
{
	char pid[32], ip[24], addr[16], cgp[32];
	const char *run[] = { "run", "-d", "--name", d->holder, "--network", "none", "--cgroup-parent",
			      cgp, d->image, "/beacon", "--dst", "127.0.0.1", "--interval", "3600s", NULL };
	const char *insp[] = { "inspect", "-f", "{{.State.Pid}}", d->holder, NULL };

	snprintf(cgp, sizeof(cgp), "/%.23s", d->cgh);
	if (docker_do(d, NULL, 0, run) != 0 || docker_do(d, pid, sizeof(pid), insp) != 0 || atoi(pid) <= 1) {
		snprintf(err, len, "docker: cannot start the holder container %s", d->holder);
		return -EIO;
	}
	snprintf(ip, sizeof(ip), "%s/%u", pkt_format_ip(t->target_ip, addr), t->prefix_len);
	{
		char *mv[] = { "ip", "link", "set", t->link.peer_if, "netns", pid, NULL };
		char *a[] = { "nsenter", "-t", pid, "-n", "ip", "addr", "add", ip, "dev", t->link.peer_if, NULL };
		char *up[] = { "nsenter", "-t", pid, "-n", "ip", "link", "set", t->link.peer_if, "up", NULL };
		char *lo[] = { "nsenter", "-t", pid, "-n", "ip", "link", "set", "lo", "up", NULL };

		if (proc_run(mv, 1, DOCKER_TIMEOUT) || proc_run(a, 1, DOCKER_TIMEOUT) ||
		    proc_run(up, 1, DOCKER_TIMEOUT) || proc_run(lo, 1, DOCKER_TIMEOUT)) {
			snprintf(err, len, "docker: cannot move %s into the holder's namespace", t->link.peer_if);
			return -EIO;
		}
	}
	snprintf(t->netns_path, sizeof(t->netns_path), "/proc/%d/ns/net", atoi(pid));
	return 0;
}

/* --net platform: the bridge dockerd attaches containers to, in the
 * target's namespace, which forwards between it and the veth and answers
 * ARP for the containers behind it. */
static int docker_platform_net(struct docker_state *d, struct target *t, char *err, size_t len)
{
	char addr[24], ip[16], proxy[64];
	uint32_t br = (t->target_ip & 0xffffff00u) | 0x81u;
	char *add[] = { "ip", "-n", t->link.ns, "link", "add", d->bridge, "type", "bridge", NULL };
	char *a[] = { "ip", "-n", t->link.ns, "addr", "add", addr, "dev", d->bridge, NULL };
	char *up[] = { "ip", "-n", t->link.ns, "link", "set", d->bridge, "up", NULL };
	char *fwd[] = { "ip", "netns", "exec", t->link.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1", proxy,
			NULL };

	if (t->prefix_len != 24) {
		snprintf(err, len, "docker --net platform: the target's network must be a /24, not /%u",
			 t->prefix_len);
		return -EINVAL;
	}
	snprintf(addr, sizeof(addr), "%s/25", pkt_format_ip(br, ip));
	snprintf(proxy, sizeof(proxy), "net.ipv4.conf.%.15s.proxy_arp=1", t->link.peer_if);
	if (proc_run(add, 1, DOCKER_TIMEOUT) || proc_run(a, 1, DOCKER_TIMEOUT) ||
	    proc_run(up, 1, DOCKER_TIMEOUT) || proc_run(fwd, 1, DOCKER_TIMEOUT)) {
		snprintf(err, len, "docker: cannot make bridge %s in %s", d->bridge, t->link.ns);
		return -EIO;
	}
	t->icmp_ip = br + 1; /* the first address docker gives out */
	snprintf(t->variant, sizeof(t->variant), "net platform: bridge, iptables NAT, -p");
	return 0;
}

/* The kept data root if no other dockerd of ours uses it, else one in
 * the run's own directory. */
static void docker_data_root(struct docker_state *d)
{
	char cache[200], dir[224], lock[240];

	image_cache_root(cache, sizeof(cache));
	snprintf(dir, sizeof(dir), "%.199s/lvp-docker", cache);
	snprintf(lock, sizeof(lock), "%.223s/lock", dir);
	if ((mkdir(dir, 0700) == 0 || errno == EEXIST) &&
	    (d->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		if (flock(d->lock_fd, LOCK_EX | LOCK_NB) == 0) {
			snprintf(d->data, sizeof(d->data), "%.223s/data", dir);
			return;
		}
		close(d->lock_fd);
		d->lock_fd = -1;
	}
	snprintf(d->data, sizeof(d->data), "%.127s/data", d->dir);
}

static int docker_prepare(struct target *t, char *err, size_t len)
{
	struct docker_state *d = docker_of(t);
	char tar[PATH_MAX], netarg[48], cgp[32], e[400], pub[16] = "";
	struct image_cmd cmd;
	int rc, i;

	if (!d) {
		snprintf(err, len, "docker: out of memory");
		return -ENOMEM;
	}
	memset(d, 0, sizeof(*d));
	d->lock_fd = -1;
	rc = driver_image(t, "docker", &d->img, &cmd, err, len);
	if (rc == 0 && (rc = image_tar(&d->img, tar, sizeof(tar), e, sizeof(e))) != 0)
		snprintf(err, len, "docker: %s", e);
	if (rc)
		return rc;
	ledger_run_dir(d->dir, sizeof(d->dir), t->tag, "docker");
	snprintf(d->host, sizeof(d->host), "unix://%.127s/docker.sock", d->dir);
	image_ref(&d->img, d->image, sizeof(d->image));
	snprintf(d->name, sizeof(d->name), "lvp%s", t->tag);
	snprintf(d->holder, sizeof(d->holder), "lvp%s-holder", t->tag);
	snprintf(d->cg, sizeof(d->cg), "lvp%s", t->tag);
	snprintf(d->cgh, sizeof(d->cgh), "lvp%sx", t->tag);
	snprintf(d->cgd, sizeof(d->cgd), "lvp%sd", t->tag);
	if (target_platform_net(t)) {
		snprintf(d->bridge, sizeof(d->bridge), "lvp%sb", t->tag);
		rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
		if (rc == 0 && (rc = docker_platform_net(d, t, err, len)) != 0)
			netns_link_destroy(&t->link);
	} else {
		rc = netns_veth_create(&t->link, t->tag, 1, err, len);
	}
	if (rc)
		return rc;
	ledger_add(LEDGER_CGROUP, d->cg);
	ledger_add(LEDGER_CGROUP, d->cgh);
	d->prepared = 1;
	rc = oci_dir_create(d->dir, err, len);
	if (rc == 0)
		docker_data_root(d);
	if (rc == 0)
		rc = docker_start_daemon(d, t, err, len);
	if (rc == 0 && d->lock_fd >= 0) { /* the kept store: what a killed run left */
		const char *prune[] = { "container", "prune", "-f", NULL };

		docker_do(d, NULL, 0, prune);
	}
	if (rc)
		goto fail;
	{
		const char *insp[] = { "image", "inspect", d->image, NULL };
		const char *imp[] = { "import", tar, d->image, NULL };

		if (docker_do(d, NULL, 0, insp) != 0 && docker_do(d, NULL, 0, imp) != 0) {
			snprintf(err, len, "docker: 'docker import' of %s failed", tar);
			rc = -EIO;
			goto fail;
		}
	}
	if (d->bridge[0]) {
		snprintf(netarg, sizeof(netarg), "bridge");
		if (t->service_port)
			snprintf(pub, sizeof(pub), "%u:%u", t->service_port, t->service_port);
	} else {
		rc = docker_holder(d, t, err, len);
		if (rc)
			goto fail;
		snprintf(netarg, sizeof(netarg), "container:%.23s", d->holder);
	}
	snprintf(cgp, sizeof(cgp), "/%.23s", d->cg);
	t->argv[0] = NULL;
	if (target_arg(t, DOCKER_BIN) || target_arg(t, "-H") || target_arg(t, d->host) ||
	    target_arg(t, "run") || target_arg(t, "-d") || target_arg(t, "--name") || target_arg(t, d->name) ||
	    target_arg(t, "--network") || target_arg(t, netarg) || target_arg(t, "--cgroup-parent") ||
	    target_arg(t, cgp) || target_arg(t, "--ulimit") || target_arg(t, "nofile=20000:20000") ||
	    (pub[0] && (target_arg(t, "-p") || target_arg(t, pub))) || target_arg(t, d->image))
		rc = -E2BIG;
	for (i = 0; rc == 0 && cmd.argv[i]; i++)
		rc = target_arg(t, cmd.argv[i]);
	if (rc) {
		snprintf(err, len, "docker: start command too long");
		rc = -E2BIG;
		goto fail;
	}
	return 0;
fail:
	t->drv->destroy(t);
	return rc;
}

static void docker_stop(struct target *t, pid_t start_pid)
{
	struct docker_state *d = docker_of(t);
	const char *rm[] = { "rm", "-f", d->name, NULL };

	(void)start_pid;
	if (d->dockerd)
		docker_do(d, NULL, 0, rm);
}

static void docker_destroy(struct target *t)
{
	struct docker_state *d = docker_of(t);

	if (d->prepared) {
		if (d->dockerd) {
			const char *rmh[] = { "rm", "-f", d->holder, NULL };
			int status;

			docker_stop(t, 0);
			docker_do(d, NULL, 0, rmh);
			proc_stop(d->dockerd, 20000000000ull, &status); /* it stops its containerd */
			ledger_done_pid(d->dockerd);
			d->dockerd = 0;
		}
		if (d->data[0]) { /* the engine was started */
			/* A dockerd that died (killed, crashed) left containerd,
			 * its shims and their containers running in our cgroups:
			 * the measured container's (lvp<tag>), the holder's, the
			 * engine's. */
			ledger_kill_cgroup(d->cg);
			ledger_kill_cgroup(d->cgh);
			ledger_kill_cgroup(d->cgd);
			ledger_umount_under(d->data); /* what it did not unmount */
			ledger_done(LEDGER_UMOUNTS, d->data);
			ledger_rmdir_cgroup(d->cgd);
			ledger_done(LEDGER_CGROUP, d->cgd);
		}
		driver_spill_remove(docker_spill, d->spill);
		d->spill = 0;
		driver_remove_dir(d->dir);
		if (d->lock_fd >= 0) {
			close(d->lock_fd); /* the kept data root is free again */
			d->lock_fd = -1;
		}
		ledger_rmdir_cgroup(d->cgh);
		ledger_done(LEDGER_CGROUP, d->cgh);
		driver_remove_cgroup(t);
		d->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

/* The image's layer: the rootfs it was imported from. */
static int64_t docker_image_size(struct target *t)
{
	return oci_du_tree(docker_of(t)->img.rootfs);
}

/* The containers' own cgroups under ours, not the engine's helpers. */
static int64_t docker_memory(struct target *t, pid_t start_pid)
{
	(void)start_pid;
	return oci_cgroup_rss_children(docker_of(t)->cg, NULL);
}

/* dockerd and its children (containerd); shims re-parented to lvperf are
 * not among them. */
static int64_t docker_daemon_memory(struct target *t)
{
	struct footprint_procs p;

	if (!docker_of(t)->dockerd)
		return -ESRCH;
	footprint_tree(docker_of(t)->dockerd, 1, NULL, &p);
	return footprint_measure(&p) ? -ESRCH : p.rss;
}

static int docker_daemon_alive(struct target *t, char *why, size_t len)
{
	pid_t pid = docker_of(t)->dockerd;

	if (!pid || proc_alive(pid))
		return 1;
	snprintf(why, len, "dockerd (pid %d), which lvperf started for this target, is gone", (int)pid);
	return 0;
}

const struct driver driver_docker = {
	.name = "docker",
	.shares_host_tsc = 1,
	.summary = "a Docker container (dockerd 20.10 started by lvperf, no host network changes)",
	.available = docker_available,
	.prepare = docker_prepare,
	.stop = docker_stop,
	.destroy = docker_destroy,
	.image_size = docker_image_size,
	.memory = docker_memory,
	.daemon_memory = docker_daemon_memory,
	.daemon_alive = docker_daemon_alive,
	.daemon_counts = "RSS of dockerd and its children (containerd, docker-proxy), from smaps_rollup",
	.platform_net = "dockerd in the target's namespace: bridge, iptables NAT, port published with -p",
	.caps = DRIVER_CAP_IMAGE_BUILDER | DRIVER_CAP_IMAGE_IMPORT,
};
DRIVER_REGISTER(driver_docker)
