/* SPDX-License-Identifier: BSD-3-Clause
 * libvirt: the qemu driver's Linux guest (same kernel, initramfs and
 * vhost-user wiring) as a transient libvirt domain, started with
 * `virsh create` as the study did. The start mark is virsh's spawn; the
 * domain's QEMU is libvirtd's child.
 *
 * lvperf runs its own libvirtd (qemu:///system over a socket in an lvp
 * directory), in a private mount namespace that gives it its own
 * /etc/libvirt (root-run QEMU, no DAC relabelling, no virtlogd), /run,
 * /var/lib, /var/log and /var/cache (with /var/cache/lvperf, the kernel
 * cache, bound back), and a passwd/group naming libvirt-qemu: libvirt 9.0
 * resolves its build-time QEMU user before reading qemu.conf, and that
 * user only exists with libvirt-daemon-system, which lvperf does not need.
 * Nothing of libvirt's state touches the host. No systemd, no D-Bus.
 * libvirtd runs under tini -s (see libvirt_daemon).
 * Options as for qemu (machine=pc|q35, accel, mem); libvirt 9.0 has no
 * microvm machine type and the floor guest needs one.
 *
 * libvirt-lxc: the same private libvirtd, its LXC driver (lxc:///system):
 * the workload's image rootfs (read-only, tmpfs /tmp and /run) as a
 * transient LXC domain whose init is the beacon. libvirt 9.0 refuses
 * hybrid cgroups as crun does ("Failed to create v2 cgroup"), so the
 * daemon's mount namespace also hides /sys/fs/cgroup/unified under a
 * tmpfs; its cgroups go under the partition /lvp<tag> (made by lvperf in
 * every v1 controller: libvirt only makes the domain's own). The
 * network is a macvlan on the veth peer (see docs/platforms.md).
 *
 * uri=URI (both drivers) uses a libvirtd that already runs instead of
 * starting one: qemu:///system, lxc:///system, or any URI virsh takes.
 * That daemon must see the appliance's paths (kernel, initramfs, rootfs,
 * vhost-user socket, all under /tmp/lvp<tag>-*) and run QEMU as root
 * without relabelling, as lvperf's own libvirtd does; a remote host
 * therefore needs them shared. Its domains' memory is read from its
 * /run/libvirt/qemu/NAME.pid when that is local.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "image.h"
#include "ledger.h"
#include "mntns.h"
#include "oci.h"
#include "proc.h"
#include "qemu.h"

#include "driver.h"

#define LIBVIRT_UP_NS (20ull * 1000000000u)

struct libvirt_priv {
	struct qemu_state qemu; /* libvirt (not -lxc): the qemu driver's guest */
	char dir[64], uri[200], xml[96], opts[256], name[16];
	struct mntns ns;
	pid_t libvirtd;	      /* tini, our child */
	pid_t daemon;	      /* libvirtd itself, from its pid file */
	pid_t vm;	      /* the domain's QEMU, once seen */
	int lxc;	      /* libvirt-lxc: the LXC driver, not QEMU */
	int external;	      /* uri=: a libvirtd lvperf did not start */
	char cg[40];	      /* libvirt-lxc: lvp<tag>.partition, in every v1 controller */
	struct image img;     /* libvirt-lxc: the workload's image */
};

/* The v1 controllers the LXC driver puts a domain in. */
static const char *const libvirt_lxc_ctrl[] = { "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer",
						 "memory", "pids", "systemd", NULL };

static int libvirt_in_path(const char *bin)
{
	char p[64];

	snprintf(p, sizeof(p), "/usr/sbin/%s", bin);
	if (access(p, X_OK) == 0)
		return 1;
	snprintf(p, sizeof(p), "/usr/bin/%s", bin);
	return access(p, X_OK) == 0;
}

/* What both drivers run beside libvirtd: virsh, tini, nsenter and unshare. */
static int libvirt_tools(char *why, size_t len)
{
	if (!libvirt_in_path("virsh")) {
		snprintf(why, len, "virsh not found (Debian package libvirt-clients)");
		return 0;
	}
	if (!libvirt_in_path("tini")) {
		snprintf(why, len, "tini not found (Debian package tini)");
		return 0;
	}
	if (!libvirt_in_path("nsenter") || !libvirt_in_path("unshare")) {
		snprintf(why, len, "nsenter/unshare not found (Debian package util-linux)");
		return 0;
	}
	return 1;
}

