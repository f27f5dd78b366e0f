/* SPDX-License-Identifier: BSD-3-Clause
 * One const struct of operations per platform (native, containers, VMs,
 * unikernels). The commands see only these ops: a driver prepares the
 * image and the network, names the start command (its spawn is the start
 * mark), stops and destroys what it made, and says how big the image is
 * and how much memory the running target uses. Everything a driver makes
 * carries the lvp prefix and is written to the ledger first.
 */
#ifndef LVP_DRIVER_H
#define LVP_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netns.h"

#define TARGET_ARGV_MAX 64

/* One instance of a platform running a workload, attached to a veth whose
 * host end a dataplane port drives. */
struct target {
	const struct driver *drv;
	const char *workload;	/* "beacon", "nginx" or "redis" (image.h) */
	const char *base;	/* image base: "host" (or NULL) or "debian" */
	char tag[11];		/* names: lvp<tag>... */
	uint32_t appliance_ip;	/* where the beacon goes (the dataplane's address) */
	uint32_t target_ip;	/* the target's own address on the veth */
	uint8_t prefix_len;
	uint16_t beacon_port;
	uint16_t service_port;	/* the workload's TCP port on target_ip (nginx 80,
				 * redis 6379), set by prepare; 0 for beacon */
	struct netns_link link; /* the network the target runs in */
	/* "direct" (NULL too): the workload's own interface is the veth peer;
	 * "platform": the platform's default network stands between the veth
	 * and the workload (Docker's bridge, NAT and published ports), kept
	 * inside the lvp namespace. Only drivers with platform_net take it. */
	const char *net;
	/* Where ICMP echoes go when not target_ip (0): with --net platform
	 * the workload's own address behind the platform's network. */
	uint32_t icmp_ip;
	/* The dataplane port for the target ("vhost:/tmp/lvp.../vhost.sock",
	 * "af_packet:lvp...t"), filled by drivers whose target is not behind
	 * link.host_if; empty: the caller drives link.host_if. */
	char port[160];
	/* What this run is, for labels: "microvm tcg vhost-user". Results with
	 * different variants are never mixed in one comparison. */
	char variant[64];
	/* Driver options from the user: "KEY=VALUE,KEY=VALUE" (NULL: none). */
	const char *opts;
	const char *image; /* a user-supplied image (unikernels, VMMs), or NULL */
	/* The guest's own time from its kernel's entry to the workload's
	 * start, in seconds, as it reported it (serial line, boot timer), for
	 * the run stop() just ended; negative when none. Set by stop(). */
	double guest_s;
	/* The target's network namespace as a path, set by prepare when it is
	 * not link.ns (/proc/PID/ns/net of a process holding it); "" : link.ns
	 * when made, else none on this host (VMs). */
	char netns_path[48];
	char *argv[TARGET_ARGV_MAX]; /* the start command, filled by prepare */
	char argbuf[2048];	/* storage behind argv */
	void *priv;		/* the driver's own state */
};

struct driver {
	const char *name;
	const char *summary;
	/* 1: the workload runs on this host's kernel and CPUs and reads the
	 * host's own TSC (native, containers), so the TSC its beacon carries
	 * can be set against lvperf's port stamps; 0: a guest with its own
	 * TSC (VMs), whose offset and rate to the host's are unknown here. */
	int shares_host_tsc;
	/* 1 when the platform can run here; 0 with the precise reason (missing
	 * binary and its Debian package, unusable KVM, ...) in why. */
	int (*available)(char *why, size_t len);
	/* Build or reuse the image, create the network, fill t->argv. Returns 0
	 * or -errno with one line in err. */
	int (*prepare)(struct target *t, char *err, size_t len);
	/* After a run: stop what the start command began beyond its own
	 * process (the caller has already stopped and reaped start_pid). */
	void (*stop)(struct target *t, pid_t start_pid);
	/* Remove everything prepare made. Safe to call twice. */
	void (*destroy)(struct target *t);
	/* Bytes on disk (allocated blocks, as du counts them) of what the
	 * platform needs to start the workload; -errno on failure. */
	int64_t (*image_size)(struct target *t);
	/* Resident memory in bytes of the running target whose start command
	 * is start_pid; -errno on failure. */
	int64_t (*memory)(struct target *t, pid_t start_pid);
	/* Optional (NULL: the platform has no daemon): resident bytes of the
	 * platform's own daemons while t runs (dockerd + containerd, lxd,
	 * conmon...), not counting the target's processes; -errno on failure. */
	int64_t (*daemon_memory)(struct target *t);
	const char *daemon_counts; /* what daemon_memory sums, e.g. "RSS of dockerd and its children" */
	/* Optional (NULL: no daemon of lvperf's): 1 while the platform daemon
	 * lvperf started for t runs; 0 with one line naming it in why
	 * ("dockerd (pid 123) is gone") once it died. Asked before each start
	 * and after a start that failed. */
	int (*daemon_alive)(struct target *t, char *why, size_t len);
	/* Optional: 1 once the VMM has set up the guest's machine (QEMU has
	 * opened the serial console file, which it creates after its machine
	 * and accelerator and before the guest runs), else 0; polled from the
	 * start mark of each run. NULL: the platform has no such stage. */
	int (*vmm_up)(struct target *t);
	/* What --net platform means for this driver; NULL: only --net direct. */
	const char *platform_net;
	unsigned caps; /* DRIVER_CAP_*: what app/ and experiments/ may ask */
};

