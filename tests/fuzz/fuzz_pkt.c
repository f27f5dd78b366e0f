/* SPDX-License-Identifier: BSD-3-Clause
 * libFuzzer target: the frame parser (dataplane/pkt.c pkt_parse) on any
 * bytes a port can deliver. */
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info pi;

	if (size > 65535)
		return 0;
	(void)pkt_parse(data, (uint32_t)size, &pi);
	return 0;
}
