/* SPDX-License-Identifier: BSD-3-Clause
 * OCI bundles for the runtimes that take one (runc; crun and runsc next):
 * a rootfs made from the static workload binary, and a config.json that
 * starts from `runc spec` and joins the target's lvp network namespace.
 */
#ifndef LVP_OCI_H
#define LVP_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"

/*
 * Make DIR (recorded in the ledger first) with DIR/rootfs holding the
 * workload binary as /WORKLOAD and empty proc, sys, dev, tmp and run, and
 * an empty DIR/state. Returns 0 or -errno with one line in err.
 */
int oci_rootfs_create(const char *dir, const char *workload_bin, char *err, size_t len);

/*
 * oci_rootfs_create(), then DIR/config.json (from `runc spec`) running
 * args (NULL-terminated) in network namespace /var/run/netns/NETNS, cgroup
 * path CGROUP, with the spec's RLIMIT_NOFILE of 1024 (root here cannot
 * raise it past 20000). Returns 0 or -errno with one line in err.
 */
int oci_bundle_create(const char *dir, const char *workload_bin, const char *const *args,
		      const char *netns, const char *cgroup, char *err, size_t len);

/*
 * For engines that import images (docker, podman): pack DIR/rootfs into
 * DIR/image.tar (path into tar) and write the import's CMD instruction
 * running the beacon at t's appliance into cmd. Returns 0 or -EIO with
 * err.
 */
int oci_image_tar(const struct target *t, const char *dir, char *tar, size_t tarlen, char *cmd,
		  size_t cmdlen, char *err, size_t len);

/* Allocated bytes of everything under path (du -s). */
int64_t oci_du_tree(const char *path);

/* Sum of VmRSS of the processes in the memory cgroups directly below
 * /sys/fs/cgroup/memory/PARENT whose names start with prefix (NULL: all):
 * the containers an engine put there, without its own helpers. */
int64_t oci_cgroup_rss_children(const char *parent, const char *prefix);

/* Sum of VmRSS of the processes in memory cgroup /sys/fs/cgroup/memory/PATH. */
int64_t oci_cgroup_rss(const char *cgroup_path);

#endif
