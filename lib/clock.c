/* SPDX-License-Identifier: BSD-3-Clause */
#include "clock.h"

const char *clock_source_name(enum clock_source src)
{
	switch (src) {
	case CLOCK_SRC_NIC_HW:
		return "nic-hw-timestamp";
	case CLOCK_SRC_XDP_HOOK:
		return "xdp-hook-ktime";
	default:
		return "tsc-after-rx-burst";
	}
}
