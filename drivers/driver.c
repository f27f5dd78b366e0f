/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "ledger.h"
#include "proc.h"

#include "driver.h"

const struct driver *drivers[DRIVER_MAX + 1];

void driver_register(const struct driver *drv)
{
	static unsigned n;

	if (n == DRIVER_MAX || driver_find(drv->name)) {
		fprintf(stderr, "lvperf: driver %s registered twice or past %d drivers\n", drv->name,
			DRIVER_MAX);
		abort();
	}
	drivers[n++] = drv;
}

void *driver_priv(struct target *t, size_t size)
{
	if (!t->priv)
		t->priv = calloc(1, size);
	return t->priv;
}

void driver_priv_free(struct target *t)
{
	free(t->priv);
	t->priv = NULL;
}

const struct driver *driver_find(const char *name)
{
	const struct driver *const *d;

	for (d = drivers; *d; d++)
		if (strcmp((*d)->name, name) == 0)
			return *d;
	return NULL;
}

const struct driver *driver_with(unsigned caps)
{
	const struct driver *const *d;

	for (d = drivers; *d; d++)
		if (((*d)->caps & caps) == caps)
			return *d;
	return NULL;
}

int driver_can(const char *platform, unsigned caps)
{
	const struct driver *d = driver_find(platform);

	return d && (d->caps & caps) == caps;
}

int64_t driver_du(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -errno;
	return (int64_t)st.st_blocks * 512;
}

int64_t driver_rss(pid_t pid)
{
	char path[64], line[128];
	long long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -ENODATA : (int64_t)kb * 1024;
}

int driver_sibling_bin(const char *name, char *buf, size_t len)
{
	ssize_t n = len > strlen(name) + 2 ? readlink("/proc/self/exe", buf, len - strlen(name) - 2) : -1;
	char *slash;

	if (n <= 0)
		return -ENOENT;
	buf[n] = 0;
	slash = strrchr(buf, '/');
	strcpy(slash ? slash + 1 : buf, name);
	return access(buf, R_OK) == 0 ? 0 : -ENOENT;
}

int driver_beacon_bin(const char *platform, char *buf, size_t len, char *err, size_t errlen)
{
	if (driver_sibling_bin("beacon", buf, len) != 0 || access(buf, X_OK) != 0) {
		snprintf(err, errlen, "%s: the beacon workload is missing at %s (ninja -C build)", platform, buf);
		return -ENOENT;
	}
	return 0;
}

int driver_workload_bin(const char *workload, const char *platform, char *buf, size_t len,
			char *err, size_t errlen)
{
	if (strcmp(workload, "beacon") != 0) {
		snprintf(err, errlen, "%s: no '%s' workload here (only beacon for now)", platform, workload);
		return -ENOENT;
	}
	return driver_beacon_bin(platform, buf, len, err, errlen);
}

int driver_image(struct target *t, const char *platform, struct image *img, struct image_cmd *cmd,
		 char *err, size_t len)
{
	char e[400];
	int rc = image_build(t->workload, t->base ? t->base : "host", img, e, sizeof(e));

	if (rc) {
		snprintf(err, len, "%s: %s", platform, e);
		return rc;
	}
	t->service_port = img->w->port;
	rc = image_cmd(cmd, t, "/beacon", "");
	if (rc)
		snprintf(err, len, "%s: start command too long", platform);
	return rc;
}

void driver_remove_dir(const char *dir)
{
	char *rm[] = { "rm", "-rf", "--one-file-system", "--", (char *)dir, NULL };

	if (ledger_path_ok(dir)) { /* not one made by someone else, or through a link */
		/* What a platform mounted there and did not unmount (a dockerd
		 * that died leaves its container's nsfs under exec/netns):
		 * rm --one-file-system would leave the directory behind. */
		ledger_umount_under(dir);
		proc_run(rm, 1, 60ull * 1000000000u);
	}
	ledger_done(LEDGER_DIRECTORY, dir);
}

static void driver_cgroup_name(const struct target *t, char *buf, size_t len)
{
	snprintf(buf, len, "lvp%s", t->tag);
}

void driver_note_cgroup(const struct target *t)
{
	char cg[24];

	driver_cgroup_name(t, cg, sizeof(cg));
	ledger_add(LEDGER_CGROUP, cg);
}

void driver_remove_cgroup(const struct target *t)
{
	char cg[24];

	driver_cgroup_name(t, cg, sizeof(cg));
	ledger_rmdir_cgroup(cg);
	ledger_done(LEDGER_CGROUP, cg);
}

unsigned driver_spill_note(const char *const *paths)
{
	unsigned mask = 0, n;
	struct stat st;

	for (n = 0; paths[n] && n < 32; n++)
		;
	while (n--) /* shallowest first: cleanup undoes the newest first */
		if (lstat(paths[n], &st) != 0 && ledger_add(LEDGER_SPILL, paths[n]) == 0)
			mask |= 1u << n;
	return mask;
}

void driver_spill_remove(const char *const *paths, unsigned mask)
{
	unsigned i;

	for (i = 0; paths[i] && i < 32; i++)
		if (mask & (1u << i)) {
			ledger_spill_remove(paths[i]);
			ledger_done(LEDGER_SPILL, paths[i]);
		}
}

int driver_check_net(const struct driver *drv, const char *net, char *err, size_t len)
{
	if (!net || !strcmp(net, "direct"))
		return 0;
	if (strcmp(net, "platform")) {
		snprintf(err, len, "--net must be direct or platform, not '%s'", net);
		return -EINVAL;
	}
	if (!drv->platform_net) {
		snprintf(err, len, "%s has no platform network of its own in lvperf: use --net direct", drv->name);
		return -ENOTSUP;
	}
	return 0;
}

int target_platform_net(const struct target *t)
{
	return t->net && !strcmp(t->net, "platform");
}
