/* SPDX-License-Identifier: BSD-3-Clause
 * Memory footprint of a running target, platform-independent: its
 * processes are the ones in the network namespace that holds the target's
 * veth (or its address); RSS and PSS come from /proc/PID/smaps_rollup, the
 * cgroup figure from the memory controller of the cgroup they run in.
 */
#ifndef LVP_FOOTPRINT_H
#define LVP_FOOTPRINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FOOTPRINT_PIDS_MAX 256

/* RSS and PSS summed over a set of processes. */
struct footprint_procs {
	int n;
	pid_t pids[FOOTPRINT_PIDS_MAX];
	int64_t rss;  /* bytes, Rss of smaps_rollup */
	int64_t pss;  /* bytes, Pss: shared pages divided among their users */
	char names[256]; /* "nginx(123) ..." */
};

/*
 * The processes of the network namespace in which interface ifname exists
 * (or, failing that, where ip is a local address), ours excluded. Fills
 * p->pids and p->names; returns how many, or -ENOENT when no such
 * namespace has a process.
 */
int footprint_target_pids(const char *ifname, uint32_t ip, struct footprint_procs *p);

/* Sum RSS and PSS of p->pids (processes gone meanwhile are skipped).
 * Returns 0, or -errno when none could be read. */
int footprint_measure(struct footprint_procs *p);

/*
 * Every descendant of root (root included when with_root), minus those in
 * except (may be NULL), into p (names and pids). Returns how many.
 */
int footprint_tree(pid_t root, int with_root, const struct footprint_procs *except,
		   struct footprint_procs *p);

/* The processes of in whose command name (comm) is comm, into out. */
int footprint_by_comm(const struct footprint_procs *in, const char *comm, struct footprint_procs *out);

/*
 * Memory charged to pid's memory cgroup (cgroup v1 memory.usage_in_bytes,
 * v2 memory.current: page cache included) with the cgroup's path in path.
 * Returns the bytes, -EEXIST when pid shares lvperf's own cgroup (the
 * platform made none for it), or -errno.
 */
int64_t footprint_cgroup(pid_t pid, char *path, size_t len);

/*
 * Memory charged to the cgroups p's processes run in, each counted once (a
 * cgroup inside one already counted is left out: v1 and v2 charge a parent
 * with its children): the sum of footprint_cgroup over them into *bytes
 * (-EEXIST: they share lvperf's own cgroup; -ENOENT: no process; -errno:
 * one unreadable), their paths space-separated into paths. Returns *bytes.
 */
int64_t footprint_cgroups(const struct footprint_procs *p, int64_t *bytes, char *paths, size_t len);

#endif
