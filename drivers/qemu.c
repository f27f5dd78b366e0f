/* SPDX-License-Identifier: BSD-3-Clause
 * qemu: a whole-system VM. The guest is Debian's Linux kernel, booted by
 * PVH from its uncompressed vmlinux, with an initramfs made here from host
 * binaries (busybox-static, the static beacon, the virtio modules) whose
 * /init configures eth0 and starts the beacon; or, as workload "floor",
 * lvperf's freestanding floor guest (calib/guest/). The network is the
 * dataplane's vhost-user port (the dataplane is the socket's server, QEMU
 * connects as client) or a tap that the dataplane drives with af_packet.
 *
 * The accelerator is KVM when a probe boot of the very guest under KVM
 * reaches its first serial line, else TCG; the choice is in t->variant, so
 * TCG and KVM figures are never mixed. Options (--opts): machine=microvm|
 * q35|pc, accel=auto|kvm|tcg, net=vhost|tap, mem=MiB.
 *
 * Kernel cache: /var/cache/lvperf/qemu/linux (vmlinux + modules), made
 * once from `apt-get download` of linux-image-amd64 (nothing is installed
 * on the host); it stays between runs, like a container image.
 *
 * Files: qemu.c (the machine: options, state, the KVM probe, the driver),
 * qemu_kernel.c (the guest kernel), qemu_initrd.c (the initramfs and its
 * /init), qemu_disk.c (disk=debian); vmm_argv.c builds the command line.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tsc.h"
#include "addr.h"
#include "file.h"
#include "image.h"
#include "ledger.h"
#include "proc.h"
#include "qemu.h"
#include "qemu_int.h"

#include "driver.h"

#define QEMU_PROBE_NS (15ull * 1000000000u) /* a KVM probe boot gives up after this */
#define QEMU_PROBE_SILENT_NS (4ull * 1000000000u) /* ... or after this without a byte */


static int qemu_find_bin(const char *name, char *path, size_t len)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, len, "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return 1;
	}
	return 0;
}

static int qemu_available(char *why, size_t len)
{
	char p[PATH_MAX];

	if (!qemu_find_bin(QEMU_BIN, p, sizeof(p))) {
		snprintf(why, len, QEMU_BIN " not found (Debian package qemu-system-x86)");
		return 0;
	}
	if (access("/bin/busybox", X_OK) != 0) {
		snprintf(why, len, "/bin/busybox not found (Debian package busybox-static)");
		return 0;
	}
	if (!qemu_find_bin("xz", p, sizeof(p))) {
		snprintf(why, len, "xz not found (Debian package xz-utils), needed to unpack the guest kernel");
		return 0;
	}
	return 1;
}

