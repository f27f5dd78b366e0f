/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>
#include <numa.h>

#include "cores.h"

int cores_device_numa(const char *name, int is_pci)
{
	char path[PATH_MAX];
	FILE *f;
	int node = -1;

	snprintf(path, sizeof(path), is_pci ? "/sys/bus/pci/devices/%s/numa_node"
					    : "/sys/class/net/%s/device/numa_node",
		 name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &node) != 1)
		node = -1;
	fclose(f);
	return node;
}

static int cores_node_of(unsigned int cpu)
{
	if (numa_available() < 0)
		return 0;
	return numa_node_of_cpu((int)cpu);
}

/* CPUs listed in /sys/devices/system/cpu/isolated ("2-3,6"). */
static int cores_isolated(unsigned int cpu)
{
	char buf[256], *tok, *save = NULL;
	FILE *f = fopen("/sys/devices/system/cpu/isolated", "r");
	int hit = 0;

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (tok = strtok_r(buf, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
		unsigned int a, b;
		int n = sscanf(tok, "%u-%u", &a, &b);

		if (n == 1)
			b = a;
		if (n >= 1 && cpu >= a && cpu <= b)
			hit = 1;
	}
	return hit;
}

static int cores_parse_user(const char *user, struct core_choice *cc, const cpu_set_t *allowed,
			    char *err, size_t errlen)
{
	unsigned int a, b;
	char extra;
	int n = sscanf(user, "%u,%u%c", &a, &b, &extra);

	if (n == 1 && sscanf(user, "%u%c", &b, &extra) == 1) {
		a = b == 0 ? 1 : 0;
		n = 2;
	}
	if (n != 2 || a == b || a >= CPU_SETSIZE || b >= CPU_SETSIZE) {
		snprintf(err, errlen, "--cores '%s': expected MAIN,WORKER or WORKER (two different CPU numbers)", user);
		return -EINVAL;
	}
	if (!CPU_ISSET(a, allowed) || !CPU_ISSET(b, allowed)) {
		snprintf(err, errlen, "--cores '%s': CPU %u is not available to this process", user,
			 CPU_ISSET(a, allowed) ? b : a);
		return -EINVAL;
	}
	cc->main_cpu = a;
	cc->worker_cpu = b;
	snprintf(cc->why, sizeof(cc->why), "given by --cores");
	return 0;
}

int cores_pick(const char *user, int dev_numa, struct core_choice *cc, char *err, size_t errlen)
{
	hwloc_topology_t topo;
	cpu_set_t allowed;
	int ncores, i, best = -1, best_score = -1, first = -1;
	unsigned int first_cpu = 0, best_cpu = 0;

	memset(cc, 0, sizeof(*cc));
	cc->dev_numa = dev_numa;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
		snprintf(err, errlen, "cannot read CPU affinity: %s", strerror(errno));
		return -errno;
	}
	if (user) {
		int rc = cores_parse_user(user, cc, &allowed, err, errlen);

		if (rc == 0)
			cc->worker_numa = cores_node_of(cc->worker_cpu);
		return rc;
	}
	if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
		snprintf(err, errlen, "hwloc cannot read the CPU topology");
		return -ENODEV;
	}
	ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	for (i = 0; i < ncores; i++) {
		hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)i);
		int pu = hwloc_bitmap_first(core->cpuset);
		int score;

		/* First PU of each core that we may run on; one lcore per core. */
		while (pu >= 0 && !CPU_ISSET((unsigned)pu, &allowed))
			pu = hwloc_bitmap_next(core->cpuset, pu);
		if (pu < 0)
			continue;
		if (first < 0) {
			first = i;
			first_cpu = (unsigned)pu;
			continue;
		}
		score = cores_isolated((unsigned)pu) * 4 +
			(dev_numa >= 0 && cores_node_of((unsigned)pu) == dev_numa) * 2;
		if (score >= best_score) { /* ties go to the higher core */
			best = i;
			best_score = score;
			best_cpu = (unsigned)pu;
		}
	}
	hwloc_topology_destroy(topo);
	if (first < 0 || best < 0) {
		snprintf(err, errlen, "lvperf needs two CPU cores (one for control, one for the dataplane); "
				      "this process may use %d", CPU_COUNT(&allowed));
		return -ENODEV;
	}
	cc->main_cpu = first_cpu;
	cc->worker_cpu = best_cpu;
	cc->worker_numa = cores_node_of(best_cpu);
	snprintf(cc->why, sizeof(cc->why), "%s%s%s", best_score & 4 ? "isolated, " : "",
		 dev_numa < 0 ? "port has no NUMA affinity, "
			      : (best_score & 2 ? "NUMA-local to the port, " : "not NUMA-local to the port, "),
		 "own physical core");
	return 0;
}
