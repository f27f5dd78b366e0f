/* SPDX-License-Identifier: BSD-3-Clause
 * What qemu.c (the machine), qemu_kernel.c, qemu_initrd.c and qemu_disk.c
 * share; other drivers use qemu.h.
 */
#ifndef LVP_QEMU_INT_H
#define LVP_QEMU_INT_H

#include <stddef.h>

#include "qemu.h"

#define QEMU_CACHE "/var/cache/lvperf/qemu/linux"
#define QEMU_MARK_INIT "lvp-guest-init"
#define QEMU_MARK_BEACON "lvp-guest-beacon uptime="
#define QEMU_MODDIR "lvpmod" /* the virtio modules in the initramfs */

/* The virtio-net modules of Debian's kernel in load order (dependencies
 * first): {name, directory under lib/modules/<version>/kernel}. */
extern const char *const qemu_modules[][2];
extern const size_t qemu_nmodules;

/* Make QEMU_CACHE (vmlinux and the modules) for t (its tag names the
 * temporary directory). Returns 0 or -errno with one line in err. */
int qemu_kernel_fetch(const struct target *t, char *err, size_t len);

/* The bzImage bz → an uncompressed vmlinux ELF at out, through tmpdir.
 * Returns 0 or -errno with one line in err. */
int qemu_extract_vmlinux(const char *bz, const char *tmpdir, const char *out, char *err, size_t len);

/* The first entry of dir whose name starts with prefix and ends with
 * suffix, as dir/name into out. Returns 0, -ENOENT or -errno. */
int qemu_find_entry(const char *dir, const char *prefix, const char *suffix, char *out, size_t len);

/* The floor guest's path beside lvperf into buf. Returns 0 or -ENOENT
 * with err. */
int qemu_floor_bin(char *buf, size_t len, char *err, size_t errlen);

/* Write p->initrd (in p->dir) for t's workload; for a service p->img is
 * built. Returns 0 or -errno with err. */
int qemu_make_initrd(struct target *t, struct qemu_state *p, char *err, size_t len);

/* disk=debian: p->img, p->kernel, p->initrd, p->disk and p->start for t,
 * made once into the image cache. Returns 0 or -errno with err. */
int qemu_debian_disk(struct target *t, struct qemu_state *p, char *err, size_t len);

#endif