int qemu_config_parse(const struct target *t, struct qemu_config *c, char *err, size_t len)
{
	char v[32];
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(c->machine, sizeof(c->machine), "microvm");
	snprintf(c->accel, sizeof(c->accel), "auto");
	snprintf(c->net, sizeof(c->net), "vhost");
	c->mem_mib = 256;
	if ((rc = target_opt(t, "machine", v, sizeof(v))) != 0) {
		if (rc < 0 || (strcmp(v, "microvm") && strcmp(v, "q35") && strcmp(v, "pc")))
			goto bad_machine;
		snprintf(c->machine, sizeof(c->machine), "%.15s", v);
	}
	if ((rc = target_opt(t, "accel", v, sizeof(v))) != 0) {
		if (rc < 0 || (strcmp(v, "auto") && strcmp(v, "kvm") && strcmp(v, "tcg"))) {
			snprintf(err, len, "qemu: --opts accel= takes auto, kvm or tcg");
			return -EINVAL;
		}
		snprintf(c->accel, sizeof(c->accel), "%.7s", v);
	}
	if ((rc = target_opt(t, "net", v, sizeof(v))) != 0) {
		if (rc < 0 || (strcmp(v, "vhost") && strcmp(v, "tap"))) {
			snprintf(err, len, "qemu: --opts net= takes vhost or tap");
			return -EINVAL;
		}
		snprintf(c->net, sizeof(c->net), "%.7s", v);
	}
	if ((rc = target_opt(t, "disk", v, sizeof(v))) != 0) {
		if (rc < 0 || strcmp(v, "debian")) {
			snprintf(err, len, "qemu: --opts disk= takes debian (a Debian disk image booted by systemd)");
			return -EINVAL;
		}
		snprintf(c->disk, sizeof(c->disk), "debian");
		c->mem_mib = 512;
		if (target_opt(t, "machine", v, sizeof(v)) == 0)
			snprintf(c->machine, sizeof(c->machine), "q35");
		else if (strcmp(c->machine, "microvm") == 0) {
			snprintf(err, len, "qemu: disk=debian needs a PCI machine: --opts machine=q35 or pc");
			return -EINVAL;
		}
	}
	if ((rc = target_opt(t, "mem", v, sizeof(v))) != 0) {
		char *end;
		unsigned long m = rc < 0 ? 0 : strtoul(v, &end, 10);

		if (rc < 0 || m < 8 || m > 65536 || *end) {
			snprintf(err, len, "qemu: --opts mem= takes MiB between 8 and 65536");
			return -EINVAL;
		}
		c->mem_mib = (unsigned int)m;
	}
	return 0;
bad_machine:
	snprintf(err, len, "qemu: --opts machine= takes microvm, q35 or pc");
	return -EINVAL;
}

/* The measured TSC rate, for the guest's tsc_early_khz: under TCG the
 * guest's own calibration against the emulated PIT often hangs. */
static unsigned int qemu_tsc_khz(void)
{
	struct tsc_clock c;

	if (tsc_calibrate(&c, 50) != 0 || c.hz < 1e8)
		return 0;
	return (unsigned int)(c.hz / 1000.0 + 0.5);
}

static void qemu_cmdline(const struct target *t, const struct qemu_state *p, char *buf, size_t len)
{
	char ip[16], dst[16];

	if (p->floor)
		snprintf(buf, len, "ip=%s dst=%s port=%u khz=%u", pkt_format_ip(t->target_ip, ip),
			 pkt_format_ip(t->appliance_ip, dst), t->beacon_port, p->khz ? p->khz : 2000000);
	else if (p->disk[0])
		snprintf(buf, len,
			 "console=ttyS0 quiet root=/dev/vda rw net.ifnames=0 panic=-1 %s%.0u%sno_timer_check "
			 "lvp.ip=%s/%u lvp.cmd=%s",
			 p->khz ? "tsc_early_khz=" : "", p->khz, p->khz ? " " : "",
			 pkt_format_ip(t->target_ip, ip), t->prefix_len, p->start);
	else if (p->khz)
		snprintf(buf, len, "console=ttyS0 quiet panic=-1 tsc_early_khz=%u no_timer_check", p->khz);
	else
		snprintf(buf, len, "console=ttyS0 quiet panic=-1 no_timer_check");
}

static void qemu_paths_of(const struct target *t, const struct qemu_state *p, struct qemu_paths *qp, char *cmdline,
			  size_t len)
{
	qemu_cmdline(t, p, cmdline, len);
	qp->kernel = p->kernel;
	qp->initrd = p->initrd;
	qp->console = p->console;
	qp->sock = p->sock;
	qp->tap = p->tap;
	qp->disk = p->disk;
	qp->cmdline = cmdline;
}

static int qemu_file_has(const char *path, const char *needle)
{
	char *data;
	size_t n;
	int found;

	if (file_read(path, &data, &n))
		return 0;
	found = strstr(data, needle) != NULL;
	free(data);
	return found;
}

/*
 * Boot the guest once under KVM without a network and wait for its first
 * serial line. Returns 1 when it came (KVM usable for this guest), 0 with
 * the reason in why when the guest failed, hung or QEMU exited.
 */
