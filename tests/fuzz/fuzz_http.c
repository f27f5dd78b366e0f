/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the HTTP/1.1 response parser (dataplane/http.c). The
 * first byte says whether the next response answers a HEAD and where the
 * stream is cut into segments; the rest is the connection's payload, fed
 * as the load generator does (pipelined responses, then the peer's close). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_parser p;
	struct http_resp r;
	enum http_err err;
	size_t off = 1, step;
	int done, n;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] >> 1) + 1;
	http_parser_init(&p);
	if (data[0] & 1)
		http_parser_expect_no_body(&p);
	while (off < size) {
		size_t len = size - off < step ? size - off : step;
		/* a copy of exactly len bytes: ASan sees a read past the segment */
		uint8_t *seg = malloc(len);

		if (!seg)
			return 0;
		for (size_t i = 0; i < len; i++)
			seg[i] = data[off + i];
		for (size_t used = 0; used <= len;) {
			n = http_parse(&p, seg + used, len - used, &r, &done, &err);
			if (n < 0) {
				free(seg);
				return 0;
			}
			if ((size_t)n > len - used)
				abort(); /* consumed more than it was given */
			used += (size_t)n;
			if (!done)
				break;
			if (r.status < 100 || r.status > 999)
				abort();
		}
		free(seg);
		off += len;
	}
	(void)http_parser_eof(&p, &r);
	return 0;
}
