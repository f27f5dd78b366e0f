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
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
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
#include "cpio.h"
#include "file.h"
#include "image.h"
#include "ledger.h"
#include "proc.h"
#include "qemu.h"

#include "driver.h"

#define QEMU_CACHE "/var/cache/lvperf/qemu/linux"
#define QEMU_PROBE_NS (15ull * 1000000000u) /* a KVM probe boot gives up after this */
#define QEMU_PROBE_SILENT_NS (4ull * 1000000000u) /* ... or after this without a byte */
#define QEMU_MARK_INIT "lvp-guest-init"
#define QEMU_MARK_BEACON "lvp-guest-beacon uptime="
#define QEMU_MODDIR "lvpmod" /* the virtio modules in the initramfs */

/* The virtio-net modules of Debian's kernel in load order (dependencies
 * first), with their paths under lib/modules/<version>/kernel. */
static const char *const qemu_modules[][2] = {
	{ "virtio_ring", "drivers/virtio" },	      { "virtio", "drivers/virtio" },
	{ "virtio_pci_modern_dev", "drivers/virtio" }, { "virtio_pci_legacy_dev", "drivers/virtio" },
	{ "virtio_pci", "drivers/virtio" },	      { "virtio_mmio", "drivers/virtio" },
	{ "failover", "net/core" },		      { "net_failover", "drivers/net" },
	{ "virtio_net", "drivers/net" },
};
#define QEMU_NMODULES (sizeof(qemu_modules) / sizeof(qemu_modules[0]))

struct qemu_priv {
	char dir[64];	      /* /tmp/lvp<tag>-qemu: initramfs, console, socket */
	char kernel[PATH_MAX];
	char initrd[PATH_MAX]; /* empty for the floor guest */
	char disk[PATH_MAX];  /* disk=debian: the cached raw disk */
	char start[512];      /* disk=debian: the start command, words joined by commas */
	char sock[96];
	char console[96];
	char tap[16];	      /* lvp<tag>t with net=tap */
	struct qemu_config cfg;
	struct image img;     /* the workload's rootfs (nginx, redis); img.w NULL for beacon */
	unsigned int khz;
	int floor;
	int kvm;
	double guest_s_sum;   /* guest-reported uptime at beacon start, over runs */
	int mark_read;	      /* this run's uptime line was read */
	unsigned int guest_n;
};

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

/* Run argv with stdout into path (created, truncated). Returns the exit
 * status or -errno. */
static int qemu_run_to_file(char *const argv[], const char *path)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, status;
	extern char **environ;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = proc_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -rc;
	ledger_add_pid(pid);
	rc = proc_wait(pid, 300ull * 1000000000u, &status);
	if (rc) {
		proc_stop(pid, 0, &status);
		ledger_done_pid(pid);
		return rc;
	}
	ledger_done_pid(pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}



/* bzImage at path → uncompressed vmlinux ELF at out (through xz, zstd or
 * gzip by the payload's magic). */
