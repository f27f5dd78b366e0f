/* SPDX-License-Identifier: BSD-3-Clause
 * Workloads (beacon, nginx, redis) and their images, without a registry: a
 * rootfs made from host binaries and their shared-library closure (base
 * host) or by debootstrap (base debian), the generated configs, the static
 * beacon as /beacon. Images are cached under CACHE/images/<workload>-<hash>
 * (CACHE: $LVPERF_CACHE or /var/cache/lvperf), the hash covering every
 * input (paths, sizes, mtimes, generated configs, the format version), so
 * an image is rebuilt only when an input changes. A build happens in an
 * lvptmp- directory recorded in the ledger and is renamed into place.
 * Files: workload.c (workloads, configs, start commands), image.c (the
 * build and the cache), image_size.c (du, tar, gzip sizes).
 */
#ifndef LVP_IMAGE_H
#define LVP_IMAGE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct target;

struct workload {
	const char *name;
	uint16_t port;	     /* the service's TCP port; 0 for beacon */
	const char *bin;     /* the service binary (host and image path); NULL for beacon */
	const char *package; /* what provides it in Debian */
};

/* The workload called name, or NULL. */
const struct workload *workload_find(const char *name);

struct image {
	const struct workload *w;
	const char *base;	/* "host", "debian" or "debian-vm" */
	char hash[17];
	char dir[PATH_MAX - 64]; /* the cache entry */
	char rootfs[PATH_MAX];	/* dir/rootfs */
	int reused;		/* 1: found in the cache, not built */
	double build_s;		/* seconds spent building (or looking up) */
};

/*
 * Build the image of workload on base ("host", "debian", or "debian-vm":
 * debian plus linux-image-amd64, systemd-sysv and iproute2, with a
 * systemd unit that starts the workload, for VM disks), or reuse the
 * cached one whose inputs are unchanged. Returns 0 or -errno with one line
 * in err.
 */
int image_build(const char *workload, const char *base, struct image *img, char *err, size_t len);

/*
 * Write the workload's generated files (nginx.conf, favicon.ico and index
 * under www/, redis.conf, passwd, group) and its writable run/ and tmp/
 * under root. Returns 0 or -errno with err.
 */
int image_write_configs(const struct workload *w, const char *root, char *err, size_t len);

#define IMAGE_CMD_MAX 24

/* A start command: argv (NULL-terminated) pointing into buf. */
struct image_cmd {
	const char *argv[IMAGE_CMD_MAX];
	char buf[1024];
};

/*
 * The start command of t's workload: the beacon at beacon (t's appliance
 * and beacon port) and, for a service, --count 1 --nofile 20000 --exec
 * and the service with its configs under prefix ("" inside an image, a
 * directory for native). Returns 0 or -E2BIG.
 */
int image_cmd(struct image_cmd *c, const struct target *t, const char *beacon, const char *prefix);

/* The command as one space-separated line (LXC's lxc.init.cmd); no word
 * of it contains a space. Returns 0 or -E2BIG. */
int image_cmd_line(const struct image_cmd *c, char *buf, size_t len);

/* Path of img's rootfs tarball (made once, kept in the cache entry).
 * Returns 0 or -errno with err. */
int image_tar(const struct image *img, char *tar, size_t tarlen, char *err, size_t len);

/* The cache directory ($LVPERF_CACHE or /var/cache/lvperf) into buf. */
void image_cache_root(char *buf, size_t len);

/* The image's name for engines that import it: lvp-<workload>:<hash>. */
void image_ref(const struct image *img, char *buf, size_t len);

struct image_size {
	int64_t du_bytes;   /* allocated blocks, as du counts them */
	int64_t gzip_bytes; /* gzip -6 of a tar of the same files */
	int64_t files;
};

/*
 * The size of what platform needs to start img: the rootfs, or for native
 * the host files (the beacon, the service binary and its libraries) and
 * the generated configs. Returns 0 or -errno with err.
 */
int image_size_for(const struct image *img, const char *platform, struct image_size *s, char *err,
		   size_t len);

/* Allocated bytes of everything under path (du -s, not following links). */
int64_t image_du_tree(const char *path);

#endif
