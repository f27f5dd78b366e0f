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

#include "../dataplane/pkt.h"
#include "ledger.h"
#include "oci.h"
#include "proc.h"

static int oci_copy(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;
	int rc = 0;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	if (n < 0)
		rc = -errno;
	close(in);
	if (close(out) != 0 && !rc)
		rc = -errno;
	return rc;
}

/* Edit the spec `runc spec` wrote: what runs, where, in which namespace. */
static int oci_edit_config(const char *path, const char *const *args, const char *netns,
			   const char *cgroup)
{
	json_error_t jerr;
	json_t *c = json_load_file(path, 0, &jerr), *proc, *a, *ns, *e;
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
	rc = json_dump_file(c, path, JSON_INDENT(2)) == 0 ? 0 : -EIO;
out:
	json_decref(c);
	return rc;
}

int oci_rootfs_create(const char *dir, const char *workload_bin, char *err, size_t len)
{
	static const char *const dirs[] = { "rootfs", "rootfs/proc", "rootfs/sys", "rootfs/dev",
					    "rootfs/tmp", "rootfs/run", "state" };
	char path[PATH_MAX], name[64];
	const char *base = strrchr(workload_bin, '/');
	size_t i;
	int rc;

	rc = ledger_add(LEDGER_DIRECTORY, dir);
	if (rc || (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
		snprintf(err, len, "cannot create %s: %s", dir, strerror(rc ? -rc : errno));
		return rc ? rc : -errno;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			snprintf(err, len, "cannot create %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	snprintf(name, sizeof(name), "%s", base ? base + 1 : workload_bin);
	snprintf(path, sizeof(path), "%s/rootfs/%s", dir, name);
	rc = oci_copy(workload_bin, path);
	if (rc)
		snprintf(err, len, "cannot copy %s into the rootfs: %s", workload_bin, strerror(-rc));
	return rc;
}

int oci_bundle_create(const char *dir, const char *workload_bin, const char *const *args,
		      const char *netns, const char *cgroup, char *err, size_t len)
{
	char path[PATH_MAX];
	char *spec[] = { "runc", "spec", "--bundle", (char *)dir, NULL };
	int rc = oci_rootfs_create(dir, workload_bin, err, len);

	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	rc = proc_run(spec, 1, 10000000000ull);
	if (rc != 0) {
		snprintf(err, len, "'runc spec --bundle %s' failed (%d)", dir, rc);
		return -EIO;
	}
	rc = oci_edit_config(path, args, netns, cgroup);
	if (rc)
		snprintf(err, len, "cannot edit %s", path);
	return rc;
}

int oci_image_tar(const struct target *t, const char *dir, char *tar, size_t tarlen, char *cmd,
		  size_t cmdlen, char *err, size_t len)
{
	char rootfs[PATH_MAX], dst[16];
	char *pack[] = { "tar", "-C", rootfs, "-cf", tar, ".", NULL };

	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	snprintf(tar, tarlen, "%s/image.tar", dir);
	snprintf(cmd, cmdlen, "CMD [\"/beacon\",\"--dst\",\"%s\",\"--port\",\"%u\"]",
		 pkt_format_ip(t->appliance_ip, dst), t->beacon_port);
	if (proc_run(pack, 1, 60ull * 1000000000u) != 0) {
		snprintf(err, len, "cannot pack %s into %s", rootfs, tar);
		return -EIO;
	}
	return 0;
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
