/* SPDX-License-Identifier: BSD-3-Clause
 * qemu's disk=debian: a raw ext4 disk of the image builder's debian-vm
 * rootfs, with that rootfs' own kernel and initramfs, made once into the
 * image cache.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "image.h"
#include "ledger.h"
#include "proc.h"
#include "qemu.h"
#include "qemu_int.h"

/*
 * disk=debian: the image builder's debian-vm rootfs of the workload
 * (debootstrap minbase + the service + linux-image-amd64, systemd-sysv,
 * iproute2, and a unit that starts the beacon), made once into a raw ext4
 * disk (mkfs.ext4 -d, no mount) beside it in the image cache, with the
 * rootfs' own kernel extracted to a vmlinux for PVH and its own
 * initramfs (initramfs-tools) to find the disk. The guest boots through
 * systemd; the disk is attached with snapshot=on, so runs never change it.
 */
int qemu_debian_disk(struct target *t, struct qemu_state *p, char *err, size_t len)
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
