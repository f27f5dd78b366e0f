/* SPDX-License-Identifier: BSD-3-Clause
 * Choosing the main (control) lcore and the dataplane worker lcore.
 */
#ifndef LVP_CORES_H
#define LVP_CORES_H

#include <stddef.h>

#define CORES_WORKERS_MAX 8

struct core_choice {
	unsigned int main_cpu;
	unsigned int worker_cpu; /* worker 0 */
	unsigned int n_workers;	 /* after cores_workers(); 1 before */
	unsigned int worker_cpus[CORES_WORKERS_MAX];
	unsigned int n_user;	 /* worker CPUs listed in --cores (0: automatic) */
	unsigned int user_cpus[CORES_WORKERS_MAX];
	int worker_numa; /* NUMA node of the worker CPU */
	int dev_numa;	 /* NUMA node of the port's device, -1 when none */
	char why[160];	 /* one line: how the worker was chosen */
};

/*
 * Pick CPUs. user is NULL (automatic: hwloc's cores among the CPUs this
 * process may use; the worker on a core other than the main one, preferring
 * isolated CPUs, then the device's NUMA node, then the highest core) or
 * "MAIN,WORKER[,WORKER...]" / "WORKER". dev_numa is the port device's node or -1.
 * Returns 0 or -EINVAL/-ENODEV with a reason in err.
 */
int cores_pick(const char *user, int dev_numa, struct core_choice *cc, char *err, size_t errlen);

/*
 * Place n workers (1..CORES_WORKERS_MAX) after cores_pick: the CPUs --cores
 * listed (MAIN,W0,..,Wn-1: exactly n of them, or one shared by all), or
 * automatically worker_cpu, then the other CPUs this process may use except
 * main_cpu, wrapping around (workers then share CPUs). Returns 0 or -EINVAL.
 */
int cores_workers(struct core_choice *cc, unsigned int n, char *err, size_t errlen);

/* Nonzero when two of the workers share a CPU. */
int cores_workers_share(const struct core_choice *cc);

/* NUMA node of a PCI device (BDF) or network interface, -1 when unknown. */
int cores_device_numa(const char *bdf_or_iface, int is_pci);

#endif
