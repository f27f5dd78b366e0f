/* SPDX-License-Identifier: BSD-3-Clause
 * Choosing the main (control) lcore and the dataplane worker lcore.
 */
#ifndef LVP_CORES_H
#define LVP_CORES_H

#include <stddef.h>

struct core_choice {
	unsigned int main_cpu;
	unsigned int worker_cpu;
	int worker_numa; /* NUMA node of the worker CPU */
	int dev_numa;	 /* NUMA node of the port's device, -1 when none */
	char why[160];	 /* one line: how the worker was chosen */
};

/*
 * Pick CPUs. user is NULL (automatic: hwloc's cores among the CPUs this
 * process may use; the worker on a core other than the main one, preferring
 * isolated CPUs, then the device's NUMA node, then the highest core) or
 * "MAIN,WORKER" / "WORKER". dev_numa is the port device's node or -1.
 * Returns 0 or -EINVAL/-ENODEV with a reason in err.
 */
int cores_pick(const char *user, int dev_numa, struct core_choice *cc, char *err, size_t errlen);

/* NUMA node of a PCI device (BDF) or network interface, -1 when unknown. */
int cores_device_numa(const char *bdf_or_iface, int is_pci);

#endif
