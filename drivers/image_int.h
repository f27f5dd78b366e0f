/* SPDX-License-Identifier: BSD-3-Clause
 * What image.c (build), workload.c and image_size.c share; not for other
 * drivers (they use image.h).
 */
#ifndef LVP_IMAGE_INT_H
#define LVP_IMAGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

#define IMAGE_INPUTS_MAX 64
#define IMAGE_SEC (1000000000ull)
#define IMAGE_ICO_LEN 1150 /* the nginx workload's favicon.ico */

/* One file of the image: from the host (src) to its path in the rootfs. */
struct image_input {
	char src[256];
	char dst[256];
};

struct image_inputs {
	struct image_input f[IMAGE_INPUTS_MAX];
	int n;
	char mirror[256]; /* base debian: where debootstrap fetches from */
	char suite[32];
};

/* The generated files of w: path under the root and contents. */
struct image_gen {
	const char *path;
	const void *data;
	size_t len;
};

/* Fill g (at most 6) with w's generated files, the favicon drawn into ico
 * (IMAGE_ICO_LEN bytes, which g then points into). Returns how many. */
int image_gens(const struct workload *w, struct image_gen g[6], unsigned char *ico);

/* The host files an image of w on base needs, into in (the beacon; for
 * host, the service, its library closure and busybox; for debian, the
 * mirror and suite). Returns 0 or -errno with one line in err. */
int image_collect(const struct workload *w, const char *base, struct image_inputs *in, char *err,
		  size_t len);

/* Run argv with stdin from in and stdout to out (either may be NULL:
 * /dev/null; out is created 0644), stderr to out too when log, within
 * timeout_ns (then stopped); its PID is in the ledger meanwhile. Returns
 * the exit status, 128 + signal, or -errno. */
int image_spawn(char *const argv[], const char *in, const char *out, int log, uint64_t timeout_ns);

#endif
