/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ledger.h"
#include "oci.h"
#include "proc.h"

#define OCI_NOFILE 20000 /* root here lacks CAP_SYS_RESOURCE: at most 20000 */

/* Edit the spec `runc spec` wrote: what runs, where, in which namespace. */
static int oci_edit_config(const char *path, const char *rootfs, const char *const *args,
			   const char *netns, const char *cgroup)
{
	static const char *const tmpfs[] = { "/tmp", "/run" };
	json_error_t jerr;
	json_t *c = json_load_file(path, 0, &jerr), *proc, *a, *ns, *e, *mounts;
	char nspath[128];
	size_t i;
	int rc = -EINVAL;

	if (!c)
		return -EINVAL;
	proc = json_object_get(c, "process");
	ns = json_object_get(json_object_get(c, "linux"), "namespaces");
	if (!json_is_object(proc) || !json_is_array(ns))
		goto out;
	a = json_array();
	for (i = 0; args[i]; i++)
		json_array_append_new(a, json_string(args[i]));
	json_object_set_new(proc, "args", a);
	json_object_set_new(proc, "terminal", json_false());
	json_object_set_new(c, "hostname", json_string("lvp"));
	snprintf(nspath, sizeof(nspath), "/var/run/netns/%s", netns);
	json_array_foreach(ns, i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")) ?: "", "network") == 0)
			json_object_set_new(e, "path", json_string(nspath));
	json_object_set_new(json_object_get(c, "linux"), "cgroupsPath", json_string(cgroup));
	/* The cached image, shared and read-only; what the service writes
	 * (pid file, temp files) goes to tmpfs. */
	json_object_set_new(c, "root", json_pack("{s:s, s:b}", "path", rootfs, "readonly", 1));
	mounts = json_object_get(c, "mounts");
	for (i = 0; json_is_array(mounts) && i < sizeof(tmpfs) / sizeof(tmpfs[0]); i++)
		json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s,s,s]}", "destination", tmpfs[i],
							"type", "tmpfs", "source", "tmpfs", "options", "nosuid",
							"nodev", "mode=1777"));
	json_array_foreach(json_object_get(proc, "rlimits"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")) ?: "", "RLIMIT_NOFILE") == 0) {
			json_object_set_new(e, "soft", json_integer(OCI_NOFILE));
			json_object_set_new(e, "hard", json_integer(OCI_NOFILE));
		}
	rc = json_dump_file(c, path, JSON_INDENT(2)) == 0 ? 0 : -EIO;
out:
	json_decref(c);
	return rc;
}

int oci_dir_create(const char *dir, char *err, size_t len)
{
	char path[PATH_MAX];
	int rc = ledger_mkdir(dir, 0700);

	if (rc) {
		snprintf(err, len, "cannot create %s: %s%s", dir, strerror(-rc),
			 rc == -EEXIST ? " (a run directory is never reused: lvperf cleanup, or remove it)" : "");
		return rc;
	}
	snprintf(path, sizeof(path), "%s/state", dir);
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		snprintf(err, len, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

int oci_bundle_create(const char *dir, const char *rootfs, const char *const *args, const char *netns,
		      const char *cgroup, char *err, size_t len)
{
	char path[PATH_MAX];
	char *spec[] = { "runc", "spec", "--bundle", (char *)dir, NULL };
	int rc = oci_dir_create(dir, err, len);

	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	rc = proc_run(spec, 1, 10000000000ull);
	if (rc != 0) {
		snprintf(err, len, "'runc spec --bundle %s' failed (%d)", dir, rc);
		return -EIO;
	}
	rc = oci_edit_config(path, rootfs, args, netns, cgroup);
	if (rc)
		snprintf(err, len, "cannot edit %s", path);
	return rc;
}

static int64_t oci_du_sum;

static int oci_du_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	oci_du_sum += (int64_t)st->st_blocks * 512;
	return 0;
}

int64_t oci_du_tree(const char *path)
{
	oci_du_sum = 0;
	if (nftw(path, oci_du_fn, 16, FTW_PHYS) != 0)
		return -errno;
	return oci_du_sum;
}

int64_t oci_cgroup_rss(const char *cgroup_path)
{
	char path[PATH_MAX];
	int64_t sum = 0;
	FILE *f;
	int pid, n = 0;

	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory%s%s/cgroup.procs",
		 cgroup_path[0] == '/' ? "" : "/", cgroup_path);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fscanf(f, "%d", &pid) == 1) {
		int64_t r = driver_rss(pid);

		if (r > 0) {
			sum += r;
			n++;
		}
	}
	fclose(f);
	return n ? sum : -ENODATA;
}

int64_t oci_cgroup_rss_children(const char *parent, const char *prefix)
{
	char path[PATH_MAX];
	struct dirent *e;
	int64_t sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory/%s", parent[0] == '/' ? parent + 1 : parent);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char child[PATH_MAX];
		int64_t r;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
		    (prefix && strncmp(e->d_name, prefix, strlen(prefix)) != 0))
			continue;
		snprintf(child, sizeof(child), "%s/%s", parent, e->d_name);
		r = oci_cgroup_rss(child);
		if (r > 0)
			sum += r;
	}
	closedir(d);
	return sum ? sum : -ENODATA;
}
