/* SPDX-License-Identifier: BSD-3-Clause
 * qemu's guest kernel: Debian's linux-image-amd64 fetched with apt-get
 * download (nothing installed on the host), its bzImage unpacked to the
 * vmlinux QEMU boots by PVH, its virtio modules, into QEMU_CACHE; and the
 * floor guest's binary.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "ledger.h"
#include "proc.h"
#include "qemu.h"
#include "qemu_int.h"

/* The virtio-net modules of Debian's kernel in load order (dependencies
 * first), with their paths under lib/modules/<version>/kernel. */
const char *const qemu_modules[][2] = {
	{ "virtio_ring", "drivers/virtio" },	      { "virtio", "drivers/virtio" },
	{ "virtio_pci_modern_dev", "drivers/virtio" }, { "virtio_pci_legacy_dev", "drivers/virtio" },
	{ "virtio_pci", "drivers/virtio" },	      { "virtio_mmio", "drivers/virtio" },
	{ "failover", "net/core" },		      { "net_failover", "drivers/net" },
	{ "virtio_net", "drivers/net" },
};
const size_t qemu_nmodules = sizeof(qemu_modules) / sizeof(qemu_modules[0]);

/* Run argv with stdout into path (created, truncated). Returns the exit
 * status or -errno. */
static int qemu_run_to_file(char *const argv[], const char *path)
{
	struct proc_io io = { .out = path, .err = "/dev/null", .mode = 0644 };
	pid_t pid;
	int rc, status;

	rc = proc_spawn_io(argv, &io, &pid);
	if (rc)
		return rc;
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
int qemu_extract_vmlinux(const char *bz, const char *tmpdir, const char *out, char *err, size_t len)
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
int qemu_find_entry(const char *dir, const char *prefix, const char *suffix, char *out, size_t len)
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
int qemu_kernel_fetch(const struct target *t, char *err, size_t len)
{
	char tmp[64], deb[512], dep[256], pkg[128], path[PATH_MAX], to[PATH_MAX], x[96], mods[512];
	char *depargv[] = { "dpkg-deb", "-f", deb, "Depends", NULL };
	char *xargv[] = { "dpkg-deb", "-x", deb, x, NULL };
	int rc;

	ledger_run_dir(tmp, sizeof(tmp), t->tag, "kernel");
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
	for (size_t i = 0; i < qemu_nmodules; i++) {
		snprintf(path, sizeof(path), "%s/kernel/%s/%s.ko", mods, qemu_modules[i][1], qemu_modules[i][0]);
		snprintf(to, sizeof(to), "%s/%s.ko", QEMU_CACHE, qemu_modules[i][0]);
		if (access(path, R_OK) == 0 && (rc = file_copy(path, to, 0644, 0)) != 0) {
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
int qemu_floor_bin(char *buf, size_t len, char *err, size_t errlen)
{
	if (driver_sibling_bin("floor-guest", buf, len) != 0) {
		snprintf(err, errlen, "qemu: the floor guest is missing at %s (ninja -C build)", buf);
		return -ENOENT;
	}
	return 0;
}
