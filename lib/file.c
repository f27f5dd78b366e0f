/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int file_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Create the parent directories of path. */
int file_mkparent(const char *path)
{
	char buf[PATH_MAX];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = 0;
	return file_mkdirs(buf, 0755);
}

int file_read(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, got;

	*buf = NULL;
	*len = 0;
	if (!f)
		return -errno;
	do {
		if (*len + 65536 + 1 > cap) {
			char *nb = realloc(*buf, cap = 2 * cap + 65536 + 1);

			if (!nb) {
				fclose(f);
				free(*buf);
				*buf = NULL;
				return -ENOMEM;
			}
			*buf = nb;
		}
		got = fread(*buf + *len, 1, 65536, f);
		*len += got;
	} while (got == 65536);
	if (ferror(f)) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return -EIO;
	}
	fclose(f);
	if (!*buf && !(*buf = malloc(1)))
		return -ENOMEM;
	(*buf)[*len] = 0;
	return 0;
}

int file_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len)
		rc = -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -EIO;
	return rc;
}

int file_copy(const char *from, const char *to, mode_t mode, int sync)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	if (file_mkparent(to) != 0)
		return -errno;
	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
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
	if (sync && !rc && fsync(out) != 0)
		rc = -errno;
	close(in);
	if (close(out) != 0 && !rc)
		rc = -errno;
	return rc;
}

int file_create(const char *path, const void *data, size_t len, mode_t mode)
{
	char dir[PATH_MAX], *slash;
	struct stat st;
	int fd, rc = 0;

	if (file_mkparent(path) != 0)
		return -errno;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (stat(dir, &st) == 0 && (st.st_mode & 0005) != 0005)
			chmod(dir, (st.st_mode & 07777) | 0005);
	}
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		rc = -EIO;
	if (close(fd) != 0 && !rc)
		rc = -errno;
	return rc;
}

void file_last_line(const char *path, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0])
			snprintf(buf, len, "%s", line);
	}
	fclose(f);
}