static int qemu_extract_vmlinux(const char *bz, const char *tmpdir, const char *out, char *err, size_t len)
{
	char payload[PATH_MAX], *img;
	size_t n, off, plen;
	char *xz[] = { "xz", "-dc", "--single-stream", payload, NULL };
	char *zstd[] = { "zstd", "-dcq", payload, NULL };
	char *gz[] = { "gzip", "-dcq", payload, NULL };
	char *const *argv;
	int rc = file_read(bz, &img, &n);

	if (rc) {
		snprintf(err, len, "qemu: cannot read %s: %s", bz, strerror(-rc));
		return rc;
	}
	if (qemu_bzimage_payload((unsigned char *)img, n, &off, &plen)) {
		free(img);
		snprintf(err, len, "qemu: %s is not a bzImage with a payload (boot protocol 2.08+)", bz);
		return -EINVAL;
	}
	if (memcmp(img + off, "\xfd" "7zXZ", 5) == 0)
		argv = xz;
	else if (memcmp(img + off, "\x28\xb5\x2f\xfd", 4) == 0)
		argv = zstd;
	else if (memcmp(img + off, "\x1f\x8b", 2) == 0)
		argv = gz;
	else {
		free(img);
		snprintf(err, len, "qemu: %s: payload compression not xz, zstd or gzip", bz);
		return -ENOTSUP;
	}
	snprintf(payload, sizeof(payload), "%s/payload", tmpdir);
	rc = file_write(payload, img + off, plen);
	free(img);
	if (rc == 0)
		rc = qemu_run_to_file(argv, out);
	/* gzip exits 2 for the trailing size word: a warning, not an error */
	if (rc != 0 && !(argv == gz && rc == 2)) {
		snprintf(err, len, "qemu: %s -d of the kernel payload failed (%d)", argv[0], rc);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

/* The first entry of dir whose name starts with prefix and ends with
 * suffix, into out. */
static int qemu_find_entry(const char *dir, const char *prefix, const char *suffix, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name), s = strlen(suffix);

		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && n >= s &&
		    strcmp(e->d_name + n - s, suffix) == 0) {
			snprintf(out, len, "%s/%s", dir, e->d_name);
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

static int qemu_copy(const char *from, const char *to)
{
	char *data;
	size_t n;
	int rc = file_read(from, &data, &n);

	if (rc)
		return rc;
	rc = file_write(to, data, n);
	free(data);
	return rc;
}


/* apt-get download in dir (our cwd for the moment: apt-get writes there). */
static int qemu_apt_download(const char *dir, const char *pkg, char *err, size_t len)
{
	char *argv[] = { "apt-get", "download", "-q", (char *)pkg, NULL };
	int cwd = open(".", O_RDONLY | O_DIRECTORY), rc;

	if (cwd < 0 || chdir(dir) != 0) {
		rc = -errno;
		if (cwd >= 0)
			close(cwd);
		snprintf(err, len, "qemu: cannot enter %s: %s", dir, strerror(-rc));
		return rc;
	}
	rc = proc_run(argv, 1, 600ull * 1000000000u);
	if (fchdir(cwd) != 0)
		rc = rc ? rc : -errno;
	close(cwd);
	if (rc) {
		snprintf(err, len, "qemu: apt-get download %s failed (%d): is the Debian mirror reachable?", pkg,
			 rc);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

/*
 * Make QEMU_CACHE: vmlinux and the virtio modules of Debian's
 * linux-image-amd64, fetched with apt-get download into an lvp temporary
 * directory and unpacked with dpkg-deb -x there (the host's own kernel
 * and /lib/modules are not touched).
 */
static int qemu_kernel_fetch(const struct target *t, char *err, size_t len)
{
	char tmp[64], deb[512], dep[256], pkg[128], path[PATH_MAX], to[PATH_MAX], x[96], mods[512];
	char *depargv[] = { "dpkg-deb", "-f", deb, "Depends", NULL };
	char *xargv[] = { "dpkg-deb", "-x", deb, x, NULL };
	int rc;

	snprintf(tmp, sizeof(tmp), "/tmp/lvp%s-kernel", t->tag);
	snprintf(x, sizeof(x), "%s/x", tmp);
	if ((rc = ledger_mkdir(tmp, 0700)) != 0) { /* never one that exists */
		snprintf(err, len, "qemu: cannot create %s: %s", tmp, strerror(-rc));
		return rc;
	}
	rc = qemu_apt_download(tmp, "linux-image-amd64", err, len);
	if (rc)
		goto out;
	rc = qemu_find_entry(tmp, "linux-image-amd64_", ".deb", deb, sizeof(deb));
	if (rc == 0)
		rc = proc_output(depargv, dep, sizeof(dep), 60ull * 1000000000u);
	/* "linux-image-6.1.0-56-amd64 (= 6.1.192-2)" */
	if (rc || sscanf(dep, "%127[^ ,(]", pkg) != 1) {
		snprintf(err, len, "qemu: cannot read the Depends of linux-image-amd64's .deb");
		rc = -EIO;
		goto out;
	}
	rc = qemu_apt_download(tmp, pkg, err, len);
	if (rc)
		goto out;
	snprintf(path, sizeof(path), "%s_", pkg);
	rc = qemu_find_entry(tmp, path, ".deb", deb, sizeof(deb));
	if (rc == 0)
		rc = proc_run(xargv, 1, 600ull * 1000000000u);
	if (rc) {
		snprintf(err, len, "qemu: dpkg-deb -x of %s failed (%d)", pkg, rc);
		rc = rc < 0 ? rc : -EIO;
		goto out;
	}
	rc = file_mkdirs(QEMU_CACHE, 0755);
	if (rc) {
		snprintf(err, len, "qemu: cannot create %s: %s", QEMU_CACHE, strerror(-rc));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/boot", x);
	if (qemu_find_entry(path, "vmlinuz-", "", deb, sizeof(deb)) != 0) {
		snprintf(err, len, "qemu: no boot/vmlinuz-* in %s", pkg);
		rc = -ENOENT;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/lib/modules", x);
	if (qemu_find_entry(path, "", "-amd64", mods, sizeof(mods)) != 0) {
		snprintf(err, len, "qemu: no lib/modules/*-amd64 in %s", pkg);
		rc = -ENOENT;
		goto out;
	}
	for (size_t i = 0; i < QEMU_NMODULES; i++) {
		snprintf(path, sizeof(path), "%s/kernel/%s/%s.ko", mods, qemu_modules[i][1], qemu_modules[i][0]);
		snprintf(to, sizeof(to), "%s/%s.ko", QEMU_CACHE, qemu_modules[i][0]);
		if (access(path, R_OK) == 0 && (rc = qemu_copy(path, to)) != 0) {
			snprintf(err, len, "qemu: cannot copy %s: %s", path, strerror(-rc));
			goto out;
		}
	}
	snprintf(to, sizeof(to), "%s/vmlinux.part", QEMU_CACHE);
	rc = qemu_extract_vmlinux(deb, tmp, to, err, len);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/vmlinux", QEMU_CACHE);
		if (rename(to, path) != 0)
			rc = -errno;
		snprintf(path, sizeof(path), "%s/package", QEMU_CACHE);
		file_write(path, pkg, strlen(pkg));
	}
out:
	driver_remove_dir(tmp);
	return rc;
}

/* The static floor guest beside lvperf (build/floor-guest). */
static int qemu_floor_bin(char *buf, size_t len, char *err, size_t errlen)
{
	if (driver_sibling_bin("floor-guest", buf, len) != 0) {
		snprintf(err, errlen, "qemu: the floor guest is missing at %s (ninja -C build)", buf);
		return -ENOENT;
	}
	return 0;
}

/* /init of the Linux guest: modules, eth0, a serial line with the guest's
 * uptime, then the beacon as PID 1 (which, for a service, execs it). */
static int qemu_init_script(const struct target *t, const char *start, char *buf, size_t len)
{
	char ip[16], mods[512] = "";
	size_t used = 0;

	for (size_t i = 0; i < QEMU_NMODULES; i++)
		used += (size_t)snprintf(mods + used, sizeof(mods) - used, " %s", qemu_modules[i][0]);
	return snprintf(buf, len,
			"#!/bin/busybox sh\n"
			"/bin/busybox echo " QEMU_MARK_INIT "\n"
			"/bin/busybox mount -t proc proc /proc\n"
			"for m in%s; do\n"
			"\t[ -e /" QEMU_MODDIR "/$m.ko ] && /bin/busybox insmod /" QEMU_MODDIR "/$m.ko\n"
			"done\n"
			"/bin/busybox ip link set lo up\n"
			"/bin/busybox ip addr add %s/%u dev eth0\n"
			"/bin/busybox ip link set eth0 up\n"
			"read up idle </proc/uptime\n"
			"/bin/busybox echo " QEMU_MARK_BEACON "$up\n"
			"cd /\n"
			"exec %s\n",
			mods, pkt_format_ip(t->target_ip, ip), t->prefix_len, start) >= (int)len
		       ? -E2BIG
		       : 0;
}

/*
 * The initramfs: for workload beacon, busybox and the static beacon; for
 * a service (nginx, redis), the image builder's rootfs of the workload
 * (image.h: the service, its library closure, busybox, the beacon, the
 * configs), so the guest runs what the containers run. Plus the virtio
 * modules and /init.
 */
static int qemu_make_initrd(struct target *t, struct qemu_priv *p, char *err, size_t len)
{
	static const char *const dirs[] = { "bin", "dev", "lib", "proc", "sys", "tmp" };
	char beacon[PATH_MAX], init[2048], start[1024], path[PATH_MAX], name[64];
	const struct workload *w = workload_find(t->workload);
	struct image_cmd cmd;
	struct cpio c;
	FILE *f;
	int rc;

	if (w && w->bin) {
		rc = driver_image(t, "qemu", &p->img, &cmd, err, len);
		if (rc == 0 && image_cmd_line(&cmd, start, sizeof(start)) != 0)
			rc = -E2BIG;
	} else {
		char dst[16];

		rc = driver_workload_bin(t->workload, "qemu", beacon, sizeof(beacon), err, len);
		snprintf(start, sizeof(start), "/beacon --dst %s --port %u", pkt_format_ip(t->appliance_ip, dst),
			 t->beacon_port);
	}
	if (rc)
		return rc;
	if (qemu_init_script(t, start, init, sizeof(init))) {
		snprintf(err, len, "qemu: /init too long");
		return -E2BIG;
	}
	snprintf(p->initrd, sizeof(p->initrd), "%s/initrd.cpio", p->dir);
	f = fopen(p->initrd, "wb");
	if (!f) {
		snprintf(err, len, "qemu: cannot create %s: %s", p->initrd, strerror(errno));
		return -errno;
	}
	cpio_begin(&c, f);
	if (p->img.w) {
		cpio_tree(&c, p->img.rootfs);
	} else {
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			cpio_dir(&c, dirs[i]);
		cpio_copy(&c, "bin/busybox", 0755, "/bin/busybox");
		cpio_copy(&c, "beacon", 0755, beacon);
	}
	cpio_chardev(&c, "dev/console", 5, 1);
	cpio_dir(&c, QEMU_MODDIR);
	for (size_t i = 0; i < QEMU_NMODULES; i++) {
		snprintf(path, sizeof(path), "%s/%s.ko", QEMU_CACHE, qemu_modules[i][0]);
		snprintf(name, sizeof(name), QEMU_MODDIR "/%s.ko", qemu_modules[i][0]);
		if (access(path, R_OK) == 0)
			cpio_copy(&c, name, 0644, path);
	}
	cpio_file(&c, "init", 0755, init, strlen(init));
	rc = cpio_end(&c);
	if (fclose(f) != 0 && !rc)
		rc = -EIO;
	if (rc)
		snprintf(err, len, "qemu: cannot write %s: %s", p->initrd, strerror(-rc));
	return rc;
}

/*
 * disk=debian: the image builder's debian-vm rootfs of the workload
 * (debootstrap minbase + the service + linux-image-amd64, systemd-sysv,
 * iproute2, and a unit that starts the beacon), made once into a raw ext4
 * disk (mkfs.ext4 -d, no mount) beside it in the image cache, with the
 * rootfs' own kernel extracted to a vmlinux for PVH and its own
 * initramfs (initramfs-tools) to find the disk. The guest boots through
 * systemd; the disk is attached with snapshot=on, so runs never change it.
 */
static int qemu_debian_disk(struct target *t, struct qemu_priv *p, char *err, size_t len)
{
	char e[400], tmp[PATH_MAX + 32], boot[PATH_MAX + 16], bz[PATH_MAX], size[32], dir[PATH_MAX];
	char *mkfs[] = { "mkfs.ext4", "-q", "-F", "-L", "lvproot", "-d", p->img.rootfs, tmp, size, NULL };
	struct image_cmd cmd;
	int64_t du;
	int rc = image_build(t->workload, "debian-vm", &p->img, e, sizeof(e));

	if (rc) {
		snprintf(err, len, "qemu: %s", e);
		return rc;
	}
	t->service_port = p->img.w->port;
	if (image_cmd(&cmd, t, "/beacon", "") != 0) {
		snprintf(err, len, "qemu: start command too long");
		return -E2BIG;
	}
	for (int i = 0, used = 0; cmd.argv[i]; i++) {
		int n = snprintf(p->start + used, sizeof(p->start) - (size_t)used, "%s%s", i ? "," : "", cmd.argv[i]);

		if (n < 0 || (size_t)n >= sizeof(p->start) - (size_t)used || strchr(cmd.argv[i], ',')) {
			snprintf(err, len, "qemu: start command too long or has a comma");
			return -E2BIG;
		}
		used += n;
	}
	snprintf(boot, sizeof(boot), "%s/boot", p->img.rootfs);
	if (qemu_find_entry(boot, "initrd.img-", "", p->initrd, sizeof(p->initrd)) != 0 ||
	    qemu_find_entry(boot, "vmlinuz-", "", bz, sizeof(bz)) != 0) {
		snprintf(err, len, "qemu: no boot/vmlinuz-* and initrd.img-* in %s (linux-image-amd64 missing?)",
			 p->img.rootfs);
		return -ENOENT;
	}
	snprintf(p->kernel, sizeof(p->kernel), "%s/vmlinux", p->img.dir);
	snprintf(p->disk, sizeof(p->disk), "%s/disk.raw", p->img.dir);
	if (access(p->kernel, R_OK) == 0 && access(p->disk, R_OK) == 0)
		return 0;
	/* made once, in an lvp temporary directory renamed into place */
	snprintf(dir, sizeof(dir), "%s/lvptmp-%d", p->img.dir, (int)getpid());
	ledger_add(LEDGER_DIRECTORY, dir);
	if (mkdir(dir, 0700) != 0) {
		rc = -errno;
		snprintf(err, len, "qemu: cannot create %s: %s", dir, strerror(errno));
		ledger_done(LEDGER_DIRECTORY, dir);
		return rc;
	}
	if (access(p->kernel, R_OK) != 0) {
		snprintf(tmp, sizeof(tmp), "%s/vmlinux", dir);
		rc = qemu_extract_vmlinux(bz, dir, tmp, err, len);
		if (rc == 0 && rename(tmp, p->kernel) != 0)
			rc = -errno;
		if (rc)
			goto out;
	}
	if (access(p->disk, R_OK) != 0) {
		du = image_du_tree(p->img.rootfs);
		/* room for the journal, logs and the service's files */
		snprintf(size, sizeof(size), "%lldM", (long long)((du < 0 ? 1024 << 20 : du) * 5 / 4 / 1048576 + 256));
		snprintf(tmp, sizeof(tmp), "%s/disk.raw", dir);
		rc = proc_run(mkfs, 1, 600ull * 1000000000u);
		if (rc) {
			snprintf(err, len, "qemu: mkfs.ext4 -d %s failed (%d): is e2fsprogs 1.43 or later installed?",
				 p->img.rootfs, rc);
			rc = rc < 0 ? rc : -EIO;
			goto out;
		}
		if (rename(tmp, p->disk) != 0) {
			rc = -errno;
			snprintf(err, len, "qemu: cannot move the disk to %s: %s", p->disk, strerror(errno));
		}
	}
out:
	driver_remove_dir(dir);
	return rc;
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

static void qemu_cmdline(const struct target *t, const struct qemu_priv *p, char *buf, size_t len)
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

static void qemu_paths_of(const struct target *t, const struct qemu_priv *p, struct qemu_paths *qp, char *cmdline,
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
static int qemu_kvm_probe(const struct target *t, const struct qemu_priv *p, char *why, size_t len)
{
	struct target probe = *t;
	struct qemu_paths qp;
	struct qemu_priv pp = *p;
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
		posix_spawn_file_actions_t fa;
		extern char **environ;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		rc = posix_spawnp(&pid, probe.argv[0], &fa, NULL, probe.argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		if (rc) {
			snprintf(why, len, "cannot start " QEMU_BIN ": %s", strerror(rc));
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

static void qemu_destroy(struct target *t);

static int qemu_prepare(struct target *t, char *err, size_t len)
{
	struct qemu_priv *p = calloc(1, sizeof(*p));
	struct qemu_paths qp;
	char cmdline[768], why[200] = "", path[PATH_MAX];
	int rc, kvm = 0;

	if (!p) {
		snprintf(err, len, "qemu: out of memory");
		return -ENOMEM;
	}
	t->priv = p;
	rc = qemu_config_parse(t, &p->cfg, err, len);
	if (rc)
		goto fail;
	p->floor = strcmp(t->workload, "floor") == 0;
	p->khz = qemu_tsc_khz();
	snprintf(p->dir, sizeof(p->dir), "/tmp/lvp%s-qemu", t->tag);
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
	qemu_destroy(t);
	return rc;
}

int qemu_guest(const struct target *t, struct qemu_guest *g)
{
	const struct qemu_priv *p = t->priv;

	if (!p)
		return -EINVAL;
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
static void qemu_read_mark(struct target *t, unsigned wait_ms)
{
	struct qemu_priv *p = t->priv;
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
static void qemu_stop(struct target *t, pid_t start_pid)
{
	struct qemu_priv *p = t->priv;

	if (!p || !start_pid)
		return;
	qemu_read_mark(t, 0);
	p->mark_read = 0; /* the next run writes a new console */
	unlink(p->console); /* its creation is the next run's VMM stage */
}

/* QEMU creates the -serial file after its machine and accelerator, before
 * the guest runs (qemu_create_late_backends in QEMU 7.2). */
static int qemu_vmm_up(struct target *t)
{
	struct qemu_priv *p = t->priv;

	return p && access(p->console, F_OK) == 0;
}

static void qemu_destroy(struct target *t)
{
	struct qemu_priv *p = t->priv;

	if (!p)
		return;
	if (p->guest_n)
		fprintf(stderr, "lvperf boot: qemu: guest-reported uptime at beacon start: mean %.3f s over %u boots\n",
			p->guest_s_sum / p->guest_n, p->guest_n);
	if (p->tap[0]) {
		char *del[] = { "ip", "link", "del", p->tap, NULL };

		proc_run(del, 1, 10ull * 1000000000u);
		ledger_done(LEDGER_LINK, p->tap);
	}
	if (p->dir[0])
		driver_remove_dir(p->dir);
	free(p);
	t->priv = NULL;
}

static int64_t qemu_image_size(struct target *t)
{
	struct qemu_priv *p = t->priv;
	int64_t k, i = 0;

	if (!p)
		return -EINVAL;
	k = driver_du(p->kernel);
	if (k >= 0 && p->initrd[0])
		i = driver_du(p->initrd);
	if (k >= 0 && i >= 0 && p->disk[0]) {
		int64_t d = driver_du(p->disk);

		i = d < 0 ? d : i + d;
	}
	return k < 0 ? k : i < 0 ? i : k + i;
}

static int64_t qemu_memory(struct target *t, pid_t start_pid)
{
	/* Called while the guest runs, after its beacon. */
	qemu_read_mark(t, 500);
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
