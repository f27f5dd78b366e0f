/* SPDX-License-Identifier: BSD-3-Clause
 * The XDP reflector (calib/bpf/reflect.bpf.c) from the control side: load
 * it with libbpf, attach it to an interface inside a network namespace,
 * read what it answered, detach it. It answers ICMP echo requests and UDP
 * to port REFLECT_UDP_PORT with XDP_TX; the kernel behind it sees neither.
 */
#ifndef LVP_CALIB_REFLECT_H
#define LVP_CALIB_REFLECT_H

#include <stddef.h>
#include <stdint.h>

#define REFLECT_UDP_PORT 7
#define REFLECT_OBJ "reflect.bpf.o" /* built beside the lvperf binary */

/* Where the program runs: the veth driver's hook (native) or the generic
 * one after the skb is built. Native XDP_TX on a veth needs an XDP program
 * (or NAPI) on the other end, which the af_xdp PMD attaches; with
 * af_packet or tap there is none, and native XDP_TX drops every reply. */
enum reflect_mode {
	REFLECT_NATIVE,
	REFLECT_GENERIC,
};

/* Counts the program keeps (its lvp_reflect_stats map). */
struct reflect_stats {
	uint64_t icmp; /* echo requests answered */
	uint64_t udp;  /* UDP echoes answered */
	uint64_t pass; /* frames left to the kernel (ARP, IPv6, ...) */
};

struct bpf_object;

struct reflect {
	struct bpf_object *obj;
	int prog_fd, stats_fd;
	int ifindex; /* in ns */
	enum reflect_mode mode;
	char ns[16], ifname[16];
	int attached;
};

/*
 * Load the object at path and attach its program to ifname inside network
 * namespace ns ("lvp…", /run/netns/NS), in mode. Namespace switching
 * happens on a short-lived helper thread: the caller's own namespace never
 * changes. Returns 0 or -errno with one line in err (errlen bytes); on
 * failure nothing stays loaded or attached.
 */
int reflect_attach(struct reflect *r, const char *path, const char *ns, const char *ifname,
		   enum reflect_mode mode, char *err, size_t errlen);

/* Read the program's counters. Returns 0 or -errno. */
int reflect_stats(const struct reflect *r, struct reflect_stats *s);

/*
 * Detach the program (only when it is still ours on that interface) and
 * unload the object. Safe to call twice and after a failed attach.
 * Deleting the namespace would also remove it, with the veth.
 */
void reflect_detach(struct reflect *r);

/* "native" or "generic". */
const char *reflect_mode_name(enum reflect_mode mode);

#endif
