/* SPDX-License-Identifier: BSD-3-Clause
 * A writer for the "newc" cpio format, which the Linux kernel unpacks as
 * an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst):
 * a 110-byte ASCII header per entry, name and data each padded to 4 bytes,
 * ended by an entry named TRAILER!!!. Uncompressed: the kernel takes it so.
 */
#ifndef LVP_CPIO_H
#define LVP_CPIO_H

#include <stddef.h>
#include <stdio.h>

struct cpio {
	FILE *f;
	unsigned int ino;
	int err; /* first -errno seen; later calls do nothing */
};

/* Start an archive on f (opened for writing by the caller). */
void cpio_begin(struct cpio *c, FILE *f);

/* A directory (mode 0755). */
void cpio_dir(struct cpio *c, const char *name);

/* A regular file with perm (e.g. 0755) holding len bytes of data. */
void cpio_file(struct cpio *c, const char *name, unsigned int perm, const void *data, size_t len);

/* A regular file with the contents of host file path. */
void cpio_copy(struct cpio *c, const char *name, unsigned int perm, const char *path);

/* A character device node (e.g. dev/console, 5:1). */
void cpio_chardev(struct cpio *c, const char *name, unsigned int major, unsigned int minor);

/* A symbolic link name → target. */
void cpio_symlink(struct cpio *c, const char *name, const char *target);

/*
 * Every directory, regular file and symbolic link under host directory
 * root, named relative to it (root itself not included), with their
 * permissions; other file types are skipped.
 */
void cpio_tree(struct cpio *c, const char *root);

/* Write the trailer. Returns 0 or the first -errno of the archive
 * (-EFBIG: an entry of 4 GiB or more, which newc cannot hold). */
int cpio_end(struct cpio *c);

#endif