static int qemu_kvm_probe(const struct target *t, const struct qemu_state *p, char *why, size_t len)
{
	struct target probe = *t;
	struct qemu_paths qp;
	struct qemu_state pp = *p;
	char cmdline[768], errf[128];
	const char *mark = p->floor ? "lvp-floor" : QEMU_MARK_INIT;
	uint64_t waited = 0;
	pid_t pid;
	int status, rc, exited = 0;

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return 0;
	}
	snprintf(pp.console, sizeof(pp.console), "%s/kvm-probe.log", p->dir);
	snprintf(errf, sizeof(errf), "%s/kvm-probe.err", p->dir);
	unlink(pp.console);
	qemu_paths_of(t, &pp, &qp, cmdline, sizeof(cmdline));
	if (!p->floor) /* loud and early: a working KVM prints within milliseconds */
		snprintf(cmdline, sizeof(cmdline), "console=ttyS0 earlyprintk=ttyS0 panic=-1");
	if (p->disk[0]) /* the disk's systemd does not print the initramfs' mark */
		mark = "Run /init as init process";
	memset(probe.argv, 0, sizeof(probe.argv));
	if (qemu_argv(&probe, &p->cfg, &qp, 1, 0))
		return 0;
	{
		struct proc_io io = { .in = "/dev/null", .out = "/dev/null", .err = errf, .mode = 0644 };

		rc = proc_spawn_io(probe.argv, &io, &pid);
		if (rc) {
			snprintf(why, len, "cannot start " QEMU_BIN ": %s", strerror(-rc));
			return 0;
		}
	}
	ledger_add_pid(pid);
	while (waited < QEMU_PROBE_NS && !qemu_file_has(pp.console, mark)) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		usleep(20000);
		waited += 20000000u;
		if (waited >= QEMU_PROBE_SILENT_NS) {
			struct stat st;

			if (stat(pp.console, &st) != 0 || st.st_size == 0)
				break;
		}
	}
	rc = qemu_file_has(pp.console, mark);
	if (!exited)
		proc_stop(pid, 1000000000u, &status);
	ledger_done_pid(pid);
	if (rc)
		return 1;
	if (qemu_file_has(errf, "KVM internal error"))
		snprintf(why, len, "KVM internal error (emulation failure) booting the guest");
	else if (exited)
		snprintf(why, len, "QEMU with -accel kvm exited before the guest's first serial line (see %s)", errf);
	else
		snprintf(why, len, "the guest %s under KVM",
			 qemu_file_has(pp.console, "Linux") ? "started but did not reach /init within 15 s"
							      : "wrote no serial output within 4 s");
	return 0;
}

