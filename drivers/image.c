/* SPDX-License-Identifier: BSD-3-Clause
 * Image building: the inputs of an image (host binaries and their library
 * closure, or a Debian mirror), its cache key, and the rootfs assembled in
 * an lvptmp- directory and renamed into the cache. Workloads and start
 * commands are in workload.c, sizes in image_size.c.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "image.h"
#include "image_int.h"
#include "ledger.h"
#include "proc.h"

/* Paths here are built from the cache directory and PATH_MAX buffers; one
 * cut short fails at the open() or mkdir() that uses it, with its error. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* Bump when the layout or the generated files change meaning. */
#define IMAGE_FORMAT "lvperf-image-4"
#define IMAGE_CACHE_DEFAULT "/var/cache/lvperf"
/* what base debian-vm adds to debian: a kernel and an init system */
#define IMAGE_VM_PACKAGES "linux-image-amd64,systemd-sysv,iproute2"
#define IMAGE_BUSYBOX "/bin/busybox"

int image_spawn(char *const argv[], const char *in, const char *out, int log, uint64_t timeout_ns)
{
	struct proc_io io = { .in = in ? in : "/dev/null", .out = out ? out : "/dev/null",
			      .err = log ? PROC_IO_STDOUT : "/dev/null", .mode = 0644 };
	int rc, status;
	pid_t pid;

	rc = proc_spawn_io(argv, &io, &pid);
	if (rc)
		return rc;
	ledger_add_pid(pid);
	rc = proc_wait(pid, timeout_ns, &status);
	if (rc == -ETIMEDOUT)
		rc = proc_stop(pid, IMAGE_SEC, &status);
	ledger_done_pid(pid);
	if (rc)
		return rc;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static double image_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


static int image_beacon_bin(char *buf, size_t len)
{
	return driver_sibling_bin("beacon", buf, len) == 0 && access(buf, X_OK) == 0 ? 0 : -ENOENT;
}

static int image_add(struct image_inputs *in, const char *src, const char *dst)
{
	int i;

	for (i = 0; i < in->n; i++)
		if (strcmp(in->f[i].dst, dst) == 0)
			return 0;
	if (in->n >= IMAGE_INPUTS_MAX)
		return -E2BIG;
	snprintf(in->f[in->n].src, sizeof(in->f[0].src), "%s", src);
	snprintf(in->f[in->n].dst, sizeof(in->f[0].dst), "%s", dst);
	in->n++;
	return 0;
}

/* bin and the shared libraries and loader ldd lists for it. */
static int image_add_closure(struct image_inputs *in, const char *bin, char *err, size_t len)
{
	char out[8192], *line, *save = NULL;
	char *argv[] = { "ldd", (char *)bin, NULL };
	int rc = proc_output(argv, out, sizeof(out), 30 * IMAGE_SEC);

	if (rc != 0) {
		snprintf(err, len, "'ldd %s' failed (%d): is the workload's package installed?", bin, rc);
		return -EIO;
	}
	if (image_add(in, bin, bin))
		goto big;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "=> "), path[256];

		p = p ? p + 3 : line + strspn(line, " \t");
		if (*p != '/' || sscanf(p, "%255s", path) != 1)
			continue; /* linux-vdso.so.1, "not found" */
		if (image_add(in, path, path))
			goto big;
	}
	return 0;
big:
	snprintf(err, len, "%s needs more than %d files", bin, IMAGE_INPUTS_MAX);
	return -E2BIG;
}

/* The mirror and suite the machine's apt sources use, read now from
 * /etc/apt/sources.list and sources.list.d (one-line and deb822). */
