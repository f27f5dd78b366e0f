/* SPDX-License-Identifier: BSD-3-Clause
 * native: the workload as a plain process in an lvp network namespace, the
 * study's baseline. It runs the host's own binaries (the static beacon,
 * /usr/sbin/nginx, /usr/bin/redis-server); a service's generated configs
 * and writable run/ and tmp/ live in /tmp/lvp<tag>-native. Its image is
 * those host files and the configs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "image.h"
#include "ledger.h"

struct native_state {
	char dir[128];	  /* /tmp/lvp<tag>-native.<random>: the service's prefix */
	struct image img; /* only for its inputs: the size of what native runs */
	int prepared;
};

/* t's state (t->priv): made by prepare, freed by destroy. */
static struct native_state *native_of(struct target *t)
{
	return driver_priv(t, sizeof(struct native_state));
}

static int native_available(char *why, size_t len)
{
	char path[512];

	if (access("/usr/sbin/ip", X_OK) != 0 && access("/sbin/ip", X_OK) != 0 &&
	    access("/usr/bin/ip", X_OK) != 0) {
		snprintf(why, len, "ip not found (Debian package iproute2)");
		return 0;
	}
	return driver_beacon_bin("native", path, sizeof(path), why, len) == 0;
}

static int native_prepare(struct target *t, char *err, size_t len)
{
	struct native_state *n = native_of(t);
	char bin[512], e[400];
	struct image_cmd cmd;
	int rc = driver_beacon_bin("native", bin, sizeof(bin), err, len), i;

	if (rc)
		return rc;
	if (!n) {
		snprintf(err, len, "native: out of memory");
		return -ENOMEM;
	}
	memset(n, 0, sizeof(*n));
	if (t->base && strcmp(t->base, "host") != 0) {
		snprintf(err, len, "native: it runs the host's own binaries: --base host only");
		return -EINVAL;
	}
	rc = image_build(t->workload, "host", &n->img, e, sizeof(e));
	if (rc) {
		snprintf(err, len, "native: %s", e);
		return rc;
	}
	t->service_port = n->img.w->port;
	ledger_run_dir(n->dir, sizeof(n->dir), t->tag, "native");
	if (n->img.w->bin) {
		rc = ledger_mkdir(n->dir, 0755); /* never one that exists */
		n->prepared = 1;
		if (rc) {
			snprintf(err, len, "native: cannot create %s: %s", n->dir, strerror(-rc));
			n->dir[0] = 0; /* not ours: destroy leaves it */
			t->drv->destroy(t);
			return rc;
		}
		rc = image_write_configs(n->img.w, n->dir, e, sizeof(e));
		if (rc) {
			snprintf(err, len, "native: %s", e);
			t->drv->destroy(t);
			return rc;
		}
	}
	rc = image_cmd(&cmd, t, bin, n->dir);
	if (rc == 0)
		rc = netns_link_create(&t->link, t->tag, t->target_ip, t->prefix_len, 1, err, len);
	else
		snprintf(err, len, "native: start command too long");
	if (rc) {
		t->drv->destroy(t);
		return rc;
	}
	t->argv[0] = NULL;
	if (target_arg(t, "ip") || target_arg(t, "netns") || target_arg(t, "exec") || target_arg(t, t->link.ns))
		rc = -E2BIG;
	for (i = 0; rc == 0 && cmd.argv[i]; i++)
		rc = target_arg(t, cmd.argv[i]);
	if (rc) {
		snprintf(err, len, "native: start command too long");
		t->drv->destroy(t);
	}
	return rc;
}

static void native_stop(struct target *t, pid_t start_pid)
{
	(void)t; /* `ip netns exec` execs the beacon, which execs the service */
	(void)start_pid;
}

static void native_destroy(struct target *t)
{
	if (native_of(t)->prepared) {
		driver_remove_dir(native_of(t)->dir);
		native_of(t)->prepared = 0;
	}
	netns_link_destroy(&t->link);
	driver_priv_free(t);
}

/* The host files it runs and the generated configs. */
static int64_t native_image_size(struct target *t)
{
	struct image_size s;
	char err[400];

	if (!native_of(t)->img.w || image_size_for(&native_of(t)->img, "native", &s, err, sizeof(err)) != 0)
		return -ENOENT;
	return s.du_bytes;
}

static int64_t native_memory(struct target *t, pid_t start_pid)
{
	(void)t;
	return driver_rss(start_pid);
}

const struct driver driver_native = {
	.name = "native",
	.shares_host_tsc = 1,
	.summary = "a plain process in an lvp network namespace (the baseline)",
	.available = native_available,
	.prepare = native_prepare,
	.stop = native_stop,
	.destroy = native_destroy,
	.image_size = native_image_size,
	.memory = native_memory,
	.caps = DRIVER_CAP_IMAGE_BUILDER | DRIVER_CAP_HOST,
};
DRIVER_REGISTER(driver_native)