int qemu_state_prepare(struct qemu_state *p, struct target *t, char *err, size_t len)
{
	struct qemu_paths qp;
	char cmdline[768], why[200] = "", path[PATH_MAX];
	int rc, kvm = 0;

	rc = qemu_config_parse(t, &p->cfg, err, len);
	if (rc)
		goto fail;
	p->floor = strcmp(t->workload, "floor") == 0;
	p->khz = qemu_tsc_khz();
	ledger_run_dir(p->dir, sizeof(p->dir), t->tag, "qemu");
	snprintf(p->console, sizeof(p->console), "%s/console.log", p->dir);
	snprintf(p->sock, sizeof(p->sock), "%s/vhost.sock", p->dir);
	ledger_add(LEDGER_DIRECTORY, p->dir);
	if (mkdir(p->dir, 0700) != 0) {
		rc = -errno;
		snprintf(err, len, "qemu: cannot create %s: %s", p->dir, strerror(errno));
		p->dir[0] = 0;
		goto fail;
	}
	if (p->floor) {
		rc = qemu_floor_bin(p->kernel, sizeof(p->kernel), err, len);
		if (rc)
			goto fail;
	} else if (p->cfg.disk[0]) {
		rc = qemu_debian_disk(t, p, err, len);
		if (rc)
			goto fail;
	} else {
		snprintf(path, sizeof(path), "%s/vmlinux", QEMU_CACHE);
		if (access(path, R_OK) != 0 && (rc = qemu_kernel_fetch(t, err, len)) != 0)
			goto fail;
		snprintf(p->kernel, sizeof(p->kernel), "%s", path);
		rc = qemu_make_initrd(t, p, err, len);
		if (rc)
			goto fail;
	}
	if (strcmp(p->cfg.accel, "tcg") != 0) {
		kvm = qemu_kvm_probe(t, p, why, sizeof(why));
		if (!kvm && strcmp(p->cfg.accel, "kvm") == 0) {
			snprintf(err, len, "qemu: accel=kvm asked for, but KVM is unusable here: %s", why);
			rc = -ENOTSUP;
			goto fail;
		}
		if (!kvm)
			fprintf(stderr, "lvperf boot: qemu: KVM unusable (%s): using TCG\n", why);
	}
	if (strcmp(p->cfg.net, "tap") == 0) {
		char *add[] = { "ip", "tuntap", "add", "dev", p->tap, "mode", "tap", NULL };
		char *up[] = { "ip", "link", "set", p->tap, "up", NULL };

		snprintf(p->tap, sizeof(p->tap), "lvp%st", t->tag);
		ledger_add(LEDGER_LINK, p->tap);
		if (proc_run(add, 1, 10ull * 1000000000u) != 0) {
			snprintf(err, len, "qemu: ip tuntap add %s failed", p->tap);
			ledger_done(LEDGER_LINK, p->tap);
			p->tap[0] = 0;
			rc = -EIO;
			goto fail;
		}
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", p->tap);
		file_write(path, "1\n", 2);
		proc_run(up, 1, 10ull * 1000000000u);
		snprintf(t->port, sizeof(t->port), "af_packet:%s", p->tap);
	} else {
		snprintf(t->port, sizeof(t->port), "vhost:%s", p->sock);
	}
	p->kvm = kvm;
	snprintf(t->variant, sizeof(t->variant), "%s %s %s%s", p->cfg.machine, kvm ? "kvm" : "tcg",
		 strcmp(p->cfg.net, "tap") == 0 ? "tap" : "vhost-user",
		 p->floor ? " floor-guest" : p->disk[0] ? " debian-disk" : "");
	qemu_paths_of(t, p, &qp, cmdline, sizeof(cmdline));
	rc = qemu_argv(t, &p->cfg, &qp, kvm, 1);
	if (rc) {
		snprintf(err, len, "qemu: start command too long");
		goto fail;
	}
	return 0;
fail:
	qemu_state_destroy(p);
	return rc;
}

static int qemu_prepare(struct target *t, char *err, size_t len)
{
	struct qemu_state *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		snprintf(err, len, "qemu: out of memory");
		return -ENOMEM;
	}
	t->priv = p;
	rc = qemu_state_prepare(p, t, err, len);
	if (rc) {
		free(p);
		t->priv = NULL;
	}
	return rc;
}

int qemu_guest(const struct qemu_state *p, const struct target *t, struct qemu_guest *g)
{
	memset(g, 0, sizeof(*g));
	g->dir = p->dir;
	g->kernel = p->kernel;
	g->initrd = p->initrd;
	g->console = p->console;
	g->sock = p->sock;
	g->disk = p->disk;
	g->machine = p->cfg.machine;
	g->mem_mib = p->cfg.mem_mib;
	g->kvm = p->kvm;
	g->floor = p->floor;
	qemu_cmdline(t, p, g->cmdline, sizeof(g->cmdline));
	return 0;
}

/* The guest's own uptime at the beacon's start, from its serial console
 * ("lvp-guest-beacon uptime=S"), read once per run. The guest prints it
 * just after the beacon, so the line may still be on its way: wait up to
 * wait_ms for it. */