static int image_apt_mirror(char *uri, size_t urilen, char *suite, size_t suitelen)
{
	static const char *const top = "/etc/apt/sources.list";
	char path[PATH_MAX], line[1024];
	struct dirent *e;
	DIR *d;
	int found = 0;

	for (int pass = 0; pass < 2 && !found; pass++) {
		char files[16][320];
		int nf = 0;

		if (pass == 0) {
			snprintf(files[nf++], sizeof(files[0]), "%s", top);
		} else if ((d = opendir("/etc/apt/sources.list.d"))) {
			while ((e = readdir(d)) && nf < 16) {
				size_t l = strlen(e->d_name);

				if ((l > 5 && strcmp(e->d_name + l - 5, ".list") == 0) ||
				    (l > 8 && strcmp(e->d_name + l - 8, ".sources") == 0))
					snprintf(files[nf++], sizeof(files[0]), "/etc/apt/sources.list.d/%s", e->d_name);
			}
			closedir(d);
		}
		for (int i = 0; i < nf && !found; i++) {
			char uris[512] = "", suites[512] = "", types[64] = "";
			FILE *f;

			snprintf(path, sizeof(path), "%s", files[i]);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (!found && fgets(line, sizeof(line), f)) {
				char a[512], b[512], c[64];

				line[strcspn(line, "\n")] = 0;
				if (sscanf(line, "deb %511s %511s", a, b) == 2 && a[0] != '[') {
					if (!strchr(b, '-')) { /* the release itself, not -updates */
						snprintf(uri, urilen, "%s", a);
						snprintf(suite, suitelen, "%s", b);
						found = 1;
					}
					continue;
				}
				if (sscanf(line, "Types: %63[^\n]", c) == 1)
					snprintf(types, sizeof(types), "%s", c);
				else if (sscanf(line, "URIs: %511s", a) == 1)
					snprintf(uris, sizeof(uris), "%s", a);
				else if (sscanf(line, "Suites: %511[^\n]", a) == 1)
					snprintf(suites, sizeof(suites), "%s", a);
				if (line[0] == 0 || feof(f)) { /* end of a deb822 stanza */
					char *s, *sv = NULL;

					for (s = strtok_r(suites, " ", &sv); s && !found && uris[0] &&
					     strstr(types, "deb") && !strstr(types, "deb-src") ;
					     s = strtok_r(NULL, " ", &sv))
						if (!strchr(s, '-')) {
							snprintf(uri, urilen, "%s", uris);
							snprintf(suite, suitelen, "%s", s);
							found = 1;
						}
					uris[0] = suites[0] = types[0] = 0;
				}
			}
			/* a stanza that ends the file without a blank line */
			if (!found && uris[0] && suites[0] && strstr(types, "deb")) {
				char *s, *sv = NULL;

				for (s = strtok_r(suites, " ", &sv); s && !found; s = strtok_r(NULL, " ", &sv))
					if (!strchr(s, '-')) {
						snprintf(uri, urilen, "%s", uris);
						snprintf(suite, suitelen, "%s", s);
						found = 1;
					}
			}
			fclose(f);
		}
	}
	return found ? 0 : -ENOENT;
}

int image_collect(const struct workload *w, const char *base, struct image_inputs *in,
			 char *err, size_t len)
{
	char beacon[PATH_MAX];
	int rc;

	memset(in, 0, sizeof(*in));
	if (image_beacon_bin(beacon, sizeof(beacon)) != 0) {
		snprintf(err, len, "image: the beacon is missing beside lvperf (ninja -C build)");
		return -ENOENT;
	}
	image_add(in, beacon, "/beacon");
	if (strncmp(base, "debian", 6) == 0) {
		if (image_apt_mirror(in->mirror, sizeof(in->mirror), in->suite, sizeof(in->suite)) != 0) {
			snprintf(err, len, "image: no Debian mirror in /etc/apt/sources.list or sources.list.d");
			return -ENOENT;
		}
		if (access("/usr/sbin/debootstrap", X_OK) != 0) {
			snprintf(err, len, "image: --base debian needs debootstrap (Debian package debootstrap)");
			return -ENOENT;
		}
		return 0;
	}
	if (!w->bin)
		return 0;
	if (access(w->bin, X_OK) != 0) {
		snprintf(err, len, "image: %s missing (Debian package %s)", w->bin, w->package);
		return -ENOENT;
	}
	rc = image_add_closure(in, w->bin, err, len);
	if (rc)
		return rc;
	if (access(IMAGE_BUSYBOX, X_OK) != 0) {
		snprintf(err, len, "image: %s missing (Debian package busybox-static)", IMAGE_BUSYBOX);
		return -ENOENT;
	}
	return image_add(in, IMAGE_BUSYBOX, "/bin/busybox");
}

