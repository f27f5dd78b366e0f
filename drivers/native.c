/* SPDX-License-Identifier: BSD-3-Clause
 * native: the workload as a plain process in an lvp network namespace, the
 * study's baseline. Its image is the static workload binary itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../dataplane/pkt.h"
#include "driver.h"

/* The workload binaries sit next to lvperf (build/beacon). */
static const char *native_binary(const char *workload, char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 16);
	char *slash;

	if (n <= 0 || strcmp(workload, "beacon") != 0)
		return NULL;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	snprintf(slash + 1, len - (size_t)(slash + 1 - buf), "%s", workload);
	return buf;
}

static int native_available(char *why, size_t len)
{
	char path[512];

	if (access("/usr/sbin/ip", X_OK) != 0 && access("/sbin/ip", X_OK) != 0 &&
	    access("/usr/bin/ip", X_OK) != 0) {
		snprintf(why, len, "ip not found (Debian package iproute2)");
		return 0;
	}
	if (!native_binary("beacon", path, sizeof(path)) || access(path, X_OK) != 0) {
		snprintf(why, len, "the beacon workload is missing beside lvperf (ninja -C build)");
		return 0;
	}
	return 1;
}

static int native_prepare(struct target *t, char *err, size_t len)
{
	char bin[512], dst[16], port[8];
	int rc;

	if (!native_binary(t->workload, bin, sizeof(bin)) || access(bin, X_OK) != 0) {
		snprintf(err, len, "native: no '%s' workload binary beside lvperf (only beacon for now)",
			 t->workload);
		return -ENOENT;
	}
	rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
	if (rc)
		return rc;
	snprintf(port, sizeof(port), "%u", t->beacon_port);
	t->argv[0] = NULL;
	if (target_arg(t, "ip") || target_arg(t, "netns") || target_arg(t, "exec") ||
	    target_arg(t, t->link.ns) || target_arg(t, bin) || target_arg(t, "--dst") ||
	    target_arg(t, pkt_format_ip(t->appliance_ip, dst)) || target_arg(t, "--port") ||
	    target_arg(t, port)) {
		snprintf(err, len, "native: start command too long");
		netns_link_destroy(&t->link);
		return -E2BIG;
	}
	return 0;
}

static void native_stop(struct target *t, pid_t start_pid)
{
	(void)t; /* `ip netns exec` execs the workload: its PID is the process */
	(void)start_pid;
}

static void native_destroy(struct target *t)
{
	netns_link_destroy(&t->link);
}

static int64_t native_image_size(struct target *t)
{
	char bin[512];

	if (!native_binary(t->workload, bin, sizeof(bin)))
		return -ENOENT;
	return driver_du(bin);
}

static int64_t native_memory(struct target *t, pid_t start_pid)
{
	(void)t;
	return driver_rss(start_pid);
}

const struct driver driver_native = {
	.name = "native",
	.summary = "a plain process in an lvp network namespace (the baseline)",
	.available = native_available,
	.prepare = native_prepare,
	.stop = native_stop,
	.destroy = native_destroy,
	.image_size = native_image_size,
	.memory = native_memory,
};