static int libvirt_available(char *why, size_t len)
{
	if (!libvirt_in_path("libvirtd")) {
		snprintf(why, len, "libvirtd not found (Debian packages libvirt-daemon libvirt-daemon-driver-qemu)");
		return 0;
	}
	if (access("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so", R_OK) != 0) {
		snprintf(why, len, "libvirt's QEMU driver not found (Debian package libvirt-daemon-driver-qemu)");
		return 0;
	}
	return libvirt_tools(why, len) && driver_qemu.available(why, len);
}

static int libvirt_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		rc = -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -EIO;
	return rc;
}

/* src + extra lines into dst (passwd/group with libvirt-qemu added). */
static int libvirt_extend(const char *src, const char *dst, const char *extra)
{
	char buf[65536];
	FILE *f = fopen(src, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 256, f);
	fclose(f);
	buf[n] = 0;
	if (n && buf[n - 1] != '\n')
		strcat(buf, "\n");
	strcat(buf, extra);
	return libvirt_write(dst, buf);
}

static int libvirt_domain_xml(const struct target *t, const struct libvirt_priv *p, const struct qemu_guest *g,
			      char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
			 "  <name>%s</name>\n"
			 "  <memory unit='MiB'>%u</memory>\n"
			 "  <vcpu>1</vcpu>\n"
			 "  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>\n"
			 "  <os>\n"
			 "    <type arch='x86_64' machine='%s'>hvm</type>\n"
			 "    <kernel>%s</kernel>\n"
			 "    <initrd>%s</initrd>\n"
			 "    <cmdline>%s</cmdline>\n"
			 "  </os>\n"
			 "  %s\n"
			 "  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>\n"
			 "  <devices>\n"
			 "    <emulator>/usr/bin/" QEMU_BIN "</emulator>\n"
			 "%s%s%s"
			 "    <serial type='file'><source path='%s'/><target port='0'/></serial>\n"
			 "    <interface type='vhostuser'>\n"
			 "      <mac address='" QEMU_GUEST_MAC "'/>\n"
			 "      <source type='unix' path='%s' mode='client'/>\n"
			 "      <model type='virtio'/>\n"
			 "      <alias name='ua-lvpnet'/>\n"
			 "    </interface>\n"
			 "    <memballoon model='none'/>\n"
			 "  </devices>\n"
			 "  <qemu:override>\n" /* vectors=0: QEMU 7.2 segfaults with vhost-user and MSI-X */
			 "    <qemu:device alias='ua-lvpnet'><qemu:frontend>\n"
			 "      <qemu:property name='vectors' type='unsigned' value='0'/>\n"
			 "    </qemu:frontend></qemu:device>\n"
			 "  </qemu:override>\n"
			 "</domain>\n",
			 g->kvm ? "kvm" : "qemu", p->name, g->mem_mib, g->machine, g->kernel, g->initrd, g->cmdline,
			 g->kvm ? "<cpu mode='host-passthrough'><feature policy='disable' name='arch-capabilities'/></cpu>"
				: "<cpu mode='maximum'/>",
			 /* disk=debian: never written, like QEMU's snapshot=on */
			 g->disk[0] ? "    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" : "",
			 g->disk, g->disk[0] ? "'/><target dev='vda' bus='virtio'/><transient/></disk>\n" : "",
			 g->console, g->sock);

	(void)t;
	return n >= (int)len ? -E2BIG : 0;
}

