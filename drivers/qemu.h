/* SPDX-License-Identifier: BSD-3-Clause
 * The qemu driver's pure parts, for the unit tests: its options and the
 * QEMU command line it builds.
 */
#ifndef LVP_QEMU_H
#define LVP_QEMU_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "driver.h"
#include "image.h"

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

/*
 * The qemu driver's state of one target: driver_qemu keeps it in t->priv;
 * drivers that boot the same guest another way (libvirt) embed it and
 * call the qemu_state_* functions on it.
 */
struct qemu_state {
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

/*
 * Prepare q (zeroed by the caller) for target t: parse t->opts, make the
 * guest's kernel and initramfs or disk, probe KVM, the tap or vhost-user
 * port (t->port), t->variant and t->argv (QEMU's command line). Returns 0,
 * or -errno with one line in err after releasing what it made.
 */
int qemu_state_prepare(struct qemu_state *q, struct target *t, char *err, size_t len);

/* After a run of t (start_pid: QEMU, already reaped; 0: none): read the
 * guest's uptime mark into t->guest_s and drop the console for the next. */
void qemu_state_stop(struct qemu_state *q, struct target *t, pid_t start_pid);

/* Release what q made (tap, run directory); q itself is the caller's.
 * A zeroed q is fine. */
void qemu_state_destroy(struct qemu_state *q);

/* Bytes of kernel + initramfs (+ disk) q boots, or -errno. */
int64_t qemu_state_image_size(const struct qemu_state *q);

/* The guest a prepared qemu target boots, for drivers that start the same
 * guest another way (libvirt). Strings point into q. */
struct qemu_guest {
	const char *dir, *kernel, *initrd, *console, *sock, *machine;
	const char *disk; /* disk=debian: the raw disk, else "" */
	char cmdline[768];
	unsigned int mem_mib;
	int kvm, floor;
};

/* Fill g from q, prepared for t by qemu_state_prepare. Returns 0. */
int qemu_guest(const struct qemu_state *q, const struct target *t, struct qemu_guest *g);

extern const struct driver driver_qemu;

#endif
