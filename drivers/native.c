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

static int native_available(char *why, size_t len)
{
	char path[512];

	if (access("/usr/sbin/ip", X_OK) != 0 && access("/sbin/ip", X_OK) != 0 &&
	    access("/usr/bin/ip", X_OK) != 0) {
		snprintf(why, len, "ip not found (Debian package iproute2)");
		return 0;
	}
	return driver_workload_bin("beacon", "native", path, sizeof(path), why, len) == 0;
}

static int native_prepare(struct target *t, char *err, size_t len)
{
	char bin[512], dst[16], port[8];
	int rc = driver_workload_bin(t->workload, "native", bin, sizeof(bin), err, len);

	if (rc)
		return rc;
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
	char bin[512], err[160];

	if (driver_workload_bin(t->workload, "native", bin, sizeof(bin), err, sizeof(err)))
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