/* Write the daemon's private files and start it in its namespace. */
static int libvirt_daemon(struct target *t, struct libvirt_priv *p, char *err, size_t len)
{
	char path[512], conf[160], sock[96], pid[128];
	const char *mounts[][8] = {
		{ "mount", "--bind", NULL, "/etc/libvirt", NULL },
		{ "mount", "--bind", NULL, "/etc/passwd", NULL },
		{ "mount", "--bind", NULL, "/etc/group", NULL },
		{ "mount", "--bind", "/var/cache", NULL, NULL },
		{ "mount", "-t", "tmpfs", "lvp-libvirt-cache", "/var/cache", NULL },
		{ "mkdir", "-p", "/var/cache/lvperf", NULL },
		{ "mount", "--bind", NULL, "/var/cache/lvperf", NULL },
		{ "mount", "-t", "tmpfs", "lvp-libvirt-run", "/run", NULL },
		{ "mount", "-t", "tmpfs", "lvp-libvirt-lib", "/var/lib", NULL },
		{ "mount", "-t", "tmpfs", "lvp-libvirt-log", "/var/log", NULL },
		{ "mount", "-t", "tmpfs", "lvp-cgunified", "/sys/fs/cgroup/unified", NULL }, /* lxc only */
	};
	size_t n_mounts = sizeof(mounts) / sizeof(mounts[0]) - (p->lxc ? 0 : 1);
	char etc[96], pw[96], gr[96], hc[96], hcl[112];
	/* tini -s: a subreaper between lvperf (itself a subreaper) and
	 * libvirtd, so that QEMUs libvirtd daemonizes are reaped as libvirt
	 * expects, not left as zombies that libvirt waits on forever */
	char *argv[] = { "nsenter", p->ns.nsarg, "tini", "-s", "--", "libvirtd", "-f", conf, "-p", pid, NULL };
	uint64_t waited = 0;
	int rc;

	snprintf(etc, sizeof(etc), "%s/etc", p->dir);
	snprintf(pw, sizeof(pw), "%s/passwd", p->dir);
	snprintf(gr, sizeof(gr), "%s/group", p->dir);
	snprintf(hc, sizeof(hc), "%s/hostcache", p->dir);
	snprintf(hcl, sizeof(hcl), "%s/lvperf", hc);
	snprintf(sock, sizeof(sock), "%s/run", p->dir);
	snprintf(pid, sizeof(pid), "%s/libvirtd.pid", p->dir);
	snprintf(conf, sizeof(conf), "%s/libvirtd.conf", etc);
	if (mkdir(etc, 0700) || mkdir(hc, 0700) || mkdir(sock, 0700)) {
		snprintf(err, len, "libvirt: cannot create directories in %s: %s", p->dir, strerror(errno));
		return -errno;
	}
	snprintf(path, sizeof(path),
		 "unix_sock_dir = \"%s\"\nauth_unix_rw = \"none\"\nauth_unix_ro = \"none\"\n"
		 "log_outputs = \"3:file:%s/libvirtd.log\"\n",
		 sock, p->dir);
	rc = libvirt_write(conf, path);
	snprintf(path, sizeof(path), "%s/qemu.conf", etc);
	if (!rc)
		rc = libvirt_write(path, "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\n"
					 "remember_owner = 0\nsecurity_driver = \"none\"\nstdio_handler = \"file\"\n");
	if (!rc)
		rc = libvirt_extend("/etc/passwd", pw,
				    "libvirt-qemu:x:64055:64055:lvperf private libvirtd:/nonexistent:/usr/sbin/nologin\n");
	if (!rc)
		rc = libvirt_extend("/etc/group", gr, "libvirt-qemu:x:64055:\n");
	if (rc) {
		snprintf(err, len, "libvirt: cannot write the daemon's files in %s: %s", p->dir, strerror(-rc));
		return rc;
	}
	mounts[0][2] = etc;
	mounts[1][2] = pw;
	mounts[2][2] = gr;
	mounts[3][3] = hc;
	mounts[6][2] = hcl;
	rc = mntns_create(&p->ns, p->dir, "libvirtd", err, len);
	if (rc)
		return rc;
	for (size_t i = 0; i < n_mounts; i++)
		if (mntns_run(&p->ns, mounts[i]) != 0) {
			snprintf(err, len, "libvirt: '%s %s ... %s' failed in its mount namespace", mounts[i][0],
				 mounts[i][1], mounts[i][4] ? mounts[i][4] : mounts[i][3] ? mounts[i][3] : "");
			return -EIO;
		}
	rc = proc_start(argv, 1, &p->libvirtd);
	if (rc) {
		snprintf(err, len, "libvirt: cannot start libvirtd: %s", strerror(-rc));
		return rc;
	}
	ledger_add_pid(p->libvirtd);
	snprintf(p->uri, sizeof(p->uri), "%s:///system?socket=%s/libvirt-sock", p->lxc ? "lxc" : "qemu", sock);
	snprintf(path, sizeof(path), "%s/libvirt-sock", sock);
	while (access(path, F_OK) != 0) {
		int st;

		if (waitpid(p->libvirtd, &st, WNOHANG) == p->libvirtd) {
			ledger_done_pid(p->libvirtd);
			p->libvirtd = 0;
			snprintf(err, len, "libvirt: libvirtd exited at start (see %s/libvirtd.log)", p->dir);
			return -EIO;
		}
		if (waited >= LIBVIRT_UP_NS) {
			snprintf(err, len, "libvirt: libvirtd made no socket within 20 s (see %s/libvirtd.log)", p->dir);
			return -ETIMEDOUT;
		}
		usleep(20000);
		waited += 20000000u;
	}
	/* libvirtd would outlive a SIGKILLed tini: the ledger holds it too */
	{
		FILE *f = fopen(pid, "r");
		int d = 0;

		if (f && fscanf(f, "%d", &d) == 1 && d > 0) {
			p->daemon = (pid_t)d;
			ledger_add_pid(p->daemon);
		}
		if (f)
			fclose(f);
	}
	(void)t;
	return 0;
}

