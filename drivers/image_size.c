/* SPDX-License-Identifier: BSD-3-Clause
 * Image sizes: du-style counting of a tree, the rootfs (or, for native,
 * the host files it runs) as a tar and its gzip -6, made once into the
 * cache entry.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "image.h"
#include "image_int.h"
#include "ledger.h"

/* Paths here are built from the cache directory and PATH_MAX buffers; one
 * cut short fails at the open() or mkdir() that uses it, with its error. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* Make dir/NAME with argv (whose output file is the tmp path) unless it
 * exists; the temporary file is in the ledger while it is made. */
static int image_make_cached(const char *dir, const char *name, char *const argv[], const char *tmp,
			     const char *in, const char *out, char *path, size_t pathlen, char *err,
			     size_t len)
{
	int rc;

	snprintf(path, pathlen, "%s/%s", dir, name);
	if (access(path, R_OK) == 0)
		return 0;
	ledger_add(LEDGER_DIRECTORY, tmp);
	rc = image_spawn(argv, in, out, 0, 600 * IMAGE_SEC);
	if (rc != 0 || rename(tmp, path) != 0) {
		snprintf(err, len, "image: cannot make %s (%s exited %d)", path, argv[0], rc);
		unlink(tmp);
		ledger_done(LEDGER_DIRECTORY, tmp);
		return -EIO;
	}
	ledger_done(LEDGER_DIRECTORY, tmp);
	return 0;
}

int image_tar(const struct image *img, char *tar, size_t tarlen, char *err, size_t len)
{
	char tmp[PATH_MAX];
	char *argv[] = { "tar", "--numeric-owner", "-C", (char *)img->rootfs, "-cf", tmp, ".", NULL };

	snprintf(tmp, sizeof(tmp), "%s/lvptmp-%d.tar", img->dir, (int)getpid());
	return image_make_cached(img->dir, "rootfs.tar", argv, tmp, NULL, NULL, tar, tarlen, err, len);
}

/* The host files native runs (all inputs but the image's own shell) and
 * the generated configs, as one tar in the cache entry. */
static int image_native_tar(const struct image *img, char *tar, size_t tarlen, int64_t *du,
			    int64_t *files, char *err, size_t len)
{
	struct image_inputs in;
	char tmp[PATH_MAX], *argv[IMAGE_INPUTS_MAX + 16];
	int i, n = 0, rc;

	rc = image_collect(img->w, "host", &in, err, len);
	if (rc)
		return rc;
	*du = 0;
	*files = 0;
	snprintf(tmp, sizeof(tmp), "%s/lvptmp-%d-native.tar", img->dir, (int)getpid());
	argv[n++] = "tar";
	argv[n++] = "--numeric-owner";
	argv[n++] = "-cf";
	argv[n++] = tmp;
	argv[n++] = "-C";
	argv[n++] = "/";
	for (i = 0; i < in.n; i++) {
		if (strcmp(in.f[i].dst, "/bin/busybox") == 0)
			continue;
		*du += driver_du(in.f[i].src);
		(*files)++;
		argv[n++] = in.f[i].src + 1;
	}
	argv[n++] = "-C";
	argv[n++] = (char *)img->rootfs;
	argv[n++] = "etc";
	if (strcmp(img->w->name, "nginx") == 0)
		argv[n++] = "www";
	argv[n] = NULL;
	{
		char etc[PATH_MAX + 8];

		snprintf(etc, sizeof(etc), "%s/etc", img->rootfs);
		*du += image_du_tree(etc);
		snprintf(etc, sizeof(etc), "%s/www", img->rootfs);
		if (access(etc, F_OK) == 0)
			*du += image_du_tree(etc);
	}
	return image_make_cached(img->dir, "native.tar", argv, tmp, NULL, NULL, tar, tarlen, err, len);
}

static int64_t image_count;
static int64_t image_du_sum;

static int image_du_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	image_du_sum += (int64_t)st->st_blocks * 512;
	if (S_ISREG(st->st_mode))
		image_count++;
	return 0;
}

int64_t image_du_tree(const char *path)
{
	image_du_sum = 0;
	image_count = 0;
	if (nftw(path, image_du_fn, 16, FTW_PHYS) != 0)
		return -errno;
	return image_du_sum;
}

int image_size_for(const struct image *img, const char *platform, struct image_size *s, char *err,
		   size_t len)
{
	char tar[PATH_MAX], gz[PATH_MAX], tmp[PATH_MAX];
	char *argv[] = { "gzip", "-6", "-n", "-c", NULL };
	const char *name;
	struct stat st;
	int rc;

	memset(s, 0, sizeof(*s));
	if (strcmp(platform, "native") == 0) {
		rc = image_native_tar(img, tar, sizeof(tar), &s->du_bytes, &s->files, err, len);
		name = "native.tar.gz";
	} else {
		s->du_bytes = image_du_tree(img->rootfs);
		s->files = image_count;
		rc = s->du_bytes < 0 ? (int)s->du_bytes : image_tar(img, tar, sizeof(tar), err, len);
		name = "rootfs.tar.gz";
	}
	if (rc)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s/lvptmp-%d.gz", img->dir, (int)getpid());
	rc = image_make_cached(img->dir, name, argv, tmp, tar, tmp, gz, sizeof(gz), err, len);
	if (rc)
		return rc;
	if (stat(gz, &st) != 0) {
		snprintf(err, len, "image: cannot stat %s: %s", gz, strerror(errno));
		return -errno;
	}
	s->gzip_bytes = (int64_t)st.st_size;
	return 0;
}
