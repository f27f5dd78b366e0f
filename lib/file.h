/* SPDX-License-Identifier: BSD-3-Clause
 * Whole files and directory trees: the helpers the drivers, the runner and
 * the report share.
 */
#ifndef LVP_FILE_H
#define LVP_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p: create path and its missing parents (parents 0755, path itself
 * mode); an existing directory is fine. Returns 0 or -errno. */
int file_mkdirs(const char *path, mode_t mode);

/* Create the parent directories of path (0755). Returns 0 or -errno. */
int file_mkparent(const char *path);

/*
 * Read all of path (any length, also a pipe) into *buf, malloc'd, NUL
 * terminated; *len excludes the NUL. The caller frees *buf. Returns 0,
 * -errno (open), -EIO or -ENOMEM; *buf is NULL on failure.
 */
int file_read(const char *path, char **buf, size_t *len);

/* Create or truncate path and write data[0..len). Returns 0, -errno or -EIO. */
int file_write(const char *path, const void *data, size_t len);

/*
 * Copy from to a new file to (mode), creating its parent directories;
 * fsync it when sync is set. Returns 0, -errno or -EIO.
 */
int file_copy(const char *from, const char *to, mode_t mode, int sync);

#endif