static void libvirt_destroy(struct target *t);

/* uri=URI: use that libvirtd (p->external); else start our own. */
static int libvirt_connect(struct target *t, struct libvirt_priv *p, char *err, size_t len)
{
	int rc = target_opt(t, "uri", p->uri, sizeof(p->uri));

	if (rc < 0 || (rc == 1 && !p->uri[0])) {
		snprintf(err, len, "libvirt: uri= needs a URI (e.g. uri=qemu:///system)");
		return -EINVAL;
	}
	if (rc == 1) {
		char *argv[] = { "virsh", "-q", "-c", p->uri, "version", NULL };

		p->external = 1;
		if (proc_run(argv, 1, 30ull * 1000000000u) != 0) {
			snprintf(err, len, "libvirt: no libvirtd answers at %s", p->uri);
			return -ECONNREFUSED;
		}
		return 0;
	}
	return libvirt_daemon(t, p, err, len);
}

/* The domain's name and the run's directory /tmp/lvp<tag>-libvirt (domain
 * XML, and the daemon's files when it is ours), then the daemon. */
static int libvirt_dir_connect(struct target *t, struct libvirt_priv *p, char *err, size_t len)
{
	snprintf(p->name, sizeof(p->name), "lvp%s", t->tag);
	ledger_run_dir(p->dir, sizeof(p->dir), t->tag, "libvirt");
	snprintf(p->xml, sizeof(p->xml), "%s/domain.xml", p->dir);
	ledger_add(LEDGER_DIRECTORY, p->dir);
	if (mkdir(p->dir, 0700) != 0) {
		int e = errno;

		snprintf(err, len, "%s: cannot create %s: %s", t->drv->name, p->dir, strerror(e));
		p->dir[0] = 0;
		return -e;
	}
	return libvirt_connect(t, p, err, len);
}

/* After the domain XML was made (rc): write it, and the start command
 * `virsh -q -c URI create XML` (its spawn is the start mark). */
static int libvirt_start_command(struct target *t, struct libvirt_priv *p, int rc, const char *xml, char *err,
				 size_t len)
{
	if (rc == 0)
		rc = libvirt_write(p->xml, xml);
	t->argv[0] = NULL;
	if (rc == 0)
		rc = target_arg(t, "virsh") || target_arg(t, "-q") || target_arg(t, "-c") || target_arg(t, p->uri) ||
		     target_arg(t, "create") || target_arg(t, p->xml)
			     ? -E2BIG
			     : 0;
	if (rc)
		snprintf(err, len, "%s: cannot write the domain (%s)", t->drv->name, strerror(-rc));
	return rc;
}

/* The user's options without uri= (qemu's own parser knows no uri). */
static void libvirt_opts_without_uri(const char *opts, char *out, size_t len)
{
	size_t o = 0;

	out[0] = 0;
	while (opts && *opts) {
		const char *end = strchr(opts, ',');
		size_t n = end ? (size_t)(end - opts) : strlen(opts);

		if (strncmp(opts, "uri=", 4) != 0 && o + n + 2 < len) {
			o += (size_t)snprintf(out + o, len - o, "%s%.*s", o ? "," : "", (int)n, opts);
		}
		opts = end ? end + 1 : NULL;
	}
}