/* What a platform can do. app/ and experiments/ ask these (and
 * platform_net) instead of naming platforms. */
enum driver_cap {
	DRIVER_CAP_IMAGE_BUILDER = 1u << 0, /* its rootfs is built by drivers/image.c */
	DRIVER_CAP_HOST = 1u << 1,	    /* runs the host's own binaries: --base host only;
					     * the spawn floor's platform */
	DRIVER_CAP_IMAGE_IMPORT = 1u << 2,  /* imports the built image under a reference */
	DRIVER_CAP_VM = 1u << 3,	    /* a guest kernel under a hypervisor */
	DRIVER_CAP_MIN_MEMORY = 1u << 4,    /* memory --min-search sizes its guest (mem=N) */
	DRIVER_CAP_USER_IMAGE = 1u << 5,    /* boots an image the user brings (--image) */
	DRIVER_CAP_FLOOR_GUEST = 1u << 6,   /* workload "floor": lvperf's floor guest on vhost-user */
};

#define DRIVER_MAX 63

/* Every registered driver, NULL-terminated, in registration order: the
 * order of the driver files in meson.build's drivers list (lvperf links
 * them whole), then of their definitions in a file. */
extern const struct driver *drivers[DRIVER_MAX + 1];

/* Add drv to drivers[] (DRIVER_REGISTER does, before main). Over
 * DRIVER_MAX drivers, or a name twice, aborts: a build error. */
void driver_register(const struct driver *drv);

/*
 * Register the driver drv (a const struct driver defined in the same file)
 * before main, as DPDK's RTE_PMD_REGISTER_VDEV: nothing above drivers/
 * keeps a list of platforms. A new platform is one file in drivers/ ending
 * with DRIVER_REGISTER(driver_x) and one line in meson.build.
 */
#define DRIVER_REGISTER(drv)                                                   \
	static void __attribute__((constructor)) drv##_register(void)          \
	{                                                                      \
		driver_register(&drv);                                         \
	}

/*
 * The driver's own state of t (t->priv), size bytes, zeroed and attached
 * on first use; NULL when out of memory. driver_priv_free (in destroy)
 * frees it and clears t->priv; both are safe to call twice.
 */
void *driver_priv(struct target *t, size_t size);
void driver_priv_free(struct target *t);

/* The driver named name, or NULL. */
const struct driver *driver_find(const char *name);

/* The first driver (in drivers[] order) with every capability in caps, or NULL. */
const struct driver *driver_with(unsigned caps);

/* 1 when platform names a driver with every capability in caps, else 0. */
int driver_can(const char *platform, unsigned caps);

/* 0 when drv can attach a target by net ("direct", "platform"; NULL is
 * direct), else -ENOTSUP / -EINVAL with one line in err. */
int driver_check_net(const struct driver *drv, const char *net, char *err, size_t len);

/* 1 when t asks for the platform's own network (--net platform). */
int target_platform_net(const struct target *t);

/* Append a word to t->argv (copied into t->argbuf). Returns 0 or -E2BIG. */
int target_arg(struct target *t, const char *word);

/* The value of option key in t->opts into buf ("" for a bare KEY).
 * Returns 1 when present, 0 when absent, -E2BIG when it does not fit. */
int target_opt(const struct target *t, const char *key, char *buf, size_t len);

/* Allocated bytes of a file (st_blocks * 512), as du counts them. */
int64_t driver_du(const char *path);

/* VmRSS of pid in bytes, from /proc/PID/status. */
int64_t driver_rss(pid_t pid);

/* Path of the static beacon beside lvperf (build/beacon) into buf.
 * Returns 0, or -ENOENT with one line in err naming platform. */
int driver_beacon_bin(const char *platform, char *buf, size_t len, char *err, size_t errlen);

/* For drivers whose guests carry only the beacon (the VMs): its path for
 * workload beacon; -ENOENT with one line in err for any other workload. */
int driver_workload_bin(const char *workload, const char *platform, char *buf, size_t len,
			char *err, size_t errlen);

struct image;
struct image_cmd;

/*
 * Build or reuse the image of t->workload on t->base, set
 * t->service_port, and fill cmd with the start command inside the image
 * (/beacon, then the service). Returns 0 or -errno with err.
 */
int driver_image(struct target *t, const char *platform, struct image *img, struct image_cmd *cmd,
		 char *err, size_t len);

/* rm -rf dir (an lvp directory; nothing when ledger_path_ok refuses it)
 * and close its ledger entry. */
void driver_remove_dir(const char *dir);

/* Remove cgroup lvp<tag> from every controller and close its ledger entry. */
void driver_remove_cgroup(const struct target *t);

/* Open the ledger entry for cgroup lvp<tag> (before the platform makes it). */
void driver_note_cgroup(const struct target *t);

/* The file name beside the lvperf binary (build/NAME) into buf.
 * Returns 0, or -ENOENT when it is not there. */
int driver_sibling_bin(const char *name, char *buf, size_t len);

/*
 * Paths (NULL-terminated, each one of ledger_spill_paths, deepest first)
 * a platform's tool makes outside lvp names: driver_spill_note, just
 * before the tool starts, records in the ledger those that are absent and
 * returns them as a bit mask; driver_spill_remove, after the tool has
 * stopped, removes those (files; directories only when empty).
 */
unsigned driver_spill_note(const char *const *paths);
void driver_spill_remove(const char *const *paths, unsigned mask);

#endif
