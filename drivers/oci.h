/* SPDX-License-Identifier: BSD-3-Clause
 * OCI bundles for the runtimes that take one (runc, crun, runsc): a
 * config.json that starts from `runc spec`, runs the workload's image
 * (image.h) read-only and joins the target's lvp network namespace.
 */
#ifndef LVP_OCI_H
#define LVP_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"

/* Make DIR (recorded in the ledger first) and an empty DIR/state.
 * Returns 0 or -errno with one line in err. */
int oci_dir_create(const char *dir, char *err, size_t len);

/*
 * oci_dir_create(), then DIR/config.json (from `runc spec`) running args
 * (NULL-terminated) from ROOTFS (an image in the cache, mounted
 * read-only, tmpfs on /tmp and /run) in network namespace
 * /var/run/netns/NETNS, cgroup path CGROUP, RLIMIT_NOFILE 20000 (root
 * here cannot raise it further). Returns 0 or -errno with one line in err.
 */
int oci_bundle_create(const char *dir, const char *rootfs, const char *const *args, const char *netns,
		      const char *cgroup, char *err, size_t len);

/* Allocated bytes of everything under path (du -s). */
int64_t oci_du_tree(const char *path);

/* Sum of VmRSS of the processes in the memory cgroups directly below
 * /sys/fs/cgroup/memory/PARENT whose names start with prefix (NULL: all):
 * the containers an engine put there, without its own helpers. */
int64_t oci_cgroup_rss_children(const char *parent, const char *prefix);

/* Sum of VmRSS of the processes in memory cgroup /sys/fs/cgroup/memory/PATH. */
int64_t oci_cgroup_rss(const char *cgroup_path);

#endif