static int libvirt_prepare(struct target *t, char *err, size_t len)
{
	struct libvirt_priv *p = calloc(1, sizeof(*p));
	struct qemu_guest g;
	char xml[4096], m[16];
	const char *user_opts = t->opts;
	int rc;

	if (!p) {
		snprintf(err, len, "libvirt: out of memory");
		return -ENOMEM;
	}
	if (strcmp(t->workload, "floor") == 0) {
		free(p);
		snprintf(err, len, "libvirt: the floor guest needs QEMU's microvm, which libvirt 9.0 does not offer");
		return -ENOTSUP;
	}
	if (target_opt(t, "machine", m, sizeof(m)) == 1 && strcmp(m, "microvm") == 0) {
		free(p);
		snprintf(err, len, "libvirt: libvirt 9.0 has no microvm machine type: use --opts machine=pc or q35");
		return -ENOTSUP;
	}
	if (target_opt(t, "net", m, sizeof(m)) == 1 && strcmp(m, "vhost") != 0) {
		free(p);
		snprintf(err, len, "libvirt: only net=vhost (vhost-user) is wired for libvirt domains");
		return -ENOTSUP;
	}
	/* pc unless the user chose q35: qemu's own default is microvm */
	{
		char rest[256];

		libvirt_opts_without_uri(user_opts, rest, sizeof(rest));
		if (target_opt(t, "machine", m, sizeof(m)) == 1)
			snprintf(p->opts, sizeof(p->opts), "%s", rest);
		else
			snprintf(p->opts, sizeof(p->opts), "machine=pc%s%.200s", rest[0] ? "," : "", rest);
	}
	t->opts = p->opts;
	rc = qemu_state_prepare(&p->qemu, t, err, len);
	t->opts = user_opts;
	if (rc) {
		free(p);
		return rc;
	}
	t->priv = p;
	t->argv[0] = NULL;
	rc = libvirt_dir_connect(t, p, err, len);
	if (rc)
		goto fail;
	rc = qemu_guest(&p->qemu, t, &g);
	if (rc == 0)
		rc = libvirt_domain_xml(t, p, &g, xml, sizeof(xml));
	rc = libvirt_start_command(t, p, rc, xml, err, len);
	if (rc)
		goto fail;
	snprintf(t->variant, sizeof(t->variant), "libvirt %s %s vhost-user%s", g.machine, g.kvm ? "kvm" : "tcg",
		 g.disk[0] ? " debian-disk" : "");
	return 0;
fail:
	libvirt_destroy(t);
	return rc;
}

