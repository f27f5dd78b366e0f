/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the RESP reply parser (dataplane/resp.c) and the reply
 * checker. The first byte gives the segment length and the request the
 * replies are checked against; the rest is the connection's payload. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resp_parser p;
	struct resp_reply r;
	enum resp_err err;
	size_t off = 1, step;
	int done, n;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] >> 1) + 1;
	resp_parser_init(&p);
	while (off < size) {
		size_t len = size - off < step ? size - off : step;
		uint8_t *seg = malloc(len); /* exactly len: ASan sees a read past it */

		if (!seg)
			return 0;
		for (size_t i = 0; i < len; i++)
			seg[i] = data[off + i];
		for (size_t used = 0; used <= len;) {
			n = resp_parse(&p, seg + used, len - used, &r, &done, &err);
			if (n < 0) {
				free(seg);
				return 0;
			}
			if ((size_t)n > len - used)
				abort();
			used += (size_t)n;
			if (!done)
				break;
			if ((unsigned)resp_check((data[0] & 1) ? RESP_OP_GET : RESP_OP_SET, &r, 32) >= RESP_CHECK__COUNT)
				abort();
		}
		free(seg);
		off += len;
	}
	return 0;
}
