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
	unsigned long v[CORES_WORKERS_MAX + 1];
	unsigned int n = 0, i;
	const char *p = user;
	char *end;

	while (*p) {
		if (n == CORES_WORKERS_MAX + 1 || *p < '0' || *p > '9')
			goto bad;
		v[n++] = strtoul(p, &end, 10);
		if (v[n - 1] >= CPU_SETSIZE || (*end && *end != ',') || (*end == ',' && !end[1]))
			goto bad;
		p = *end ? end + 1 : end;
	}
	if (n == 0)
		goto bad;
	if (n == 1) { /* WORKER alone: control on CPU 0 (1 when the worker is 0) */
		v[1] = v[0];
		v[0] = v[1] == 0 ? 1 : 0;
		n = 2;
	}
	for (i = 0; i < n; i++) {
		if (i && v[i] == v[0]) {
			snprintf(err, errlen, "--cores '%s': a worker CPU must differ from the control CPU (the first)",
				 user);
			return -EINVAL;
		}
		if (!CPU_ISSET(v[i], allowed)) {
			snprintf(err, errlen, "--cores '%s': CPU %lu is not available to this process", user, v[i]);
			return -EINVAL;
		}
	}
	cc->main_cpu = (unsigned int)v[0];
	cc->worker_cpu = (unsigned int)v[1];
	cc->n_user = n - 1;
	for (i = 1; i < n; i++)
		cc->user_cpus[i - 1] = (unsigned int)v[i];
	snprintf(cc->why, sizeof(cc->why), "given by --cores");
	return 0;
bad:
	snprintf(err, errlen,
		 "--cores '%s': expected MAIN,WORKER[,WORKER...] or WORKER (CPU numbers, the first for control)",
		 user);
	return -EINVAL;
}

int cores_workers(struct core_choice *cc, unsigned int n, char *err, size_t errlen)
{
	cpu_set_t allowed;
	unsigned int i, cpu;

	if (n < 1 || n > CORES_WORKERS_MAX) {
		snprintf(err, errlen, "--workers %u: between 1 and %d", n, CORES_WORKERS_MAX);
		return -EINVAL;
	}
	cc->n_workers = n;
	cc->worker_cpus[0] = cc->worker_cpu;
	if (cc->n_user) {
		if (cc->n_user != n && cc->n_user != 1) {
			snprintf(err, errlen,
				 "--cores lists %u worker CPU(s) for --workers %u: give one per worker "
				 "(MAIN,W0,W1,...) or one for all",
				 cc->n_user, n);
			return -EINVAL;
		}
		for (i = 0; i < n; i++)
			cc->worker_cpus[i] = cc->user_cpus[cc->n_user == 1 ? 0 : i];
		return 0;
	}
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		CPU_ZERO(&allowed);
	/* worker_cpu first, then the allowed CPUs above it, wrapping round,
	 * never main_cpu. */
	for (i = 1, cpu = cc->worker_cpu; i < n; i++) {
		unsigned int tries;

		for (tries = 0; tries < CPU_SETSIZE; tries++) {
			cpu = (cpu + 1) % CPU_SETSIZE;
			if (CPU_ISSET(cpu, &allowed) && cpu != cc->main_cpu)
				break;
		}
		cc->worker_cpus[i] = tries < CPU_SETSIZE ? cpu : cc->worker_cpu;
	}
	return 0;
}

int cores_workers_share(const struct core_choice *cc)
{
	unsigned int i, j;

	for (i = 0; i < cc->n_workers; i++)
		for (j = i + 1; j < cc->n_workers; j++)
			if (cc->worker_cpus[i] == cc->worker_cpus[j])
				return 1;
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
	cc->n_workers = 1;
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
	cc->worker_cpus[0] = best_cpu;
	cc->worker_numa = cores_node_of(best_cpu);
	snprintf(cc->why, sizeof(cc->why), "%s%s%s", best_score & 4 ? "isolated, " : "",
		 dev_numa < 0 ? "port has no NUMA affinity, "
			      : (best_score & 2 ? "NUMA-local to the port, " : "not NUMA-local to the port, "),
		 "own physical core");
	return 0;
}