/* The domain's QEMU, from the pid file libvirtd keeps in its own /run. */
static pid_t libvirt_vm_pid(const struct libvirt_priv *p)
{
	char path[160];
	FILE *f;
	int pid = 0;

	if (p->external)
		snprintf(path, sizeof(path), "/run/libvirt/qemu/%s.pid", p->name);
	else if (p->libvirtd)
		snprintf(path, sizeof(path), "/proc/%d/root/run/libvirt/qemu/%s.pid", (int)p->libvirtd,
			 p->name); /* tini's root is libvirtd's */
	else
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

static void libvirt_stop(struct target *t, pid_t start_pid)
{
	struct libvirt_priv *p = t->priv;
	char *argv[] = { "virsh", "-q", "-c", p ? p->uri : NULL, "destroy", p ? p->name : NULL, NULL };

	(void)start_pid;
	if (!p || (!p->libvirtd && !p->external))
		return;
	proc_run(argv, 1, 30ull * 1000000000u);
	if (p->vm) {
		ledger_done_pid(p->vm);
		p->vm = 0;
	}
	if (p->lxc)
		return;
	qemu_state_stop(&p->qemu, t, start_pid); /* the serial line's guest uptime */
}

static void libvirt_destroy(struct target *t)
{
	struct libvirt_priv *p = t->priv;
	int st;

	if (!p)
		return;
	if (p->external) /* its daemon stays; our domain does not */
		libvirt_stop(t, 0);
	if (p->libvirtd) {
		libvirt_stop(t, 0);
		proc_stop(p->libvirtd, 5000000000ull, &st);
		ledger_done_pid(p->libvirtd);
		p->libvirtd = 0;
		if (p->daemon && kill(p->daemon, 0) == 0) /* tini forwards SIGTERM and waits */
			kill(p->daemon, SIGKILL);
		if (p->daemon)
			ledger_done_pid(p->daemon);
	}
	mntns_destroy(&p->ns);
	if (p->dir[0])
		driver_remove_dir(p->dir);
	if (p->lxc) {
		if (p->cg[0]) {
			ledger_rmdir_cgroup(p->cg);
			ledger_done(LEDGER_CGROUP, p->cg);
		}
		netns_link_destroy(&t->link);
	} else {
		qemu_state_destroy(&p->qemu);
	}
	t->priv = NULL;
	free(p);
}

static int64_t libvirt_image_size(struct target *t)
{
	struct libvirt_priv *p = t->priv;

	if (!p)
		return -EINVAL;
	return qemu_state_image_size(&p->qemu);
}

/* RSS of the domain's QEMU (virsh itself has exited by then). */
static int64_t libvirt_memory(struct target *t, pid_t start_pid)
{
	struct libvirt_priv *p = t->priv;

	(void)start_pid;
	if (!p)
		return -EINVAL;
	if (!p->vm) {
		p->vm = libvirt_vm_pid(p);
		if (!p->vm)
			return -ESRCH;
		ledger_add_pid(p->vm);
	}
	return driver_rss(p->vm);
}

static int libvirt_daemon_alive(struct target *t, char *why, size_t len)
{
	struct libvirt_priv *p = t->priv;

	if (!p || p->external || !p->daemon || proc_alive(p->daemon))
		return 1;
	snprintf(why, len, "libvirtd (pid %d), which lvperf started for this target, is gone", (int)p->daemon);
	return 0;
}

const struct driver driver_libvirt = {
	.name = "libvirt",
	.summary = "the qemu driver's Linux guest as a libvirt domain (virsh create, private libvirtd)",
	.available = libvirt_available,
	.prepare = libvirt_prepare,
	.daemon_alive = libvirt_daemon_alive,
	.stop = libvirt_stop,
	.destroy = libvirt_destroy,
	.image_size = libvirt_image_size,
	.memory = libvirt_memory,
	.caps = DRIVER_CAP_VM | DRIVER_CAP_MIN_MEMORY,
};
DRIVER_REGISTER(driver_libvirt)

static int libvirt_lxc_available(char *why, size_t len)
{
	if (!libvirt_in_path("libvirtd") ||
	    access("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_lxc.so", R_OK) != 0 ||
	    access("/usr/lib/libvirt/libvirt_lxc", X_OK) != 0) {
		snprintf(why, len, "libvirt's LXC driver not found (Debian packages libvirt-daemon "
			 "libvirt-daemon-driver-lxc)");
		return 0;
	}
	if (access("/sys/fs/cgroup/memory/cgroup.procs", R_OK) != 0) {
		snprintf(why, len, "no cgroup v1 memory controller at /sys/fs/cgroup/memory");
		return 0;
	}
	return libvirt_tools(why, len);
}

/* The partition lvp<tag>.partition in every v1 controller (cpuset with
 * its parent's CPUs and nodes): libvirt makes only the domain's group. */
static int libvirt_lxc_partition(struct libvirt_priv *p, const struct target *t, char *err, size_t len)
{
	static const char *const cpuset[] = { "cpuset.cpus", "cpuset.mems" };
	char path[128], v[256];

	snprintf(p->cg, sizeof(p->cg), "lvp%s.partition", t->tag);
	ledger_add(LEDGER_CGROUP, p->cg);
	for (size_t i = 0; libvirt_lxc_ctrl[i]; i++) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", libvirt_lxc_ctrl[i], p->cg);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			int e = errno;

			snprintf(err, len, "libvirt-lxc: cannot create cgroup %s: %s", path, strerror(e));
			return -e;
		}
	}
	for (size_t i = 0; i < sizeof(cpuset) / sizeof(cpuset[0]); i++) {
		const char *f = cpuset[i];
		FILE *in, *out;

		snprintf(path, sizeof(path), "/sys/fs/cgroup/cpuset/%s", f);
		in = fopen(path, "r");
		v[0] = 0;
		if (in) {
			if (!fgets(v, sizeof(v), in))
				v[0] = 0;
			fclose(in);
		}
		snprintf(path, sizeof(path), "/sys/fs/cgroup/cpuset/%s/%s", p->cg, f);
		out = fopen(path, "w");
		if (!out || fputs(v, out) < 0 || fclose(out) != 0) {
			snprintf(err, len, "libvirt-lxc: cannot write %s", path);
			return -EIO;
		}
	}
	return 0;
}

/* The domain: the image's rootfs read-only with tmpfs /tmp and /run, the
 * beacon as init, the partition, and a macvlan on the veth peer that
 * libvirt addresses (a veth moved in would die with the container's
 * namespace at the end of the first run, taking the dataplane's end). */
