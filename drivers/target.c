/* SPDX-License-Identifier: BSD-3-Clause
 * struct target helpers without dependencies (for the unit tests too).
 */
#include <errno.h>
#include <string.h>

#include "driver.h"

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

int target_opt(const struct target *t, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = t->opts;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n >= klen && strncmp(p, key, klen) == 0 && (n == klen || p[klen] == '=')) {
			size_t vlen = n == klen ? 0 : n - klen - 1;

			if (vlen >= len)
				return -E2BIG;
			memcpy(buf, p + klen + (n == klen ? 0 : 1), vlen);
			buf[vlen] = 0;
			return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}