static void qemu_read_mark(struct qemu_state *p, struct target *t, unsigned wait_ms)
{
	char *data, *m;
	size_t n;

	for (unsigned i = 0; p && !p->mark_read; i++) {
		if (file_read(p->console, &data, &n) == 0) {
			m = strstr(data, QEMU_MARK_BEACON);
			if (m) {
				t->guest_s = strtod(m + strlen(QEMU_MARK_BEACON), NULL);
				p->guest_s_sum += t->guest_s;
				p->guest_n++;
				p->mark_read = 1;
			}
			free(data);
		}
		if (p->mark_read || i * 10 >= wait_ms)
			break;
		usleep(10000);
	}
}

/* QEMU is the start command itself (stopped and reaped by the caller);
 * what is left is its serial console, which holds the guest's own uptime
 * at the beacon's start. */
void qemu_state_stop(struct qemu_state *p, struct target *t, pid_t start_pid)
{
	if (!start_pid)
		return;
	qemu_read_mark(p, t, 0);
	p->mark_read = 0; /* the next run writes a new console */
	unlink(p->console); /* its creation is the next run's VMM stage */
}

static void qemu_stop(struct target *t, pid_t start_pid)
{
	if (t->priv)
		qemu_state_stop(t->priv, t, start_pid);
}

/* QEMU creates the -serial file after its machine and accelerator, before
 * the guest runs (qemu_create_late_backends in QEMU 7.2). */
static int qemu_vmm_up(struct target *t)
{
	struct qemu_state *p = t->priv;

	return p && access(p->console, F_OK) == 0;
}

void qemu_state_destroy(struct qemu_state *p)
{
	if (p->guest_n)
		fprintf(stderr, "lvperf boot: qemu: guest-reported uptime at beacon start: mean %.3f s over %u boots\n",
			p->guest_s_sum / p->guest_n, p->guest_n);
	if (p->tap[0]) {
		char *del[] = { "ip", "link", "del", p->tap, NULL };

		proc_run(del, 1, 10ull * 1000000000u);
		ledger_done(LEDGER_LINK, p->tap);
		p->tap[0] = 0;
	}
	if (p->dir[0])
		driver_remove_dir(p->dir);
	p->dir[0] = 0;
	p->guest_n = 0;
}

static void qemu_destroy(struct target *t)
{
	if (!t->priv)
		return;
	qemu_state_destroy(t->priv);
	free(t->priv);
	t->priv = NULL;
}

int64_t qemu_state_image_size(const struct qemu_state *p)
{
	int64_t k, i = 0;

	k = driver_du(p->kernel);
	if (k >= 0 && p->initrd[0])
		i = driver_du(p->initrd);
	if (k >= 0 && i >= 0 && p->disk[0]) {
		int64_t d = driver_du(p->disk);

		i = d < 0 ? d : i + d;
	}
	return k < 0 ? k : i < 0 ? i : k + i;
}

static int64_t qemu_image_size(struct target *t)
{
	return t->priv ? qemu_state_image_size(t->priv) : -EINVAL;
}

static int64_t qemu_memory(struct target *t, pid_t start_pid)
{
	/* Called while the guest runs, after its beacon. */
	if (t->priv)
		qemu_read_mark(t->priv, t, 500);
	return driver_rss(start_pid);
}

const struct driver driver_qemu = {
	.name = "qemu",
	.summary = "a QEMU VM (microvm|q35|pc, KVM or TCG) running Debian's kernel or the floor guest",
	.available = qemu_available,
	.prepare = qemu_prepare,
	.stop = qemu_stop,
	.destroy = qemu_destroy,
	.image_size = qemu_image_size,
	.memory = qemu_memory,
	.vmm_up = qemu_vmm_up,
	.caps = DRIVER_CAP_VM | DRIVER_CAP_MIN_MEMORY | DRIVER_CAP_FLOOR_GUEST,
};
DRIVER_REGISTER(driver_qemu)
