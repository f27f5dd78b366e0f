/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"

void cpio_begin(struct cpio *c, FILE *f)
{
	c->f = f;
	c->ino = 1;
	c->err = 0;
}

static void cpio_pad(struct cpio *c, size_t n)
{
	static const char zero[4];

	if (n % 4 && fwrite(zero, 1, 4 - n % 4, c->f) != 4 - n % 4 && !c->err)
		c->err = -EIO;
}

static void cpio_entry(struct cpio *c, const char *name, unsigned int mode, const void *data, size_t len,
		       unsigned int rmaj, unsigned int rmin)
{
	size_t nlen = strlen(name) + 1;
	char hdr[111];

	if (c->err)
		return;
	/* newc's filesize and namesize are 8 hex digits: a larger entry would
	 * be written with a truncated size and corrupt the rest of the archive. */
	if (len > UINT32_MAX || nlen > UINT32_MAX || c->ino == UINT32_MAX) {
		c->err = -EFBIG;
		return;
	}
	/* magic ino mode uid gid nlink mtime filesize devmajor devminor
	 * rdevmajor rdevminor namesize check */
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", c->ino++,
		 mode, 0u, 0u, 1u, 0u, (unsigned int)len, 0u, 0u, rmaj, rmin, (unsigned int)nlen, 0u);
	if (fwrite(hdr, 1, 110, c->f) != 110 || fwrite(name, 1, nlen, c->f) != nlen) {
		c->err = -EIO;
		return;
	}
	cpio_pad(c, 110 + nlen);
	if (len && fwrite(data, 1, len, c->f) != len && !c->err)
		c->err = -EIO;
	cpio_pad(c, len);
}

void cpio_dir(struct cpio *c, const char *name)
{
	cpio_entry(c, name, S_IFDIR | 0755, NULL, 0, 0, 0);
}

void cpio_file(struct cpio *c, const char *name, unsigned int perm, const void *data, size_t len)
{
	cpio_entry(c, name, S_IFREG | (perm & 07777), data, len, 0, 0);
}

void cpio_copy(struct cpio *c, const char *name, unsigned int perm, const char *path)
{
	FILE *in;
	char *buf;
	long n;

	if (c->err)
		return;
	in = fopen(path, "rb");
	if (!in) {
		c->err = -errno;
		return;
	}
	if (fseek(in, 0, SEEK_END) != 0 || (n = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) != 0) {
		c->err = -EIO;
		fclose(in);
		return;
	}
	if ((unsigned long)n > UINT32_MAX) { /* before reading it into memory */
		c->err = -EFBIG;
		fclose(in);
		return;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf)
		c->err = -ENOMEM;
	else if (fread(buf, 1, (size_t)n, in) != (size_t)n)
		c->err = -EIO;
	else
		cpio_file(c, name, perm, buf, (size_t)n);
	free(buf);
	fclose(in);
}

void cpio_chardev(struct cpio *c, const char *name, unsigned int major, unsigned int minor)
{
	cpio_entry(c, name, S_IFCHR | 0600, NULL, 0, major, minor);
}

void cpio_symlink(struct cpio *c, const char *name, const char *target)
{
	cpio_entry(c, name, S_IFLNK | 0777, target, strlen(target), 0, 0);
}

/* nftw has no user pointer: the archive and root length of the walk */
static struct cpio *cpio_walk;
static size_t cpio_walk_skip;

static int cpio_tree_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *name = path + cpio_walk_skip;
	char target[PATH_MAX];
	ssize_t n;

	(void)ftw;
	while (*name == '/')
		name++;
	if (!*name)
		return 0;
	if (flag == FTW_D) {
		cpio_entry(cpio_walk, name, S_IFDIR | (st->st_mode & 07777), NULL, 0, 0, 0);
	} else if (flag == FTW_SL) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			cpio_walk->err = cpio_walk->err ? cpio_walk->err : -errno;
			return 1;
		}
		target[n] = 0;
		cpio_symlink(cpio_walk, name, target);
	} else if (flag == FTW_F && S_ISREG(st->st_mode)) {
		cpio_copy(cpio_walk, name, st->st_mode & 07777, path);
	}
	return cpio_walk->err ? 1 : 0;
}

void cpio_tree(struct cpio *c, const char *root)
{
	if (c->err)
		return;
	cpio_walk = c;
	cpio_walk_skip = strlen(root);
	if (nftw(root, cpio_tree_fn, 16, FTW_PHYS) < 0 && !c->err)
		c->err = -errno;
	cpio_walk = NULL;
}

int cpio_end(struct cpio *c)
{
	cpio_entry(c, "TRAILER!!!", 0, NULL, 0, 0, 0);
	if (fflush(c->f) != 0 && !c->err)
		c->err = -EIO;
	return c->err;
}
