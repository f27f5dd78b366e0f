/* SPDX-License-Identifier: BSD-3-Clause
 * Command lines of the VMMs and unikernel launchers lvperf drives for
 * images the user brings (--image): pure functions, unit-tested against
 * the platforms' documented CLIs. drivers/vmm.c runs them.
 */
#ifndef LVP_VMM_H
#define LVP_VMM_H

#include <stddef.h>

#include "driver.h"

/* Everything a command line names. Strings are borrowed. */
struct vmm_spec {
	const char *image;   /* the user's kernel or disk image */
	const char *kernel;  /* optional separate kernel (OSv kernel.elf) */
	const char *name;    /* lvp<tag>: domain / instance / VM name */
	const char *config;  /* a config file the platform reads (firecracker, xl, ops) */
	const char *console; /* serial output file */
	const char *tap;     /* lvp<tag>t, for tap-wired platforms */
	const char *sock;    /* vhost-user socket, for vhost-wired platforms */
	const char *mac;
	const char *variant; /* mirage: hvt|spt; rumprun: kvm|qemu; unikraft: new|legacy */
	char ip[16], gw[16], mask[16];
	unsigned int prefix;
	unsigned int mem_mib;
	int kvm;	     /* QEMU-based: -accel kvm (else tcg) */
};

/* How a platform is wired to the dataplane. */
enum vmm_wire { VMM_WIRE_TAP, VMM_WIRE_VHOST, VMM_WIRE_BRIDGE };

/* The wiring platform name uses, or -1 for an unknown platform. */
int vmm_wire(const char *platform);

/* Fill t->argv with platform's start command for s. Returns 0, -E2BIG, or
 * -EINVAL for an unknown platform or variant. */
int vmm_argv(const char *platform, struct target *t, const struct vmm_spec *s);

/* The config file platform reads (firecracker JSON, xl cfg, ops JSON) into
 * buf. Returns its length, 0 when the platform takes none, -E2BIG. */
int vmm_config(const char *platform, const struct vmm_spec *s, char *buf, size_t len);

/* The QEMU part shared with drivers/qemu.c: see qemu.h. */

#endif
