/* SPDX-License-Identifier: BSD-3-Clause
 * The qemu driver's pure parts, for the unit tests: its options and the
 * QEMU command line it builds.
 */
#ifndef LVP_QEMU_H
#define LVP_QEMU_H

#include <stddef.h>

#include "driver.h"

#define QEMU_BIN "qemu-system-x86_64"
#define QEMU_GUEST_MAC "52:54:00:4c:56:50"

struct qemu_config {
	char machine[16]; /* microvm, q35, pc */
	char accel[8];	  /* auto, kvm, tcg */
	char net[8];	  /* vhost, tap */
	char disk[8];	  /* "": kernel + initramfs; "debian": a Debian disk booted by systemd */
	unsigned int mem_mib;
};

/* What the command line points at. initrd and disk may be NULL or "";
 * the disk is attached read-only to its file (snapshot=on). */
struct qemu_paths {
	const char *kernel, *initrd, *console, *sock, *tap, *cmdline, *disk;
};

/* t->opts into c (defaults: microvm, auto, vhost, 256 MiB; with
 * disk=debian: q35, 512 MiB). Returns 0 or -EINVAL with one line in err. */
int qemu_config_parse(const struct target *t, struct qemu_config *c, char *err, size_t len);

/* Fill t->argv with the QEMU command line: kvm selects -accel kvm (else
 * tcg), with_net adds the vhost-user or tap NIC (else -nic none).
 * Returns 0 or -E2BIG. */
int qemu_argv(struct target *t, const struct qemu_config *c, const struct qemu_paths *paths, int kvm,
	      int with_net);

/* Locate the compressed payload in a bzImage of len bytes. Returns 0 with
 * *off and *plen, or -EINVAL. */
int qemu_bzimage_payload(const unsigned char *img, size_t len, size_t *off, size_t *plen);

/* The guest a prepared qemu target boots, for drivers that start the same
 * guest another way (libvirt). Strings point into t's driver state. */
struct qemu_guest {
	const char *dir, *kernel, *initrd, *console, *sock, *machine;
	const char *disk; /* disk=debian: the raw disk, else "" */
	char cmdline[768];
	unsigned int mem_mib;
	int kvm, floor;
};

/* Fill g from t, prepared by driver_qemu. Returns 0 or -EINVAL. */
int qemu_guest(const struct target *t, struct qemu_guest *g);

extern const struct driver driver_qemu;

#endif
