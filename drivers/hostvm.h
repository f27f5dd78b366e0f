/* SPDX-License-Identifier: BSD-3-Clause
 * A host VM: a QEMU guest that lvperf boots itself to play the test server
 * of `--server` (the study's Docker/KVM and LXD/KVM rows: containers on an
 * IaaS VM). The guest is Debian (debootstrap, as disk=debian) with the
 * container platforms, openssh-server and the libraries lvperf-agent
 * needs; lvperf-agent and the beacon come on a second, small disk made per
 * boot, so the big disk does not change with lvperf. Two NICs: a
 * management tap lvp<tag>m with a /30 of 10.250.0.0/16 for ssh, and the
 * dataplane tap lvp<tag>d, which the guest renames lvpup (the agent's
 * uplink) and whose host end the dataplane drives with af_packet.
 * docs/containers-in-vms.md.
 */
#ifndef LVP_HOSTVM_H
#define LVP_HOSTVM_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/* The guest's name for its dataplane NIC: the agent's --uplink. */
#define HOSTVM_UPLINK "lvpup"

struct hostvm_config {
	char machine[8];      /* q35 or pc */
	char accel[8];	      /* tcg or kvm */
	unsigned int mem_mib; /* guest RAM, default 2048 */
	unsigned int smp;     /* vCPUs, default 2 */
	uint64_t timeout_ns;  /* boot to sshd, default 600 s */
};

/*
 * platform (only "qemu") and opts ("machine=q35|pc,accel=tcg|kvm,mem=MiB,
 * smp=N,timeout=SECONDS", any subset, may be NULL) into c. Returns 0 or
 * -EINVAL with one line in err.
 */
int hostvm_config_parse(const char *platform, const char *opts, struct hostvm_config *c, char *err,
			size_t len);

/* The cached image of host VMs (CACHE/images/hostvm-<hash>). */
struct hostvm_image {
	char dir[PATH_MAX - 64];
	char kernel[PATH_MAX]; /* dir/vmlinux (PVH) */
	char initrd[PATH_MAX]; /* the rootfs' own initramfs */
	char disk[PATH_MAX];   /* dir/disk.raw, attached snapshot=on */
	char key[PATH_MAX];    /* dir/id_ed25519: authorized for root in the guest */
	char hostkey[256];     /* the guest's ssh-ed25519 host key: "ssh-ed25519 AAAA..." */
	int reused;
	double build_s;
};

/*
 * Build the host VM image or reuse the cached one (debootstrap of the
 * machine's apt mirror with the platforms, ssh and the agent's libraries;
 * the rootfs' kernel extracted; a raw ext4 disk made with mkfs.ext4 -d).
 * Returns 0 or -errno with one line in err.
 */
int hostvm_image(struct hostvm_image *img, char *err, size_t len);

struct hostvm {
	struct hostvm_config cfg;
	struct hostvm_image img;
	char tag[16];
	char dir[64];	  /* /tmp/lvp<tag>-hostvm: console, agent disk, ssh config */
	char mtap[16];	  /* lvp<tag>m: management */
	char dtap[16];	  /* lvp<tag>d: dataplane */
	char mgmt_ip[16]; /* the guest's management address */
	char uri[48];	  /* ssh://root@<mgmt_ip> */
	char ssh_config[96];
	char port[40];	  /* af_packet:lvp<tag>d, the appliance's end */
	char variant[40]; /* "qemu q35 tcg" */
	char console[96];
	pid_t qemu;
	uint64_t boot_ns;  /* QEMU spawned -> sshd's banner on the management address */
	double guest_up_s; /* the guest's uptime when its NICs were set (console), or -1 */
};

/*
 * Build or reuse the image, make the taps and the agent's disk, spawn QEMU
 * (everything in the ledger first) and wait for the guest's sshd, at most
 * cfg.timeout_ns or until *cancel becomes nonzero (cancel may be NULL).
 * h is zeroed here. Returns 0, or -errno with one line in err after
 * removing what it made.
 */
int hostvm_boot(struct hostvm *h, const struct hostvm_config *cfg,
		const volatile sig_atomic_t *cancel, char *err, size_t len);

/* QEMU's resident set (guest RAM touched plus QEMU's own), or -errno. */
int64_t hostvm_rss(const struct hostvm *h);

/* The host VM as a JSON object (new reference): platform, variant, image,
 * boot_ns, guest_uptime_s, rss_bytes, mem_mib, smp. */
json_t *hostvm_json(const struct hostvm *h);

/* Stop QEMU by PID, remove the taps and the run directory. A zeroed or
 * already destroyed h is fine. */
void hostvm_destroy(struct hostvm *h);

#endif
