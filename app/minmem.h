/* SPDX-License-Identifier: BSD-3-Clause
 * The study's minimum-memory search, made automatic: boot the target with
 * decreasing memory in fixed steps, measure the workload's throughput at
 * each size, and find the least memory at which throughput stays within a
 * tolerance of the baseline (the first, largest size), and the least at
 * which the target boots and serves at all. Pure: the boots and loads are
 * behind an oracle, so the logic is tested without VMs.
 */
#ifndef LVP_MINMEM_H
#define LVP_MINMEM_H

#define MINMEM_POINTS_MAX 512

struct minmem_point {
	unsigned int mem_mib;
	int rc;	     /* the oracle's: 0 served, <0 did not boot or serve */
	double rate; /* requests/s when rc == 0: the best of its runs */
	int within;  /* rate >= baseline * (1 - tolerance) */
	unsigned int runs; /* how often it was measured (1 + retries used) */
};

/*
 * Measure the target booted with mem_mib MiB: 0 with *rate (requests/s),
 * or -errno when it did not boot or serve (why: one line, may be left
 * empty).
 */
typedef int (*minmem_oracle)(unsigned int mem_mib, double *rate, char *why, unsigned int whylen,
			     void *arg);

struct minmem_search {
	/* in */
	unsigned int start_mib; /* the baseline size, measured first */
	unsigned int step_mib;	/* decrement */
	unsigned int floor_mib; /* do not go below */
	double tolerance;	/* fraction of the baseline, 0.05 for 5 % */
	unsigned int retries;	/* a size below the tolerance is measured again up to
				 * this often, its best rate counting: interference on
				 * a shared machine only ever lowers a rate */
	/* out */
	double baseline;	    /* rate at start_mib */
	unsigned int min_within_mib; /* lowest size of the unbroken run of sizes from
				      * start_mib down that all stay within the tolerance */
	unsigned int min_serving_mib; /* lowest size that booted and served */
	unsigned int first_failed_mib; /* the size that did not boot or serve (0: none) */
	char failed_why[256];
	struct minmem_point pts[MINMEM_POINTS_MAX];
	unsigned int n;
};

/*
 * Run the search: start_mib, then start_mib - step, ... down to
 * floor_mib, stopping at the first size that does not boot or serve (a
 * retry that does not serve keeps the size's earlier rate).
 * Returns 0, -EINVAL for bad parameters (step or floor 0, floor above start,
 * tolerance outside [0, 1)), or the oracle's error at the baseline (why
 * in s->failed_why).
 */
int minmem_run(struct minmem_search *s, minmem_oracle oracle, void *arg);

#endif
