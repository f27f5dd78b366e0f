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

/*
 * Replace path by a new file of data[0..len) with mode, owned by us,
 * creating its parents, and let everyone enter its directory (o+rx):
 * root in a container has no CAP_DAC_OVERRIDE, and a package may have
 * left its own file and a closed directory there (redis-server's
 * /etc/redis is redis:redis 2770). Returns 0, -errno or -EIO.
 */
int file_create(const char *path, const void *data, size_t len, mode_t mode);

/* The last non-empty line of the text file path (without its newline)
 * into buf, "" when there is none or path cannot be read. For quoting a
 * log in an error message. */
void file_last_line(const char *path, char *buf, size_t len);

#endif