static int libvirt_lxc_xml(const struct target *t, const struct libvirt_priv *p, const struct image_cmd *cmd,
			   char *buf, size_t len)
{
	char ip[16], args[1024];
	size_t o = 0;
	int n;

	for (size_t i = 1; cmd->argv[i] && o < sizeof(args); i++)
		o += (size_t)snprintf(args + o, sizeof(args) - o, "    <initarg>%s</initarg>\n", cmd->argv[i]);
	if (o >= sizeof(args))
		return -E2BIG;
	n = snprintf(buf, len,
		     "<domain type='lxc'>\n"
		     "  <name>%s</name>\n"
		     "  <memory unit='MiB'>256</memory>\n"
		     "  <vcpu>1</vcpu>\n"
		     "  <resource><partition>/lvp%s</partition></resource>\n"
		     "  <os>\n"
		     "    <type>exe</type>\n"
		     "    <init>%s</init>\n"
		     "%s"
		     "  </os>\n"
		     "  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>\n"
		     "  <devices>\n"
		     "    <filesystem type='mount'><source dir='%s'/><target dir='/'/><readonly/></filesystem>\n"
		     "    <filesystem type='ram'><source usage='65536' units='KiB'/><target dir='/tmp'/></filesystem>\n"
		     "    <filesystem type='ram'><source usage='16384' units='KiB'/><target dir='/run'/></filesystem>\n"
		     "    <interface type='direct'><source dev='%s' mode='bridge'/><ip address='%s' prefix='%u'/></interface>\n"
		     "    <console type='pty'/>\n"
		     "  </devices>\n"
		     "</domain>\n",
		     p->name, t->tag, cmd->argv[0], args, p->img.rootfs, t->link.peer_if,
		     pkt_format_ip(t->target_ip, ip), t->prefix_len);
	return n >= (int)len ? -E2BIG : 0;
}

static int libvirt_lxc_prepare(struct target *t, char *err, size_t len)
{
	struct libvirt_priv *p = calloc(1, sizeof(*p));
	struct image_cmd cmd;
	char xml[6144];
	int rc;

	if (!p) {
		snprintf(err, len, "libvirt-lxc: out of memory");
		return -ENOMEM;
	}
	p->lxc = 1;
	t->priv = p;
	rc = driver_image(t, "libvirt-lxc", &p->img, &cmd, err, len);
	if (rc) {
		free(p);
		t->priv = NULL;
		return rc;
	}
	rc = netns_veth_create(&t->link, t->tag, 1, err, len);
	if (rc == 0) {
		char *up[] = { "ip", "link", "set", t->link.peer_if, "up", NULL };

		if (proc_run(up, 1, 10ull * 1000000000u) != 0) {
			snprintf(err, len, "libvirt-lxc: cannot bring %s up", t->link.peer_if);
			rc = -EIO;
		}
	}
	if (rc == 0)
		rc = libvirt_lxc_partition(p, t, err, len);
	if (rc)
		goto fail;
	rc = libvirt_dir_connect(t, p, err, len);
	if (rc)
		goto fail;
	rc = libvirt_lxc_xml(t, p, &cmd, xml, sizeof(xml));
	rc = libvirt_start_command(t, p, rc, xml, err, len);
	if (rc)
		goto fail;
	snprintf(t->variant, sizeof(t->variant), "libvirt lxc");
	return 0;
fail:
	libvirt_destroy(t);
	return rc;
}

static int64_t libvirt_lxc_image_size(struct target *t)
{
	struct libvirt_priv *p = t->priv;

	return p ? oci_du_tree(p->img.rootfs) : -EINVAL;
}

/* The processes in the domain's cgroup under our partition. */
static int64_t libvirt_lxc_memory(struct target *t, pid_t start_pid)
{
	struct libvirt_priv *p = t->priv;

	(void)start_pid;
	return p ? oci_cgroup_rss_children(p->cg, NULL) : -EINVAL;
}

const struct driver driver_libvirt_lxc = {
	.name = "libvirt-lxc",
	.shares_host_tsc = 1,
	.summary = "an LXC container through libvirt's LXC driver (virsh create, private libvirtd)",
	.available = libvirt_lxc_available,
	.prepare = libvirt_lxc_prepare,
	.daemon_alive = libvirt_daemon_alive,
	.stop = libvirt_stop,
	.destroy = libvirt_destroy,
	.image_size = libvirt_lxc_image_size,
	.memory = libvirt_lxc_memory,
};
DRIVER_REGISTER(driver_libvirt_lxc)
