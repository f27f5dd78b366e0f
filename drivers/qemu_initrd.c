/* SPDX-License-Identifier: BSD-3-Clause
 * qemu's initramfs: busybox and the static beacon (workload beacon) or the
 * image builder's rootfs of the service, the virtio modules, and an /init
 * that loads them, addresses eth0, prints the guest's uptime on the serial
 * line and execs the beacon.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "cpio.h"
#include "driver.h"
#include "image.h"
#include "qemu.h"
#include "qemu_int.h"

/* /init of the Linux guest: modules, eth0, a serial line with the guest's
 * uptime, then the beacon as PID 1 (which, for a service, execs it). */
static int qemu_init_script(const struct target *t, const char *start, char *buf, size_t len)
{
	char ip[16], mods[512] = "";
	size_t used = 0;

	for (size_t i = 0; i < qemu_nmodules; i++)
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
int qemu_make_initrd(struct target *t, struct qemu_state *p, char *err, size_t len)
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
	for (size_t i = 0; i < qemu_nmodules; i++) {
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