/* FNV-1a, 64 bit (Fowler, Noll, Vo): a cache key, not a security hash. */
static void image_fnv(uint64_t *h, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n--) {
		*h ^= *p++;
		*h *= 0x100000001b3ull;
	}
}

static int image_hash(const struct workload *w, const char *base, const struct image_inputs *in,
		      char out[17], char *err, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned char ico[IMAGE_ICO_LEN];
	struct image_gen g[6];
	int i, n;

	image_fnv(&h, IMAGE_FORMAT, sizeof(IMAGE_FORMAT));
	image_fnv(&h, w->name, strlen(w->name) + 1);
	image_fnv(&h, base, strlen(base) + 1);
	image_fnv(&h, in->mirror, strlen(in->mirror) + 1);
	image_fnv(&h, in->suite, strlen(in->suite) + 1);
	for (i = 0; i < in->n; i++) {
		struct stat st;
		int64_t v[3];

		if (stat(in->f[i].src, &st) != 0) {
			snprintf(err, len, "image: cannot stat %s: %s", in->f[i].src, strerror(errno));
			return -errno;
		}
		v[0] = (int64_t)st.st_size;
		v[1] = (int64_t)st.st_mtim.tv_sec;
		v[2] = (int64_t)st.st_mtim.tv_nsec;
		image_fnv(&h, in->f[i].src, strlen(in->f[i].src) + 1);
		image_fnv(&h, in->f[i].dst, strlen(in->f[i].dst) + 1);
		image_fnv(&h, v, sizeof(v));
	}
	n = image_gens(w, g, ico);
	for (i = 0; i < n; i++) {
		image_fnv(&h, g[i].path, strlen(g[i].path) + 1);
		image_fnv(&h, g[i].data, g[i].len);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
	return 0;
}

void image_cache_root(char *buf, size_t len)
{
	const char *c = getenv("LVPERF_CACHE");

	snprintf(buf, len, "%s", c && c[0] ? c : IMAGE_CACHE_DEFAULT);
}

static void image_cache_dir(char *buf, size_t len)
{
	char root[PATH_MAX - 16];

	image_cache_root(root, sizeof(root));
	snprintf(buf, len, "%s/images", root);
}

static int image_fill_host(const struct workload *w, const struct image_inputs *in, const char *rootfs,
			   char *err, size_t len)
{
	char path[PATH_MAX];
	int i, rc;

	for (i = 0; i < in->n; i++) {
		snprintf(path, sizeof(path), "%s%s", rootfs, in->f[i].dst);
		rc = file_copy(in->f[i].src, path, 0755, 0);
		if (rc) {
			snprintf(err, len, "image: cannot copy %s into %s: %s", in->f[i].src, rootfs,
				 strerror(-rc));
			return rc;
		}
	}
	if (w->bin) {
		snprintf(path, sizeof(path), "%s/bin/sh", rootfs);
		if (symlink("busybox", path) != 0 && errno != EEXIST) {
			snprintf(err, len, "image: cannot link %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	return image_write_configs(w, rootfs, err, len);
}

/*
 * What makes a debian-vm rootfs boot as a VM through its init system:
 * systemd runs lvp-start.service, whose script addresses eth0 and runs the
 * start command, both from the kernel command line (lvp.ip=A.B.C.D/LEN,
 * lvp.cmd=WORD,WORD,... with commas for spaces: the same disk serves
 * every run); Debian's own unit of the service is masked (the beacon
 * starts it).
 */
static int image_vm_files(const struct workload *w, const char *rootfs, char *err, size_t len)
{
	static const char script[] =
		"#!/bin/sh\n"
		"# generated by lvperf: address eth0 and run the start command (the\n"
		"# beacon, which execs the service), both from the kernel command line\n"
		"ip=\ncmd=\n"
		"for w in $(cat /proc/cmdline); do\n"
		"\tcase $w in\n"
		"\tlvp.ip=*) ip=${w#lvp.ip=} ;;\n"
		"\tlvp.cmd=*) cmd=${w#lvp.cmd=} ;;\n"
		"\tesac\n"
		"done\n"
		"ip link set lo up\n"
		"ip addr add \"$ip\" dev eth0\n"
		"ip link set eth0 up\n"
		"read up idle </proc/uptime\n"
		"echo \"lvp-guest-beacon uptime=$up\" >/dev/console\n"
		"cd /\n"
		"IFS=,\n"
		"exec $cmd\n";
	static const char unit[] =
		"# generated by lvperf\n"
		"[Unit]\n"
		"Description=lvperf: address eth0, send the beacon, start the workload\n"
		"After=sys-subsystem-net-devices-eth0.device\n"
		"Wants=sys-subsystem-net-devices-eth0.device\n"
		"\n"
		"[Service]\n"
		"ExecStart=/lvp-start.sh\n"
		"\n"
		"[Install]\n"
		"WantedBy=multi-user.target\n";
	static const char *const masked[] = { "nginx.service", "redis-server.service" };
	char path[PATH_MAX];
	int rc;

	(void)w;
	snprintf(path, sizeof(path), "%s/lvp-start.sh", rootfs);
	rc = file_create(path, script, sizeof(script) - 1, 0755);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/etc/systemd/system/lvp-start.service", rootfs);
		rc = file_create(path, unit, sizeof(unit) - 1, 0644);
	}
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/etc/systemd/system/multi-user.target.wants", rootfs);
		rc = file_mkdirs(path, 0755);
		snprintf(path, sizeof(path), "%s/etc/systemd/system/multi-user.target.wants/lvp-start.service",
			 rootfs);
		if (rc == 0 && symlink("/etc/systemd/system/lvp-start.service", path) != 0 && errno != EEXIST)
			rc = -errno;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(masked) / sizeof(masked[0]); i++) {
		snprintf(path, sizeof(path), "%s/etc/systemd/system/%s", rootfs, masked[i]);
		unlink(path);
		if (symlink("/dev/null", path) != 0)
			rc = -errno;
	}
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/etc/hostname", rootfs);
		rc = file_create(path, "lvpguest\n", 9, 0644);
	}
	if (rc)
		snprintf(err, len, "image: cannot write the VM's boot files into %s: %s", rootfs, strerror(-rc));
	return rc;
}

static int image_fill_debian(const struct workload *w, const char *base, const struct image_inputs *in,
			     const char *tmp, const char *rootfs, char *err, size_t len)
{
	char include[160], log[PATH_MAX], last[400], path[PATH_MAX];
	char *argv[8];
	int rc, n = 0, vm = strcmp(base, "debian-vm") == 0;

	argv[n++] = "debootstrap";
	argv[n++] = "--variant=minbase";
	if (w->package || vm) {
		/* a VM: a kernel (with its initramfs) and an init system */
		snprintf(include, sizeof(include), "--include=%s%s%s", w->package ? w->package : "",
			 w->package && vm ? "," : "", vm ? IMAGE_VM_PACKAGES : "");
		argv[n++] = include;
	}
	argv[n++] = (char *)in->suite;
	argv[n++] = (char *)rootfs;
	argv[n++] = (char *)in->mirror;
	argv[n] = NULL;
	snprintf(log, sizeof(log), "%s/debootstrap.log", tmp);
	rc = image_spawn(argv, NULL, log, 1, 1800 * IMAGE_SEC);
	if (rc != 0) {
		file_last_line(log, last, sizeof(last));
		snprintf(err, len, "image: debootstrap %s from %s failed (%d): %s", in->suite, in->mirror, rc,
			 last);
		return -EIO;
	}
	rc = file_copy(in->f[0].src, (snprintf(path, sizeof(path), "%s/beacon", rootfs), path), 0755, 0);
	if (rc) {
		snprintf(err, len, "image: cannot copy the beacon into %s: %s", rootfs, strerror(-rc));
		return rc;
	}
	/* debootstrap's caches are not part of what runs */
	{
		char *rm[] = { "rm", "-rf", "--one-file-system", "--", NULL, NULL };
		static const char *const junk[] = { "var/cache/apt/archives", "var/lib/apt/lists" };

		for (size_t i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", rootfs, junk[i]);
			rm[4] = path;
			proc_run(rm, 1, 60 * IMAGE_SEC);
			file_mkdirs(path, 0755);
		}
	}
	rc = image_write_configs(w, rootfs, err, len);
	if (rc == 0 && vm)
		rc = image_vm_files(w, rootfs, err, len);
	return rc;
}

int image_build(const char *workload, const char *base, struct image *img, char *err, size_t len)
{
	struct image_inputs in;
	char cache[PATH_MAX - 128], tmp[PATH_MAX], rootfs[PATH_MAX + 16];
	double t0 = image_now();
	struct stat st;
	int rc;

	memset(img, 0, sizeof(*img));
	img->w = workload_find(workload);
	if (!img->w) {
		snprintf(err, len, "image: no workload '%s' (beacon, nginx or redis)", workload);
		return -EINVAL;
	}
	if (strcmp(base, "host") && strcmp(base, "debian") && strcmp(base, "debian-vm")) {
		snprintf(err, len, "image: --base must be host or debian, not '%s'", base);
		return -EINVAL;
	}
	img->base = strcmp(base, "host") == 0 ? "host" : strcmp(base, "debian") == 0 ? "debian" : "debian-vm";
	rc = image_collect(img->w, img->base, &in, err, len);
	if (rc == 0)
		rc = image_hash(img->w, img->base, &in, img->hash, err, len);
	if (rc)
		return rc;
	image_cache_dir(cache, sizeof(cache));
	if (strcmp(img->base, "host") == 0)
		snprintf(img->dir, sizeof(img->dir), "%s/%s-%s", cache, workload, img->hash);
	else
		snprintf(img->dir, sizeof(img->dir), "%s/%s-%s-%s", cache, workload, img->base, img->hash);
	snprintf(img->rootfs, sizeof(img->rootfs), "%s/rootfs", img->dir);
	if (stat(img->rootfs, &st) == 0) {
		img->reused = 1;
		img->build_s = image_now() - t0;
		return 0;
	}
	if (file_mkdirs(cache, 0755) != 0) {
		snprintf(err, len, "image: cannot create %s: %s", cache, strerror(errno));
		return -errno;
	}
	snprintf(tmp, sizeof(tmp), "%s/lvptmp-%d-%s", cache, (int)getpid(), img->hash);
	rc = ledger_add(LEDGER_DIRECTORY, tmp);
	if (rc || mkdir(tmp, 0755) != 0) {
		snprintf(err, len, "image: cannot create %s: %s", tmp, strerror(rc ? -rc : errno));
		return rc ? rc : -errno;
	}
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
	if (strncmp(img->base, "debian", 6) == 0)
		rc = image_fill_debian(img->w, img->base, &in, tmp, rootfs, err, len);
	else
		rc = mkdir(rootfs, 0755) ? -errno : image_fill_host(img->w, &in, rootfs, err, len);
	if (rc == 0 && rename(tmp, img->dir) != 0) {
		if (errno == EEXIST || errno == ENOTEMPTY) {
			img->reused = 1; /* another lvperf built it meanwhile */
		} else {
			snprintf(err, len, "image: cannot rename %s to %s: %s", tmp, img->dir, strerror(errno));
			rc = -errno;
		}
	}
	if (rc || img->reused)
		driver_remove_dir(tmp);
	else
		ledger_done(LEDGER_DIRECTORY, tmp);
	img->build_s = image_now() - t0;
	return rc;
}

void image_ref(const struct image *img, char *buf, size_t len)
{
	snprintf(buf, len, "lvp-%s%s%s:%s", img->w->name, strcmp(img->base, "host") ? "-" : "",
		 strcmp(img->base, "host") ? img->base : "", img->hash);
}

