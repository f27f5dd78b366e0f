/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "driver.h"

extern const struct driver driver_native;
extern const struct driver driver_runc;
extern const struct driver driver_lxc;
extern const struct driver driver_crun;
extern const struct driver driver_podman;
extern const struct driver driver_docker;
extern const struct driver driver_gvisor;

const struct driver *const drivers[] = {
	&driver_native,
	&driver_runc,
	&driver_crun,
	&driver_lxc,
	&driver_podman,
	&driver_docker,
	&driver_gvisor,
	NULL,
};

const struct driver *driver_find(const char *name)
{
	const struct driver *const *d;

	for (d = drivers; *d; d++)
		if (strcmp((*d)->name, name) == 0)
			return *d;
	return NULL;
}

int target_arg(struct target *t, const char *word)
{
	size_t used = 0, n = strlen(word) + 1;
	int i;

	for (i = 0; i < TARGET_ARGV_MAX && t->argv[i]; i++)
		used = (size_t)(t->argv[i] - t->argbuf) + strlen(t->argv[i]) + 1;
	if (i >= TARGET_ARGV_MAX - 1 || used + n > sizeof(t->argbuf))
		return -E2BIG;
	memcpy(t->argbuf + used, word, n);
	t->argv[i] = t->argbuf + used;
	t->argv[i + 1] = NULL;
	return 0;
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
