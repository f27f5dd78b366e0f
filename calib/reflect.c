/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "reflect.h"

/* The program's map slots (reflect.bpf.c STAT_*). */
enum { STAT_ICMP, STAT_UDP, STAT_PASS, STAT_N };

const char *reflect_mode_name(enum reflect_mode mode)
{
	return mode == REFLECT_NATIVE ? "native" : "generic";
}

static __u32 reflect_flags(enum reflect_mode mode)
{
	return (mode == REFLECT_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE);
}

/* One netlink operation inside the namespace, run by reflect_in_ns(). */
struct reflect_op {
	struct reflect *r;
	int attach;
	int rc;
	char why[160];
};

static void *reflect_ns_thread(void *arg)
{
	struct reflect_op *op = arg;
	struct reflect *r = op->r;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", r->ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
		op->rc = -errno;
		snprintf(op->why, sizeof(op->why), "cannot enter namespace %s: %s", r->ns, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	if (op->attach) {
		r->ifindex = (int)if_nametoindex(r->ifname);
		if (!r->ifindex) {
			op->rc = -errno;
			snprintf(op->why, sizeof(op->why), "no interface %s in %s", r->ifname, r->ns);
			return NULL;
		}
		op->rc = bpf_xdp_attach(r->ifindex, r->prog_fd,
					reflect_flags(r->mode) | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		if (op->rc)
			snprintf(op->why, sizeof(op->why), "cannot attach the XDP reflector (%s) to %s in %s: %s",
				 reflect_mode_name(r->mode), r->ifname, r->ns, strerror(-op->rc));
	} else {
		/* old_prog_fd: only our program comes off, never someone else's. */
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = r->prog_fd);

		op->rc = bpf_xdp_detach(r->ifindex, reflect_flags(r->mode), &o);
	}
	return NULL;
}

/* The thread's namespace dies with it; ours never moves. */
static int reflect_in_ns(struct reflect *r, int attach, char *err, size_t errlen)
{
	struct reflect_op op = { r, attach, 0, "" };
	pthread_t th;
	int rc = pthread_create(&th, NULL, reflect_ns_thread, &op);

	if (rc) {
		snprintf(err, errlen, "cannot start a thread for namespace %s: %s", r->ns, strerror(rc));
		return -rc;
	}
	pthread_join(th, NULL);
	if (op.rc && err)
		snprintf(err, errlen, "%s", op.why);
	return op.rc;
}

int reflect_attach(struct reflect *r, const char *path, const char *ns, const char *ifname,
		   enum reflect_mode mode, char *err, size_t errlen)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int rc;

	memset(r, 0, sizeof(*r));
	r->prog_fd = r->stats_fd = -1;
	r->mode = mode;
	if (strlen(ns) >= sizeof(r->ns) || strlen(ifname) >= sizeof(r->ifname)) {
		snprintf(err, errlen, "namespace or interface name too long");
		return -EINVAL;
	}
	strcpy(r->ns, ns);
	strcpy(r->ifname, ifname);
	r->obj = bpf_object__open_file(path, NULL);
	if (!r->obj) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the XDP reflector %s: %s (ninja -C build)", path,
			 strerror(errno));
		return rc;
	}
	rc = bpf_object__load(r->obj);
	if (rc) {
		snprintf(err, errlen, "the kernel refused the XDP reflector %s: %s", path, strerror(-rc));
		goto fail;
	}
	prog = bpf_object__find_program_by_name(r->obj, "lvp_reflect");
	map = bpf_object__find_map_by_name(r->obj, "lvp_reflect_stats");
	if (!prog || !map) {
		snprintf(err, errlen, "%s has no program lvp_reflect or map lvp_reflect_stats", path);
		rc = -ENOENT;
		goto fail;
	}
	r->prog_fd = bpf_program__fd(prog);
	r->stats_fd = bpf_map__fd(map);
	rc = reflect_in_ns(r, 1, err, errlen);
	if (rc)
		goto fail;
	r->attached = 1;
	return 0;
fail:
	bpf_object__close(r->obj);
	r->obj = NULL;
	return rc;
}

int reflect_stats(const struct reflect *r, struct reflect_stats *s)
{
	uint64_t v[STAT_N];
	__u32 k;

	memset(s, 0, sizeof(*s));
	if (!r->obj)
		return -EBADF;
	for (k = 0; k < STAT_N; k++)
		if (bpf_map_lookup_elem(r->stats_fd, &k, &v[k]) != 0)
			return -errno;
	s->icmp = v[STAT_ICMP];
	s->udp = v[STAT_UDP];
	s->pass = v[STAT_PASS];
	return 0;
}

void reflect_detach(struct reflect *r)
{
	char err[160];

	if (r->attached)
		reflect_in_ns(r, 0, err, sizeof(err));
	r->attached = 0;
	if (r->obj)
		bpf_object__close(r->obj);
	r->obj = NULL;
}
